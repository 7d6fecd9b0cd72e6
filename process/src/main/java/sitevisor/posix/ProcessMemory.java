package sitevisor.posix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Resident memory of a process and the processes it forked from its main thread, as
 * {@code /proc} reports it: a worker pool (gunicorn, php-fpm, node's cluster) counts with its
 * master. A process that left the tree (daemonized to init) is not counted.
 */
public final class ProcessMemory {
    private static final Path PROC = Path.of("/proc");
    // a fork bomb must not make a status read walk forever
    private static final int MAX_PROCESSES = 1024;

    private ProcessMemory() {}

    /** The summed resident set of the process and its descendants in bytes; 0 when it is gone. */
    public static long residentBytes(long pid) {
        long pages = 0;
        Deque<Long> pending = new ArrayDeque<>();
        Set<Long> seen = new HashSet<>();
        pending.add(pid);
        while (!pending.isEmpty() && seen.size() < MAX_PROCESSES) {
            long next = pending.poll();
            if (!seen.add(next)) continue;
            pages += residentPages(next);
            addChildren(next, pending);
        }
        return pages * Native.pageSizeBytes();
    }

    /** The second field of /proc/PID/statm: resident pages. */
    private static long residentPages(long pid) {
        try {
            return parseResidentPages(Files.readString(PROC.resolve(Long.toString(pid)).resolve("statm"), StandardCharsets.US_ASCII));
        } catch (IOException gone) {
            return 0;
        }
    }

    static long parseResidentPages(String statm) {
        String[] fields = statm.trim().split(" ");
        if (fields.length < 2) return 0;
        try {
            return Long.parseLong(fields[1]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The children the main thread forked. Reading every thread's list would cost a JVM site
     * dozens of reads per sample; servers fork their workers from the main thread.
     */
    private static void addChildren(long pid, Deque<Long> pending) {
        String id = Long.toString(pid);
        String children;
        try {
            children = Files.readString(PROC.resolve(id).resolve("task").resolve(id).resolve("children"), StandardCharsets.US_ASCII);
        } catch (IOException gone) {
            return;
        }
        for (String child : children.trim().split(" ")) {
            if (child.isEmpty()) continue;
            try {
                pending.add(Long.parseLong(child));
            } catch (NumberFormatException e) {
                return;
            }
        }
    }
}
