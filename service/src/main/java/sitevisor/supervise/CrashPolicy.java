package sitevisor.supervise;

import sitevisor.config.SiteConfig;
import sitevisor.mbeans.Durations;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.DoubleSupplier;

/**
 * What supervision does after a start failed or a running instance crashed: try again at once,
 * try again after a delay, or give up. It keeps the instance's record of failures and decides on
 * the time it is given, so it is tested as a table, without processes or a wall clock.
 *
 * <p>A failed start is retried {@code startRetries} times, each after {@code backoff · 2^(n-1)},
 * capped at {@code backoffMax}, with ±20% jitter so that sites that failed together retry apart.
 * A crash restarts at once when it is the only one within {@code restartWindow}, after that
 * same delay when there were more, and gives up past {@code restartLimit}.
 */
final class CrashPolicy {
    /** What to do next. */
    sealed interface Decision permits RestartNow, RetryAfter, GiveUp, StayDown {}

    /** Start again now. */
    record RestartNow() implements Decision {}

    /** Start again once {@code delay} has passed; {@code reason} says why and when. */
    record RetryAfter(Duration delay, String reason) implements Decision {}

    /** Stop trying: the instance is FATAL until an operator starts it. */
    record GiveUp(String reason) implements Decision {}

    /** The site's restart policy keeps it down after this exit. */
    record StayDown() implements Decision {}

    private final SiteConfig site;
    /** A number in [0, 1) for each delay's jitter. */
    private final DoubleSupplier jitter;
    private final Deque<Instant> recentCrashes = new ArrayDeque<>();
    private int startFailures;

    CrashPolicy(SiteConfig site, DoubleSupplier jitter) {
        this.site = site;
        this.jitter = jitter;
    }

    /** A start the operator asked for: earlier failed starts no longer count, nor, if {@code forgetCrashes}, earlier crashes. */
    void freshStart(boolean forgetCrashes) {
        startFailures = 0;
        if (forgetCrashes) recentCrashes.clear();
    }

    /** The instance became ready: the next failed start is a first one again. */
    void ready() {
        startFailures = 0;
    }

    /** Failed starts since the last ready or fresh start. */
    int startFailures() {
        return startFailures;
    }

    /** A start failed, for {@code reason}. */
    Decision startFailed(String reason) {
        startFailures++;
        int retries = site.startRetries();
        if (startFailures > retries) {
            return new GiveUp("gave up after " + startFailures + " failed start" + (startFailures == 1 ? "" : "s") + "; the last: " + reason);
        }
        Duration delay = backoffDelay(startFailures);
        return new RetryAfter(delay, reason + "; retry " + startFailures + " of " + retries + " in " + Durations.format(delay));
    }

    /** A running instance's process ended on its own at {@code now}, with this exit code or signal. */
    Decision crashed(Instant now, int exitCode, int signal) {
        if (!site.restart().restartsAfter(exitCode, signal)) return new StayDown();
        recentCrashes.addLast(now);
        while (!recentCrashes.isEmpty() && recentCrashes.peekFirst().isBefore(now.minus(site.restartWindow()))) recentCrashes.removeFirst();
        int crashes = recentCrashes.size();
        String within = "crashed " + crashes + " times within " + Durations.format(site.restartWindow());
        if (crashes > site.restartLimit()) {
            return new GiveUp(within + " (restartLimit " + site.restartLimit() + "); start it again once fixed");
        }
        startFailures = 0;
        if (crashes == 1) return new RestartNow();
        Duration delay = backoffDelay(crashes - 1);
        return new RetryAfter(delay, within + "; restarting in " + Durations.format(delay));
    }

    /** {@code backoff · 2^(failures-1)}, capped at {@code backoffMax}, times 0.8 to 1.2. */
    Duration backoffDelay(int failures) {
        double base = site.backoff().toNanos() * Math.pow(2, Math.min(failures - 1, 30));
        double capped = Math.min(base, site.backoffMax().toNanos());
        return Duration.ofNanos((long) (capped * (0.8 + 0.4 * jitter.getAsDouble())));
    }
}
