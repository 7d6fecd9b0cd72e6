package sitevisor.supervise;

import java.time.Duration;

/**
 * How a graceful stop treats the site's scheduled tasks.
 *
 * @param drains       whether it drains them first ({@code --force} and kill do not)
 * @param drainTimeout how long the drain may take; null for the site's {@code drainTimeout}
 */
public record StopMode(boolean drains, Duration drainTimeout) {
    /** Drains, for as long as the site's {@code drainTimeout} allows. */
    public static final StopMode GRACEFUL = new StopMode(true, null);
    /** Skips the drain: running task runs are stopped at once, beside the site's own stop. */
    public static final StopMode FORCE = new StopMode(false, null);

    /** Drains for at most this long (a maintenance window's own {@code drainTimeout}). */
    public static StopMode drainingUpTo(Duration drainTimeout) {
        return new StopMode(true, drainTimeout);
    }
}
