package sitevisor.posix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The process table for many callers at once. When hundreds of instances stop together each
 * needs a look at every process: one scan of /proc that began after a caller asked serves every
 * caller waiting then, and a process's marker is read from its environment once in its life, not
 * once per instance that looks. A caller never gets a table that misses a process alive at its
 * question: either the scan began after the question, or no process has started on the machine
 * since the scan began (then every process alive now is in it, beside some that ended since).
 * The daemon's own new threads do not count as started processes: a stop all starts a thread for
 * each site, and each of those used to send the next question to a scan of its own.
 *
 * <p>A process being started has its pid a moment before it shows in /proc, so a scan can miss
 * one whose pid came just before the scan began. The pids just before it are looked at once it is
 * done, and any that named nothing are looked at again by each later question the scan answers.
 */
public final class ProcessTable {
    private static final Path PROC = Path.of("/proc");
    /**
     * How long a process found in the midst of its exec is waited for. The new program's
     * environment is laid out within some microseconds, a few milliseconds when the machine is
     * busy; a process still in its exec after this is asked again by the next scan.
     */
    static final Duration EXEC_SETTLE = Duration.ofMillis(100);
    private static final Duration EXEC_POLL = Duration.ofMillis(1);
    /**
     * How many pids given out since a scan began are looked at one by one before a new scan is
     * cheaper: each is one read in /proc, and a scan reads a stat file for every process on the
     * machine, a few for each site.
     */
    static final int NEW_PIDS_CHECKED_AT_MOST = 1024;
    /**
     * How many pids given out before a scan began are looked at once it is done, for a process
     * that did not show in /proc yet while the scan listed it. A process shows within microseconds
     * of taking its pid, so only the last few before the scan can be one. Each that names nothing
     * is looked at again by later questions, which in a stop all of hundreds of sites come one by
     * one: a window of 64 took in the ended threads of the commands run just before, and their
     * looks held the lock far longer than all those of a window of 16.
     */
    static final int PIDS_BEFORE_A_SCAN_CHECKED = 16;
    /**
     * How many pids that named nothing a scan keeps looking at, one by one for each question,
     * before a new scan is cheaper. On a machine that runs many short commands most of them are
     * ended tasks, and their number would grow with every question the scan answers.
     */
    static final int UNSEEN_PIDS_KEPT_AT_MOST = 256;

    /** Reads a process's environment: /proc/PID/environ, or a test's stand-in. */
    interface Environments {
        byte[] read(long pid) throws IOException;
    }

    /** A process, told from a later one with the same pid by its start time. */
    private record Key(long pid, long startTicks) {}

    private final byte[] prefix;
    private final Supplier<List<ProcStat>> scan;
    private final LongSupplier lastStartedPid;
    private final LongFunction<Processes.Task> tasks;
    private final Environments environments;
    private final Object lock = new Object();
    private final Map<Key, String> markers = new ConcurrentHashMap<>();
    private Scan latest;
    private long latestBeganNanos;
    private boolean scanning;
    private long scanBeganNanos;

    /** @param markerVariable the environment variable whose value {@link #markerOf} reads */
    public ProcessTable(String markerVariable) {
        this(markerVariable, Processes::all, Processes::lastStartedPid);
    }

    /** @param scan reads every process: a test's stand-in that watches when scans happen; every question gets a scan begun after it */
    public ProcessTable(String markerVariable, Supplier<List<ProcStat>> scan) {
        this(markerVariable, scan, () -> -1);
    }

    /**
     * @param scan reads every process: {@link Processes#all}, or a test's stand-in
     * @param lastStartedPid the pid the machine gave out last ({@link Processes#lastStartedPid}); -1 when unknown
     */
    public ProcessTable(String markerVariable, Supplier<List<ProcStat>> scan, LongSupplier lastStartedPid) {
        this(markerVariable, scan, lastStartedPid, Processes::taskOf, ProcessTable::readEnvironment);
    }

    /** @param tasks what a pid names now ({@link Processes#taskOf}), for pids given out around a scan */
    ProcessTable(String markerVariable, Supplier<List<ProcStat>> scan, LongSupplier lastStartedPid, LongFunction<Processes.Task> tasks, Environments environments) {
        this.prefix = (markerVariable + "=").getBytes(StandardCharsets.UTF_8);
        this.scan = scan;
        this.lastStartedPid = lastStartedPid;
        this.tasks = tasks;
        this.environments = environments;
    }

    private static byte[] readEnvironment(long pid) throws IOException {
        return Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
    }

