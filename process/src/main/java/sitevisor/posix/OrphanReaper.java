package sitevisor.posix;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes the daemon the child subreaper of everything it spawns, and reaps the orphans that come
 * to it. A program that daemonizes itself, or a worker whose master died, is then reparented to
 * the daemon rather than to init: its parent pid names the daemon while it runs, and the daemon
 * learns the exit status of a daemon it follows through a pid file.
 *
 * <p>It never reaps a child someone waits for: every process the daemon spawns or follows is
 * claimed by its owner, and an unclaimed zombie is reaped only once it has been one for a second:
 * a child whose parent thread waits for it (the JDK's own process reaper does) is reaped by that
 * thread long before.
 */
public final class OrphanReaper {
    private static final Logger log = LoggerFactory.getLogger(OrphanReaper.class);
    private static final int WEXITED = 4;
    private static final int WNOHANG = 1;
    private static final int WNOWAIT = 0x01000000;
    /** How long an unclaimed zombie is left to a parent thread that may wait for it. */
    private static final long UNCLAIMED_GRACE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    /** The subreaper is an attribute of the whole process: one reaper, whoever asks. */
    private static final class Holder {
        static final Optional<OrphanReaper> REAPER = become();
    }

    private final Set<Long> claimed = ConcurrentHashMap.newKeySet();
    /** The unclaimed zombies seen so far, by identity (a recycled pid is another process), with when first seen. */
    private Map<ProcessIdentity, Long> firstSeenNanos = Map.of();
    private final Pointer info = Memory.allocateDirect(Native.RUNTIME, LibC.SIGINFO_SIZE);

    private OrphanReaper() {}

    /**
     * This process as the child subreaper of everything it spawns from now on. Empty where the
     * kernel refuses (before Linux 3.4, or a sandbox that filters prctl): orphans then go to init.
     */
    public static Optional<OrphanReaper> forThisProcess() {
        return Holder.REAPER;
    }

    private static Optional<OrphanReaper> become() {
        if (Native.LIBC.prctl(LibC.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
            log.warn("unavailable: the daemon cannot be its sites' child subreaper ({}): what a site's process leaves behind goes to init",
                    Native.describeError(Native.lastError()));
            return Optional.empty();
        }
        return Optional.of(new OrphanReaper());
    }

    /** The owner of {@code pid} reaps it itself: the reaper leaves it alone until {@link #release}. */
    public void claim(long pid) {
        claimed.add(pid);
    }

    public void release(long pid) {
        claimed.remove(pid);
    }

    /**
     * Reaps the unclaimed zombies among this process's children that have been zombies for a
     * second at least; returns how many. One system call when no child is a zombie, the usual
     * case; a scan of /proc otherwise.
     */
    public int reapOnce() {
        return reapOnce(UNCLAIMED_GRACE_NANOS);
    }

    synchronized int reapOnce(long graceNanos) {
        if (!anyZombieChild()) {
            firstSeenNanos = Map.of();
            return 0;
        }
        long self = Native.selfPid();
        long now = System.nanoTime();
        Map<ProcessIdentity, Long> waiting = new HashMap<>();
        int reaped = 0;
        for (ProcStat process : Processes.all()) {
            if (process.parentPid() != self || !process.isZombie() || claimed.contains(process.pid())) continue;
            ProcessIdentity zombie = new ProcessIdentity(process.pid(), process.startTicks(), ProcessIdentity.currentBootId());
            long since = firstSeenNanos.getOrDefault(zombie, now);
            if (now - since < graceNanos) {
                waiting.put(zombie, since);
            } else if (!claimed.contains(zombie.pid()) && stillOurZombie(zombie, self)
                    && ExitStatus.reap(zombie.pid()).filter(ExitStatus::known).isPresent()) {
                reaped++;
            }
        }
        firstSeenNanos = waiting;
        if (reaped > 0) log.debug("reaped: {} orphans", reaped);
        return reaped;
    }

    private boolean anyZombieChild() {
        info.setMemory(0, LibC.SIGINFO_SIZE, (byte) 0);
        // WNOWAIT: only looks; the zombie stays for whoever reaps it
        int rc = Native.LIBC.waitid(LibC.P_ALL, 0, info, WEXITED | WNOHANG | WNOWAIT);
        return rc == 0 && info.getInt(LibC.SIGINFO_PID_OFFSET) != 0;
    }

    private static boolean stillOurZombie(ProcessIdentity zombie, long self) {
        return ProcStat.read(zombie.pid()).map(s -> s.startTicks() == zombie.startTicks() && s.isZombie() && s.parentPid() == self).orElse(false);
    }
}
