package sitevisor.scheduler;

import java.util.concurrent.CompletableFuture;

/** A task's running program, as the daemon started it. */
public interface TaskProcess {
    long pid();

    /** Completes once the program and every process of its group have ended. */
    CompletableFuture<Ended> ended();

    /**
     * Stops the program's process group: the site's stop signal, SIGKILL after its stop timeout.
     * Returns at once; {@link #ended()} completes when nothing is left.
     */
    void stop();

    /**
     * How it ended.
     *
     * @param exitCode    its exit code, -1 when a signal ended it or it is unknown
     * @param description in words: {@code exit 0}, {@code exit 3}, {@code killed by SIGTERM}
     */
    record Ended(int exitCode, String description) {
        public boolean succeeded() {
            return exitCode == 0;
        }
    }
}