    /**
     * One scan, shared by every caller it answers: what they ask of it — a process's ancestors,
     * its marker — is indexed or read once for all of them. When each question in a stop of
     * hundreds of sites built its own index of the whole table, the garbage kept the collector busy.
     */
    public final class Scan {
        private final List<ProcStat> processes;
        /** The index of each process's parent in {@link #processes}; -1 when it is not there. */
        private final int[] parents;
        /** Each process's marker, all read by the first caller that asks for one ({@link #markerOf}). */
        private final String[] markers;
        private volatile boolean markersRead;
        /**
         * The pid the machine gave out last before the scan began, or a later one when every pid
         * given out since, through this one, was found to be no process the scan missed; -1 when
         * unknown, or when the scan missed one. Guarded by {@link ProcessTable#lock}.
         */
        private long noneMissedThroughPid;
        /**
         * Pids up to {@link #noneMissedThroughPid} that named nothing in /proc when looked at: a
         * task that ended, or a process not shown yet, which a later question must not miss.
         * Guarded by {@link ProcessTable#lock}.
         */
        private final List<Long> unseenPids = new ArrayList<>();
        /** When {@link #unseenPids} were last looked at; it answers the questions asked before. Guarded by {@link ProcessTable#lock}. */
        private long unseenLookedAtNanos = System.nanoTime();

        /** @param lastPidBefore the pid the machine gave out last before the listing began; -1 when unknown */
        private Scan(List<ProcStat> processes, long lastPidBefore) {
            this.processes = List.copyOf(processes);
            Map<Long, Integer> indexOf = new HashMap<>(processes.size() * 2);
            for (int i = 0; i < processes.size(); i++) indexOf.put(processes.get(i).pid(), i);
            parents = new int[processes.size()];
            for (int i = 0; i < parents.length; i++) parents[i] = indexOf.getOrDefault(processes.get(i).parentPid(), -1);
            markers = new String[processes.size()];
            this.noneMissedThroughPid = lastPidBefore < 0 || showedLate(lastPidBefore, indexOf.keySet()) ? -1 : lastPidBefore;
        }

        /**
         * Whether a process whose pid came shortly before the listing began was not in it: it
         * did not show in /proc yet. The listing still answers the questions asked before it
         * began, which that process was too young for, but no later one.
         */
        private boolean showedLate(long lastPidBefore, Set<Long> listed) {
            for (long pid = Math.max(1, lastPidBefore - PIDS_BEFORE_A_SCAN_CHECKED + 1); pid <= lastPidBefore; pid++) {
                if (listed.contains(pid)) continue;
                switch (tasks.apply(pid)) {
                    case PROCESS -> {
                        return true;
                    }
                    case NONE -> unseenPids.add(pid);
                    case OWN_THREAD, OTHER_THREAD -> { }
                }
            }
            return false;
        }

        /** Every process the scan saw. */
        public List<ProcStat> processes() {
            return processes;
        }

        public int size() {
            return processes.size();
        }

        public ProcStat get(int index) {
            return processes.get(index);
        }

        /** Whether the process at this index is a child, grandchild, ... of the process with this pid, as far as the scan saw its ancestors. */
        public boolean descendsFrom(int index, long ancestorPid) {
            int at = index;
            for (int depth = 0; depth < 64 && at >= 0; depth++) {
                long parent = processes.get(at).parentPid();
                if (parent == ancestorPid) return true;
                if (parent <= 1) return false;
                at = parents[at];
            }
            return false;
        }

        /** {@link ProcessTable#markerOf} of the process at this index. */
        public String markerOf(int index) {
            if (!markersRead) readMarkers();
            return markers[index];
        }

        /**
         * Every process's marker, read once for all the scan's callers. In a stop of hundreds of
         * sites, a thread per site asks one scan for the same processes' markers in the same order:
         * read one by one as each was first asked, every read had the other threads queued behind
         * it. Markers known from earlier scans are not read again.
         */
        private synchronized void readMarkers() {
            if (markersRead) return;
            for (int i = 0; i < markers.length; i++) markers[i] = ProcessTable.this.markerOf(processes.get(i));
            markersRead = true;
        }
    }

