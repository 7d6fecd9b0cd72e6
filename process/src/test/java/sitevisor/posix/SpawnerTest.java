package sitevisor.posix;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class SpawnerTest {
    @TempDir
    Path dir;

    /** The calls a test needs to give the spawning thread a mask and an ignored signal of its own. */
    public interface SignalCalls {
        int pthread_sigmask(int how, Pointer set, Pointer old);

        int sigemptyset(Pointer set);

        int sigaddset(Pointer set, int signal);
    }

    private static final SignalCalls SIGNALS = LibraryLoader.create(SignalCalls.class).load("c");

    @Test
    @SuppressWarnings("sunapi")
    void childStartsWithEmptySignalMaskAndDefaultHandlersWhateverTheDaemonBlocksOrIgnores() throws Exception {
        jnr.ffi.Runtime runtime = jnr.ffi.Runtime.getRuntime(SIGNALS);
        Pointer block = Memory.allocateDirect(runtime, 128);
        Pointer previousMask = Memory.allocateDirect(runtime, 128);
        SIGNALS.sigemptyset(block);
        SIGNALS.sigaddset(block, Signal.TTIN.number());
        // the spawning thread blocks SIGTTIN and the process ignores SIGTTOU: neither may reach the child
        SIGNALS.pthread_sigmask(0 /* SIG_BLOCK */, block, previousMask);
        sun.misc.SignalHandler previousHandler = sun.misc.Signal.handle(new sun.misc.Signal("TTOU"), sun.misc.SignalHandler.SIG_IGN);
        String out;
        try {
            out = run(List.of("grep", "-E", "^(SigBlk|SigIgn)", "/proc/self/status"), Map.of());
        } finally {
            sun.misc.Signal.handle(new sun.misc.Signal("TTOU"), previousHandler);
            SIGNALS.pthread_sigmask(2 /* SIG_SETMASK */, previousMask, null);
        }
        assertEquals(0, mask(out, "SigBlk:"), out);
        // glibc keeps its two internal real-time signals (32, 33) ignored; no standard signal may be
        assertEquals(0, mask(out, "SigIgn:") & 0x7fffffffL, out);
    }

    @Test
    void childHasOnlyStandardDescriptorsOpen() throws Exception {
        // a descriptor without close-on-exec, as a jar or a listening socket of the daemon's may be
        int inheritable = Native.posix().open("/dev/null", 0, 0);
        assertTrue(inheritable > 2);
        try {
            // ls opens one descriptor of its own to list the directory: 3
            String out = run(List.of("ls", "/proc/self/fd"), Map.of());
            assertEquals(List.of("0", "1", "2", "3"), out.lines().toList(), "a descriptor of the daemon's leaked into the child");
        } finally {
            Native.posix().close(inheritable);
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
