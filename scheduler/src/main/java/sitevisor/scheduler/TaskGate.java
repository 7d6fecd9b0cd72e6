package sitevisor.scheduler;

import sitevisor.mbeans.Actor;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * What the supervisor asks of a site's scheduled tasks around a stop: the scheduler declares it,
 * {@link TaskRuns} answers it. A task run starts only while its site is {@code RUNNING}, so the
 * site's own state is the gate: a drain needs no flag of its own, only to wait.
 */
public interface TaskGate {
    /** Whether a graceful stop of the site has tasks to drain. */
    boolean hasTasks(String site);

    /**
     * Waits for the site's running task runs, at most {@code timeout} (the site's
     * {@code drainTimeout} when null), then stops what still runs. Call it once the site has left
     * {@code RUNNING}: no run starts from then on. Instances of a site stopping together share one
     * drain, recorded once when it ends. Blocks until done.
     *
     * @param cutShort turns true when an emergency kill wants the drain to end now
     * @return what it did, in words
     */
    String drain(String site, Duration timeout, Actor by, BooleanSupplier cutShort);

    /** How long a graceful stop of the site waits for its running runs when it names no bound of its own: its {@code drainTimeout}. */
    Duration drainTimeout(String site);

    /**
     * Stops the site's running task runs without waiting for them: a stop with {@code --force}, or a
     * kill. Call it once the site has left {@code RUNNING}, so that no run starts after it.
     */
    void stopRunning(String site, String why);

    /** The site is running again, every instance ready: a run that fell due meanwhile with {@code run-once} runs now. */
    void reopen(String site);
}
