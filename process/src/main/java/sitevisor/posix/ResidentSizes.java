package sitevisor.posix;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The resident size of a set of processes, read again and again at the cost of one system call
 * per process: each {@code /proc/PID/statm} is a {@link KeptFile}, so a process that ended reads
 * as gone even when its pid went to another. Not for concurrent use.
 */
public final class ResidentSizes implements AutoCloseable {
    private static final Path PROC = Path.of("/proc");

    /**
     * @param bytes   the summed resident sizes of the processes that could be read
     * @param anyGone whether some process named was gone: the list it came from is out of date
     */
    public record Reading(long bytes, boolean anyGone) {}

    private final Map<Long, KeptFile> open = new HashMap<>();

    /** Reads these processes; the files of processes not named any more are closed. */
    public Reading read(List<Long> pids) {
        if (open.size() != pids.size() || !open.keySet().containsAll(pids)) KeptFile.closeAllBut(open, new HashSet<>(pids));
        long pages = 0;
        boolean anyGone = false;
        for (long pid : pids) {
            long read = residentPages(pid);
            if (read < 0) {
                anyGone = true;
            } else {
                pages += read;
            }
        }
        return new Reading(pages * Native.pageSizeBytes(), anyGone);
    }

    /** The resident pages of the process, or -1 when it is gone or cannot be read. */
    private long residentPages(long pid) {
        KeptFile statm = open.computeIfAbsent(pid, p -> new KeptFile(PROC.resolve(Long.toString(p)).resolve("statm")));
        int length = statm.read();
        if (length <= 0) {
            open.remove(pid).close();
            return -1;
        }
        return ProcessMemory.residentPages(statm.bytes(), length);
    }

    @Override
    public void close() {
        KeptFile.closeAllBut(open, Set.of());
    }
}
