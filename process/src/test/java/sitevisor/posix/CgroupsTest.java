package sitevisor.posix;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sitevisor.testing.Await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Both kinds of cgroup against the real kernel: a spawn is born in its instance's cgroup, and the daemon never counts as a member. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CgroupsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private final List<Long> spawned = java.util.Collections.synchronizedList(new ArrayList<>());
    private Cgroups cgroups;

    /** The cgroups of a home of this test's own, or the test is skipped with the reason this machine has none. */
    private Cgroups available(String version) {
        Cgroups.Found found = Cgroups.forHome(dir.resolve("run"), version);
        assumeTrue(found.cgroups().isPresent(), "no cgroup " + version + " here: " + found.whyNone());
        cgroups = found.cgroups().get();
        return cgroups;
    }

    private long spawn(String script) throws Exception {
        long pid = Spawner.spawn(new Spawner.Request(Path.of("/bin/sh"), List.of("sh", "-c", script), dir, Map.of(), dir.resolve("out.log")));
        spawned.add(pid);
        return pid;
    }

    /** The v2 cgroup a process is in, from the "0::" line of its /proc/PID/cgroup. */
    private static String unifiedCgroupOf(long pid) throws Exception {
        return Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")).stream().filter(line -> line.startsWith("0::")).findFirst().orElseThrow();
    }

    @AfterEach
    void killWhatWasSpawned() throws Exception {
        if (cgroups == null) return;
        List<Path> instances;
        try (var entries = Files.list(cgroups.base())) {
            instances = entries.filter(Files::isDirectory).toList();
        }
        for (Path instance : instances) Cgroups.pids(instance).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        for (long pid : List.copyOf(spawned)) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        Await.until("the spawned processes ended", WAIT, () -> instances.stream().allMatch(i -> Cgroups.pids(i).isEmpty()));
        for (long pid : List.copyOf(spawned)) Await.until("pid " + pid + " reaped", WAIT, () -> ExitStatus.reap(pid).isPresent() || ProcStat.read(pid).isEmpty());
        cgroups.removeEmpty();
        assertFalse(Files.exists(cgroups.base()), "the home's cgroups outlived their last process");
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void aSpawnIsBornInItsInstancesCgroupAndSoIsWhatItForksAtOnce(String version) throws Exception {
        Cgroups cgroups = available(version);
        Path instance = cgroups.instance("web.0");
        String before = unifiedCgroupOf(Native.selfPid());
        long self = Native.selfPid();

        long main = cgroups.spawnInto(instance, () -> {
            // while it spawns there, the daemon sits in the cgroup (v2) or one of its threads does (v1)
            assertTrue(Files.readAllLines(instance.resolve("cgroup.procs")).contains(Long.toString(self)), "the daemon is not in the cgroup it spawns into");
            assertFalse(Cgroups.pids(instance).contains(self), "the daemon counted as a process of the site");
            return spawn("sleep 301 & exec sleep 302");
        });

        Await.until("the spawn and what it forked in " + instance, WAIT, () -> Cgroups.pids(instance).size() == 2);
        assertTrue(Cgroups.pids(instance).contains(main));
        assertEquals(before, unifiedCgroupOf(self), "the daemon did not come back to its own cgroup");
        assertFalse(Files.readAllLines(instance.resolve("cgroup.procs")).contains(Long.toString(self)), "the daemon stayed in the site's cgroup");

        cgroups.removeEmpty();
        assertTrue(Files.isDirectory(instance), "a cgroup with processes in it was removed");
    }

    /** v2 moves the whole daemon for a spawn: a spawn of another kind meanwhile would be born in the site's cgroup. */
    @Test
    void aSpawnOutsideWaitsUntilTheDaemonIsBackInItsOwnCgroup() throws Exception {
        Cgroups cgroups = available("v2");
        Path instance = cgroups.instance("web.0");
        AtomicLong outside = new AtomicLong();
        List<Throwable> failed = new ArrayList<>();
        Thread other = new Thread(() -> {
            try {
                outside.set(cgroups.spawnOutside(() -> spawn("exec sleep 303")));
            } catch (Throwable e) {
                failed.add(e);
            }
        });

        cgroups.spawnInto(instance, () -> {
            other.start();
            Await.until("the other spawn waiting for this one", WAIT, () -> other.getState() == Thread.State.WAITING);
            return spawn("exec sleep 304");
        });
        other.join(WAIT.toMillis());

        assertEquals(List.of(), failed);
        assertFalse(Cgroups.pids(instance).contains(outside.get()), "a spawn outside was born in the site's cgroup");
        assertEquals(unifiedCgroupOf(Native.selfPid()), unifiedCgroupOf(outside.get()));
    }

    /**
     * A daemon that cannot move back home after a spawn keeps the process it spawned, and spawns
     * nothing outside until it is home again: that would be born in the site's cgroup.
     */
    @Test
    void aDaemonStuckInASitesCgroupKeepsItsSpawnAndSpawnsNothingOutsideUntilHome() throws Exception {
        Cgroups real = available("v2");
        Path home = Cgroups.unifiedHierarchy().flatMap(Cgroups.Mount::processCgroup).orElseThrow();
        Path instance = real.instance("web.0");
        // a daemon whose own cgroup has gone: every move back fails
        Cgroups stuck = new Cgroups(Cgroups.Version.V2, home, real.base(), real.base().resolve("gone"));
        try {
            long pid = stuck.spawnInto(instance, () -> spawn("exec sleep 305"));
            assertTrue(Cgroups.pids(instance).contains(pid), "the spawn was lost");
            IOException refused = assertThrows(IOException.class, () -> stuck.spawnOutside(() -> spawn("exec sleep 306")));
            assertTrue(refused.getMessage().contains("still in " + instance), refused.getMessage());
            assertEquals(1, Cgroups.pids(instance).size(), "a spawn outside was born in the site's cgroup");
        } finally {
            Files.writeString(home.resolve("cgroup.procs"), Long.toString(Native.selfPid()));
        }
    }

    @Test
    void anUnknownChoiceIsAnErrorThatNamesTheProperty() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Cgroups.forHome(dir, "v3"));
        assertTrue(refused.getMessage().contains(Cgroups.CHOICE) && refused.getMessage().contains("'v3'"), refused.getMessage());
        Cgroups.Found off = Cgroups.forHome(dir, "off");
        assertTrue(off.cgroups().isEmpty());
        assertTrue(off.whyNone().contains("off"), off.whyNone());
    }
}
