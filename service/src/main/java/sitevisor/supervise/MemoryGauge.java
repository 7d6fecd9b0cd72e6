package sitevisor.supervise;

import sitevisor.posix.Cgroups;
import sitevisor.posix.ProcessMemory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * What one instance costs the host in memory: the proportional set size and swap share of every
 * process of it the daemon knows — whatever is in its cgroup, else its main process and the
 * processes it forked — so a preforked pool's shared pages count once. Keeps the peak since its
 * main process started.
 * <p>
 * Read when asked, at most once a second: an idle daemon reads nothing. The proportional size costs
 * the kernel a walk of each process's page tables, far dearer than the resident size, so
 * each read takes the cheap resident size, and the detailed one only when the resident size moved
 * by more than {@link #RESIDENT_CHANGE_PERCENT} % since the last detailed reading, or that reading
 * is older than {@link #DETAILED_AT_MOST_EVERY}: pages a pool stops sharing when its workers write
 * them raise the proportional size without moving the resident one.
 */
final class MemoryGauge {
    private static final Duration FRESH_FOR = Duration.ofSeconds(1);
    static final Duration DETAILED_AT_MOST_EVERY = Duration.ofSeconds(30);
    static final int RESIDENT_CHANGE_PERCENT = 5;

    /** What the instance's processes cost now, and the most they cost since the main process started; 0 and 0 when none runs. */
    record Reading(long bytes, long peakBytes) {
        static final Reading NONE = new Reading(0, 0);
    }

    private record Sample(long pid, Instant at, Reading reading) {}

    /** The last detailed reading, and the resident size it was taken at. */
    private record Detailed(long pid, Instant at, long residentBytes, long bytes) {}

    private final ToLongFunction<List<Long>> residentBytes;
    private final ToLongFunction<List<Long>> proportionalBytes;
    /** Guarded by this: two reads at once must not let the lower one overwrite the peak. */
    private Sample last;
    private Detailed detailed;

    MemoryGauge() {
        this(ProcessMemory::residentBytes, ProcessMemory::proportionalBytes);
    }

    /** @param residentBytes the cheap reading, {@code proportionalBytes} the detailed one: a test's own counts what it is asked */
    MemoryGauge(ToLongFunction<List<Long>> residentBytes, ToLongFunction<List<Long>> proportionalBytes) {
        this.residentBytes = residentBytes;
        this.proportionalBytes = proportionalBytes;
    }

    /**
     * @param pid    the instance's main process, 0 when none runs
     * @param cgroup the instance's cgroup, null when it has none
     */
    synchronized Reading read(long pid, Path cgroup, Instant now) {
        if (pid == 0) return Reading.NONE;
        Sample sample = last;
        if (sample != null && sample.pid() == pid && fresh(sample.at(), now, FRESH_FOR)) return sample.reading();
        List<Long> inCgroup = cgroup == null ? List.of() : Cgroups.pids(cgroup);
        List<Long> pids = inCgroup.isEmpty() ? ProcessMemory.tree(pid) : inCgroup;
        long resident = residentBytes.applyAsLong(pids);
        Detailed known = detailed;
        long bytes;
        if (known != null && known.pid() == pid && fresh(known.at(), now, DETAILED_AT_MOST_EVERY)
                && Math.abs(resident - known.residentBytes()) * 100 <= RESIDENT_CHANGE_PERCENT * known.residentBytes()) {
            bytes = known.bytes();
        } else {
            bytes = proportionalBytes.applyAsLong(pids);
            detailed = new Detailed(pid, now, resident, bytes);
        }
        long peak = sample != null && sample.pid() == pid ? Math.max(sample.reading().peakBytes(), bytes) : bytes;
        Reading reading = new Reading(bytes, peak);
        last = new Sample(pid, now, reading);
        return reading;
    }

    private static boolean fresh(Instant at, Instant now, Duration within) {
        return !now.isBefore(at) && Duration.between(at, now).compareTo(within) < 0;
    }
}
