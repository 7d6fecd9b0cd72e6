package sitevisor.supervise;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.posix.ExitStatus;
import sitevisor.posix.ExitWatcher;
import sitevisor.posix.PidFd;
import sitevisor.posix.ProcessIdentity;
import sitevisor.posix.ProcessTable;
import sitevisor.posix.Signal;
import sitevisor.posix.Spawner;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Group} on real processes, where a stop must never reach a process that is not the instance's. */
class GroupTest {
    private final TestProcesses processes = new TestProcesses();
    private final ExitWatcher watcher = new ExitWatcher();
    private final List<Long> spawned = new ArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() throws Exception {
        try {
            processes.killAll();
            for (long pid : spawned) {
                TestProcesses.await("pid " + pid + " reaped", Duration.ofSeconds(5), () -> ExitStatus.reap(pid).isPresent());
            }
        } finally {
            watcher.close();
        }
    }

    /**
     * The main process ended and was reaped by someone else (an adopted one, by init) before its
     * exit was reported, and its pid now leads another program's group: the group that had the main
     * process's pid as its id is not the site's any more, and gets no signal.
     */
    @Test
    void aMainProcessWhosePidNowLeadsAStrangersGroupDoesNotHaveThatGroupSignalled() throws Exception {
        long strangerPid = spawn("sleep", "60"); // spawned in a session and group of its own, both with its pid as id
        ProcessIdentity stranger = ProcessIdentity.of(strangerPid).orElseThrow();
        // the main process's own pidfd, on a process that has ended since
        long endedPid = spawn("sleep", "60");
        PidFd endedHandle = PidFd.openChild(ProcessIdentity.of(endedPid).orElseThrow());
        try {
            endedHandle.signal(Signal.KILL);
            TestProcesses.await("pid " + endedPid + " reaped", Duration.ofSeconds(5), () -> ExitStatus.reap(endedPid).isPresent());
            spawned.remove(Long.valueOf(endedPid));
            ProcessIdentity recycled = new ProcessIdentity(strangerPid, stranger.startTicks() - 1, ProcessIdentity.currentBootId());
            Child main = new Child(recycled, endedHandle, strangerPid, "", Instant.now(), new CompletableFuture<>());

            List<ProcessIdentity> left = new Group(main, watcher, new ProcessTable(Group.MARKER_VARIABLE)).terminate(Signal.TERM, Duration.ofMillis(300));

            assertEquals(List.of(), left);
            assertTrue(stranger.isAlive(), "the stranger's group got the site's stop signal: " + stranger.whyStale().orElse(""));
        } finally {
            endedHandle.close();
        }
    }

    private long spawn(String program, String... arguments) throws Exception {
        List<String> argv = new ArrayList<>(List.of(program));
        argv.addAll(List.of(arguments));
        long pid = Spawner.spawn(new Spawner.Request(Path.of("/usr/bin/" + program), argv, dir,
                Map.of(TestProcesses.VARIABLE, processes.runId), dir.resolve(program + ".log")));
        spawned.add(pid);
        return pid;
    }
}
