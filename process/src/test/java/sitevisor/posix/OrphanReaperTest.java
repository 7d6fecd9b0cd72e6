package sitevisor.posix;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The reaper against real zombie children of this JVM: what it leaves to their owners, what it takes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OrphanReaperTest {
    @TempDir
    Path dir;
    OrphanReaper reaper;

    @BeforeEach
    void subreaper() {
        assumeTrue(OrphanReaper.forThisProcess().isPresent(), "this kernel does not let a process be a child subreaper");
        reaper = OrphanReaper.forThisProcess().orElseThrow();
    }

    /** A child of this JVM that exits 3 at once; returned once it is a zombie. */
    private ProcessIdentity zombieChild() throws Exception {
        long pid = Spawner.spawn(new Spawner.Request(Path.of("/bin/sh"), List.of("sh", "-c", "exit 3"), dir, Map.of(), dir.resolve("out.log")));
        ProcessIdentity identity = ProcessIdentity.of(pid).orElseThrow();
        try (ExitWatcher watcher = new ExitWatcher(); PidFd fd = PidFd.openChild(identity)) {
            watcher.watch(fd).get(10, TimeUnit.SECONDS);
        }
        assertTrue(ProcStat.read(pid).orElseThrow().isZombie());
        return identity;
    }

    @Test
    void aClaimedZombieIsLeftToItsOwnerWhoReadsItsStatus() throws Exception {
        ProcessIdentity child = zombieChild();
        reaper.claim(child.pid());
        try {
            reaper.reapOnce(0);
            reaper.reapOnce(0);
            assertEquals(new ExitStatus(3, 0, true), ExitStatus.reap(child.pid()).orElseThrow());
        } finally {
            reaper.release(child.pid());
        }
    }

    /** A parent thread that waits for its child (the JDK's process reaper) reaps it within milliseconds: a second is its. */
    @Test
    void anUnclaimedZombieIsLeftForASecondThenReaped() throws Exception {
        ProcessIdentity child = zombieChild();
        assertEquals(0, reaper.reapOnce());
        assertEquals(0, reaper.reapOnce());
        assertTrue(ProcStat.read(child.pid()).orElseThrow().isZombie(), "reaped before its second was up");

        assertTrue(reaper.reapOnce(0) >= 1);
        assertTrue(ProcStat.read(child.pid()).filter(p -> p.startTicks() == child.startTicks()).isEmpty(), "still there");
    }
}