    /**
     * Every process alive now: as a scan that began after this call saw it, or as the latest scan
     * saw it when no process has started on the machine since that one began. Some
     * in the table may have ended since: a caller checks what it acts on. When hundreds of sites
     * end together after a stop all, each stop looks for processes of its own left behind; fresh
     * scans are slow then, while the sites' exits keep the cores busy, and the last stops waited
     * for them one after another.
     */
    public Scan now() {
        long asked = System.nanoTime();
        long began;
        synchronized (lock) {
            while (true) {
                if (latest != null && (latestBeganNanos - asked >= 0 || noProcessStartedSince(latest, asked))) return latest;
                if (!scanning) break;
                // a scan under way that began after the question will answer it; one that began
                // before may have missed a process forked since: wait for it, then scan again
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new Scan(scan.get(), -1); // not waiting any more: a table of its own, as fresh as any
                }
            }
            scanning = true;
            began = System.nanoTime();
            scanBeganNanos = began;
        }
        Scan table = null;
        try {
            long lastPid = lastStartedPid.getAsLong();
            table = new Scan(scan.get(), lastPid);
            return table;
        } finally {
            synchronized (lock) {
                if (table != null) {
                    latest = table;
                    latestBeganNanos = began;
                }
                scanning = false;
                lock.notifyAll();
            }
            if (table != null) forgetEnded(table.processes());
        }
    }

    /**
     * Pids are given out in turn, to processes and threads alike, so every task started since the
     * scan began has a pid after the last one given out before it. While that is still the last one,
     * nothing started since: whatever lives now lived then, and the scan saw it. Otherwise each pid
     * given out since is looked at once: a thread is no process the scan missed. Neither is a pid
     * that names nothing now: its task ended, or is still being started and so was no process yet
     * when this was asked; it is looked at again by later questions, with the scan's other unseen
     * pids: one look serves every question asked before it began, as hundreds come at once in a
     * stop all. Called under {@link #lock}. (A pid chosen with clone3's set_tid, which
     * checkpoint/restore tools use, does not move the counter; sites do not do that.)
     */
    private boolean noProcessStartedSince(Scan scan, long askedNanos) {
        long checkedThrough = scan.noneMissedThroughPid;
        if (checkedThrough < 0) return false;
        long last = lastStartedPid.getAsLong();
        // before it: unknown, or the counter wrapped round; far after it: a scan costs less than the lookups
        if (last < checkedThrough || last - checkedThrough > NEW_PIDS_CHECKED_AT_MOST) return false;
        if (!scan.unseenPids.isEmpty() && scan.unseenLookedAtNanos - askedNanos < 0) {
            long looking = System.nanoTime();
            for (Iterator<Long> unseen = scan.unseenPids.iterator(); unseen.hasNext(); ) {
                switch (tasks.apply(unseen.next())) {
                    case PROCESS -> {
                        return false;
                    }
                    case OWN_THREAD, OTHER_THREAD -> unseen.remove();
                    case NONE -> { }
                }
            }
            scan.unseenLookedAtNanos = looking;
        }
        for (long pid = checkedThrough + 1; pid <= last; pid++) {
            switch (tasks.apply(pid)) {
                case PROCESS -> {
                    return false;
                }
                case NONE -> {
                    if (scan.unseenPids.size() >= UNSEEN_PIDS_KEPT_AT_MOST) return false;
                    scan.unseenPids.add(pid);
                }
                case OWN_THREAD, OTHER_THREAD -> { }
            }
        }
        scan.noneMissedThroughPid = last;
        return true;
    }

    /**
     * The value of the marker variable in the process's environment; empty when it has none, it
     * cannot be read, or the process is ending. Only an answer from an environment in place is
     * remembered: while a process execs, its environment reads empty for a moment, and one
     * remembered then as "no marker" would hide a site's process from its stop for good.
     */
    public String markerOf(ProcStat process) {
        // read outside the map's locks (computeIfAbsent holds one while it computes); two callers
        // asking at once may both read the file, and both find the same value
        Key key = new Key(process.pid(), process.startTicks());
        String known = markers.get(key);
        if (known != null) return known;
        // a zombie or a kernel thread has no environment, and will never have one
        String read = process.isZombie() || process.isKernelThread() ? "" : readMarker(process);
        if (read == null) return "";
        String raced = markers.putIfAbsent(key, read);
        return raced != null ? raced : read;
    }

    /** The marker, or "" for none; null when the process ends first, or its exec does not finish within {@link #EXEC_SETTLE}. */
    private String readMarker(ProcStat process) {
        long deadline = System.nanoTime() + EXEC_SETTLE.toNanos();
        while (true) {
            byte[] raw;
            try {
                raw = environments.read(process.pid());
            } catch (AccessDeniedException closed) {
                // another user's process, or a setuid program: its marker cannot be known, for good
                return "";
            } catch (IOException gone) {
                raw = new byte[0];
            }
            if (raw.length > 0) return markerIn(raw);
            // empty: an exec under way, a process on its way out, or one with no environment at all
            Optional<ProcStat.WithEnvironment> now = ProcStat.readWithEnvironment(process.pid());
            if (now.isEmpty()) return null;
            ProcStat stat = now.get().stat();
            if (stat.startTicks() != process.startTicks() || stat.isZombie() || stat.isExiting()) return null;
            if (now.get().environmentIsEmpty()) return "";
            // the environment is being laid out, or was laid out since the read: read it again
            if (System.nanoTime() - deadline >= 0) return null;
            LockSupport.parkNanos(EXEC_POLL.toNanos());
        }
    }

    private String markerIn(byte[] raw) {
        // entries are NAME=value, each ended by a NUL; only the marker's is made into text
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i == raw.length || raw[i] == 0) {
                if (startsWithPrefix(raw, start, i)) return new String(raw, start + prefix.length, i - start - prefix.length, StandardCharsets.UTF_8);
                start = i + 1;
            }
        }
        return "";
    }

    private boolean startsWithPrefix(byte[] raw, int from, int to) {
        if (to - from < prefix.length) return false;
        for (int j = 0; j < prefix.length; j++) if (raw[from + j] != prefix[j]) return false;
        return true;
    }

    private void forgetEnded(List<ProcStat> scan) {
        Set<Key> alive = new HashSet<>(scan.size() * 2);
        for (ProcStat p : scan) alive.add(new Key(p.pid(), p.startTicks()));
        markers.keySet().retainAll(alive);
    }

    /** For tests: how many markers are remembered. */
    int rememberedMarkers() {
        return markers.size();
    }
}
