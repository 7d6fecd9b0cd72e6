package sitevisor.supervise;

import sitevisor.posix.ExitStatus;
import sitevisor.posix.PidFd;
import sitevisor.posix.ProcessIdentity;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The main process of one instance: spawned by this daemon ({@code ourChild}, so its exit status
 * can be read) or adopted from a pid file after a daemon restart.
 *
 * @param groupId the process group its spawn created; equal to its pid
 * @param marker  the value of {@link Group#MARKER_VARIABLE} in its environment, which its
 *                descendants inherit: how they are found after they leave its group
 * @param exit    completes with the status once the process has ended and was reaped
 */
record Child(ProcessIdentity identity, PidFd pidFd, boolean ourChild, long groupId, String marker,
             Instant startedAt, CompletableFuture<ExitStatus> exit) {

    long pid() {
        return identity.pid();
    }

    boolean hasExited() {
        return exit.isDone();
    }
}
