package sitevisor.supervise;

import sitevisor.mbeans.Actor;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** What a graceful stop asks of a site's scheduled tasks before it signals anything; the scheduler answers. */
public interface TaskDrain {
    /** For a daemon without a scheduler: no site has tasks. */
    TaskDrain NONE = new TaskDrain() {
        @Override
        public boolean hasTasks(String site) {
            return false;
        }

        @Override
        public String drain(String site, Duration timeout, Actor by, BooleanSupplier cutShort) {
            return "no tasks";
        }

        @Override
        public void stopRunning(String site, String why) {
            // nothing runs
        }
    };

    boolean hasTasks(String site);

    /**
     * Closes the site to new task runs and waits for the running ones, at most {@code timeout} (the
     * site's {@code drainTimeout} when null), then stops what still runs. Blocks until done.
     *
     * @param cutShort turns true when an emergency kill wants the drain to end now
     * @return what it did, in words
     */
    String drain(String site, Duration timeout, Actor by, BooleanSupplier cutShort);

    /** Stops the site's running task runs without waiting for them: a stop with {@code --force}, or a kill. */
    void stopRunning(String site, String why);
}
