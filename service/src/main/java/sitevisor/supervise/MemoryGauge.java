package sitevisor.supervise;

import sitevisor.posix.Cgroups;
import sitevisor.posix.KeptProcesses;
import sitevisor.posix.ProcessMemory;
import sitevisor.posix.ResidentSizes;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What one instance costs the host in memory: the proportional set size and swap share of every
 * process of it the daemon knows — whatever is in its cgroup, else its main process and the
 * processes it forked — so a preforked pool's shared pages count once. Keeps the peak since its
 * main process started.
 * <p>
 * The proportional size costs the kernel a walk of each process's page tables, far dearer than
 * the resident size, so each read takes the cheap resident size, and the detailed one only when
 * the resident size moved by more than {@link #RESIDENT_CHANGE_PERCENT} % since the last detailed
 * reading, or that reading is too old: pages a pool stops sharing when its workers write them
 * raise the proportional size without moving the resident one. Status reads ask at most once a
 * second and accept a detailed reading {@link #DETAILED_AT_MOST_EVERY} old; the memory watch asks
 * with a limit, and when the resident size (plus whatever swap the host uses) is under it, that
 * bound is all it needs.
 */
final class MemoryGauge {
    private static final Duration FRESH_FOR = Duration.ofSeconds(1);
    static final Duration DETAILED_AT_MOST_EVERY = Duration.ofSeconds(30);
    /** Near its limits an instance's detailed reading is renewed at least this often. */
    static final Duration WATCHED_DETAILED_AT_MOST_EVERY = Duration.ofSeconds(5);
    /**
     * How long the watch keeps the list of an instance's processes far under its limits while
     * none of them ends; near them (the bound over half of the lowest), the list is made anew at
     * every reading, so a worker forked meanwhile is counted.
     */
    static final Duration WATCHED_PROCESSES_FOR = Duration.ofSeconds(30);
    static final int RESIDENT_CHANGE_PERCENT = 5;

    /** What the instance's processes cost now, and the most they cost since the main process started; 0 and 0 when none runs. */
    record Reading(long bytes, long peakBytes) {
        static final Reading NONE = new Reading(0, 0);
    }

    /** Where the figures come from: /proc, or a test's own counts. */
    interface Meter extends AutoCloseable {
        /** The instance's processes through files kept open for the next reading: the watch's. */
        List<Long> processesKept(long pid, Path cgroup);

        /** The instance's processes read once, keeping nothing open: a status read's. */
        List<Long> processesOnce(long pid, Path cgroup);

        /** The resident size through files kept open for the next reading: the watch's, again and again. */
        ResidentSizes.Reading resident(List<Long> pids);

        /** The resident size read once, keeping nothing open: a status read's, of any site. */
        long residentOnce(List<Long> pids);

        long proportional(List<Long> pids);

        @Override
        void close();
    }

    private record Sample(long pid, Instant at, Reading reading) {}

    /** The last detailed reading, and the resident size it was taken at. */
    private record Detailed(long pid, Instant at, long residentBytes, long bytes) {}

    private record Processes(long pid, Instant at, List<Long> pids) {}

    private final Meter meter;
    /** Guarded by this: two reads at once must not let the lower one overwrite the peak. */
    private Sample last;
    private Detailed detailed;
    private Processes processes;
    /** Whether the last watch found the bound over half of its limit. */
    private boolean near;
    /** Whether the watch has files open for this instance. */
    private boolean keptOpen;
    private long peakPid;
    private long peakBytes;

    MemoryGauge() {
        this(procMeter());
    }

    /** @param meter the cheap reading and the detailed one: a test's own counts what it is asked */
    MemoryGauge(Meter meter) {
        this.meter = meter;
    }

    /**
     * For status: the detailed figure, at most a second old.
     *
     * @param pid    the instance's main process, 0 when none runs
     * @param cgroup the instance's cgroup, null when it has none
     */
    synchronized Reading read(long pid, Path cgroup, Instant now) {
        if (pid == 0) {
            forget();
            return Reading.NONE;
        }
        Sample sample = last;
        if (sample != null && sample.pid() == pid && fresh(sample.at(), now, FRESH_FOR)) return sample.reading();
        List<Long> pids = meter.processesOnce(pid, cgroup);
        processes = new Processes(pid, now, pids);
        long resident = meter.residentOnce(pids);
        return record(pid, now, detailed(pid, now, resident, DETAILED_AT_MOST_EVERY));
    }

    /**
     * For the memory watch: the resident size when it, with {@code swapBytes} added, is under
     * {@code underBytes}; otherwise the detailed figure, renewed as {@link #WATCHED_DETAILED_AT_MOST_EVERY} says.
     *
     * @param swapBytes what the host has in swap: some of it may be the instance's, which the resident size leaves out
     */
    synchronized WatchedMemory watch(long pid, Path cgroup, Instant now, long underBytes, long swapBytes) {
        keptOpen = true;
        List<Long> pids = watchedProcesses(pid, cgroup, now, near ? Duration.ZERO : WATCHED_PROCESSES_FOR);
        long resident = resident(pid, cgroup, now, pids);
        near = (resident + swapBytes) * 2 >= underBytes;
        if (resident + swapBytes < underBytes) return new WatchedMemory(pid, resident, true);
        return new WatchedMemory(pid, record(pid, now, detailed(pid, now, resident, WATCHED_DETAILED_AT_MOST_EVERY)).bytes(), false);
    }

    /** No process runs: the files kept open for reading them are closed. */
    synchronized void forget() {
        processes = null;
        if (!keptOpen) return;
        keptOpen = false;
        meter.close();
    }

    /** The resident size; when a process of the list is gone, the list is made again and read once more. */
    private long resident(long pid, Path cgroup, Instant now, List<Long> pids) {
        ResidentSizes.Reading reading = meter.resident(pids);
        if (!reading.anyGone()) return reading.bytes();
        return meter.resident(watchedProcesses(pid, cgroup, now, Duration.ZERO)).bytes();
    }

    private List<Long> watchedProcesses(long pid, Path cgroup, Instant now, Duration keptFor) {
        Processes known = processes;
        if (known != null && known.pid() == pid && fresh(known.at(), now, keptFor)) return known.pids();
        List<Long> pids = meter.processesKept(pid, cgroup);
        processes = new Processes(pid, now, pids);
        return pids;
    }

    private long detailed(long pid, Instant now, long resident, Duration atMostEvery) {
        Detailed known = detailed;
        if (known != null && known.pid() == pid && fresh(known.at(), now, atMostEvery)
                && Math.abs(resident - known.residentBytes()) * 100 <= RESIDENT_CHANGE_PERCENT * known.residentBytes()) {
            return known.bytes();
        }
        long bytes = meter.proportional(processes.pids());
        detailed = new Detailed(pid, now, resident, bytes);
        return bytes;
    }

    private Reading record(long pid, Instant now, long bytes) {
        if (peakPid != pid) {
            peakPid = pid;
            peakBytes = 0;
        }
        peakBytes = Math.max(peakBytes, bytes);
        Reading reading = new Reading(bytes, peakBytes);
        last = new Sample(pid, now, reading);
        return reading;
    }

    private static boolean fresh(Instant at, Instant now, Duration within) {
        return !now.isBefore(at) && Duration.between(at, now).compareTo(within) < 0;
    }

    private static Meter procMeter() {
        ResidentSizes sizes = new ResidentSizes();
        KeptProcesses kept = new KeptProcesses();
        return new Meter() {
            @Override
            public List<Long> processesKept(long pid, Path cgroup) {
                return kept.read(pid, cgroup);
            }

            @Override
            public List<Long> processesOnce(long pid, Path cgroup) {
                List<Long> inCgroup = cgroup == null ? List.of() : Cgroups.pids(cgroup);
                return inCgroup.isEmpty() ? ProcessMemory.tree(pid) : inCgroup;
            }

            @Override
            public ResidentSizes.Reading resident(List<Long> pids) {
                return sizes.read(pids);
            }

            @Override
            public long residentOnce(List<Long> pids) {
                return ProcessMemory.residentBytes(pids);
            }

            @Override
            public long proportional(List<Long> pids) {
                return ProcessMemory.proportionalBytes(pids);
            }

            @Override
            public void close() {
                sizes.close();
                kept.close();
            }
        };
    }
}
