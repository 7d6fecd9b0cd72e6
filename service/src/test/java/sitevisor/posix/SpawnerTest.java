package sitevisor.posix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class SpawnerTest {
    @TempDir
    Path dir;

    @Test
    void childStartsWithEmptySignalMaskAndDefaultHandlers() throws Exception {
        // the spawned program reads its own status: what it shows is exactly what the spawn set up
        String out = run(List.of("grep", "-E", "^(SigBlk|SigIgn)", "/proc/self/status"), Map.of());
        assertEquals(0, mask(out, "SigBlk:"), out);
        // glibc keeps its two internal real-time signals (32, 33) ignored; no standard signal may be
        assertEquals(0, mask(out, "SigIgn:") & 0x7fffffffL, out);
    }

    @Test
    void childHasOnlyStandardDescriptorsOpen() throws Exception {
        try (ServerSocket daemonSocket = new ServerSocket(0)) {
            // ls opens one descriptor of its own to list the directory: 3
            String out = run(List.of("ls", "/proc/self/fd"), Map.of());
            assertEquals(List.of("0", "1", "2", "3"), out.lines().toList(), "the listening socket or a jar leaked into the child");
        }
    }

    @Test
    void childLeadsItsOwnSessionAndGroupInItsDirectoryWithItsEnvironment() throws Exception {
        String out = run(List.of("sh", "-c", "echo cwd=$(pwd); echo env=$SITE_VAR; exec cat /proc/self/stat"), Map.of("SITE_VAR", "hello"));
        assertTrue(out.contains("cwd=" + dir.toRealPath()), out);
        assertTrue(out.contains("env=hello"), out);
        String statLine = out.lines().filter(l -> !l.startsWith("cwd=") && !l.startsWith("env=")).findFirst().orElseThrow();
        ProcStat stat = ProcStat.parse(Long.parseLong(statLine.substring(0, statLine.indexOf(' '))), statLine);
        assertEquals(stat.pid(), stat.groupId(), "own process group");
        assertEquals(stat.pid(), stat.sessionId(), "own session");
    }

    @Test
    void stdoutAndStderrGoToTheLogAndTheExitStatusIsDecoded() throws Exception {
        Path log = dir.resolve("out.log");
        long pid = Spawner.spawn(new Spawner.Request(Path.of("/bin/sh"), List.of("sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 7"),
                dir, Map.of(), log));
        assertEquals(new ExitStatus(7, 0, true), awaitExit(pid));
        assertEquals("to-stdout\nto-stderr\n", Files.readString(log));

        long killed = Spawner.spawn(new Spawner.Request(Path.of("/bin/sh"), List.of("sh", "-c", "kill -SEGV $$"), dir, Map.of(), log));
        assertEquals(new ExitStatus(-1, Signal.SEGV.number(), true), awaitExit(killed));
    }

    private String run(List<String> argv, Map<String, String> environment) throws Exception {
        Path log = Files.createTempFile(dir, "out", ".log");
        Map<String, String> env = new java.util.HashMap<>(environment);
        env.put("PATH", "/usr/bin:/bin");
        Path program = Path.of("/usr/bin", argv.get(0));
        if (!Files.exists(program)) program = Path.of("/bin", argv.get(0));
        long pid = Spawner.spawn(new Spawner.Request(program, argv, dir, env, log));
        ExitStatus status = awaitExit(pid);
        assertEquals(0, status.exitCode(), Files.readString(log));
        return Files.readString(log);
    }

    private static long mask(String out, String field) {
        return Long.parseLong(out.lines().filter(l -> l.startsWith(field)).findFirst().orElseThrow().substring(field.length()).trim(), 16);
    }

    /** Waits for the exit through a pidfd in an exit watcher, as the supervisor does, then reaps. */
    private static ExitStatus awaitExit(long pid) throws Exception {
        try (ExitWatcher watcher = new ExitWatcher(); PidFd fd = PidFd.openChild(ProcessIdentity.of(pid).orElseThrow())) {
            watcher.watch(fd).get(10, TimeUnit.SECONDS);
        }
        return ExitStatus.reap(pid).orElseThrow(() -> new AssertionError("pid " + pid + " exited but cannot be reaped"));
    }

    @Test
    void missingProgramIsReportedWithTheKernelsReason() {
        var e = assertThrows(Spawner.SpawnException.class, () -> Spawner.spawn(new Spawner.Request(
                dir.resolve("nope"), List.of("nope"), dir, Map.of(), dir.resolve("x.log"))));
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
    }

    @Test
    void missingDirectoryIsReported() {
        var e = assertThrows(Spawner.SpawnException.class, () -> Spawner.spawn(new Spawner.Request(
                Path.of("/bin/true"), List.of("true"), dir.resolve("absent"), Map.of(), dir.resolve("x.log"))));
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
    }
}
