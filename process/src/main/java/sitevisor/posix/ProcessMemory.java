package sitevisor.posix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;

/**
 * The memory of a set of processes as {@code /proc} reports it. {@link #proportionalBytes} is
 * what a site costs the host: each process's proportional set size (a page shared by N
 * processes counts 1/N to each, so a preforked pool's shared pages count once across it) plus its
 * share of swap. {@link #residentBytes} is the cheap upper bound: resident pages, a shared page
 * counted in every process that maps it.
 */
public final class ProcessMemory {
    private static final Path PROC = Path.of("/proc");
    // a fork bomb must not make a status read walk forever
    private static final int MAX_PROCESSES = 1024;

    private ProcessMemory() {}

    /** The summed resident sets of these processes in bytes; a gone one counts 0. */
    public static long residentBytes(Collection<Long> pids) {
        long pages = 0;
        for (long pid : pids) pages += residentPages(pid);
        return pages * Native.pageSizeBytes();
    }

    /**
     * The summed proportional set sizes and swap shares of these processes in bytes
     * ({@code Pss} + {@code SwapPss} of {@code /proc/PID/smaps_rollup}); a gone one counts 0. The
     * kernel walks each process's page tables for it, so it costs far more than {@link #residentBytes}.
     */
    public static long proportionalBytes(Collection<Long> pids) {
        long kilobytes = 0;
        for (long pid : pids) {
            try {
                kilobytes += parseProportionalKilobytes(Files.readString(PROC.resolve(Long.toString(pid)).resolve("smaps_rollup"), StandardCharsets.US_ASCII));
            } catch (IOException gone) {
                // ended meanwhile, or not ours to read: it costs the host nothing we may count
            }
        }
        return kilobytes * 1024;
    }

    /** {@code Pss} plus {@code SwapPss} of a {@code smaps_rollup} text, in kB; 0 for a text without them. */
    static long parseProportionalKilobytes(String smapsRollup) {
        long kilobytes = 0;
        for (String line : smapsRollup.split("\n")) {
            if (line.startsWith("Pss:") || line.startsWith("SwapPss:")) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length >= 2) {
                    try {
                        kilobytes += Long.parseLong(fields[1]);
                    } catch (NumberFormatException e) {
                        // a line this version of the kernel writes otherwise: not counted
                    }
                }
            }
        }
        return kilobytes;
    }

    /**
     * The process and the processes it forked from its main thread, and theirs, as far as they
     * are still its descendants: a worker pool (gunicorn, php-fpm, node's cluster) with its master.
     * A process that left the tree (daemonized to init) is not in it; at most 1,024.
     */
    public static List<Long> tree(long pid) {
        return tree(pid, ProcessMemory::readChildren);
    }

    /** {@link #tree}, each process's children as {@code children} reads them: from files opened anew, or kept open. */
    static List<Long> tree(long pid, BiConsumer<Long, LongConsumer> children) {
        Deque<Long> pending = new ArrayDeque<>();
        Set<Long> seen = new LinkedHashSet<>();
        pending.add(pid);
        while (!pending.isEmpty() && seen.size() < MAX_PROCESSES) {
            long next = pending.poll();
            if (!seen.add(next)) continue;
            children.accept(next, pending::add);
        }
        return List.copyOf(seen);
    }

    /** The second field of /proc/PID/statm: resident pages. */
    private static long residentPages(long pid) {
        try {
            byte[] statm = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("statm"));
            return Math.max(0, residentPages(statm, statm.length));
        } catch (IOException gone) {
            return 0;
        }
    }

    static long parseResidentPages(String statm) {
        byte[] text = statm.getBytes(StandardCharsets.US_ASCII);
        return Math.max(0, residentPages(text, text.length));
    }

    /** The second number of a {@code statm} text: resident pages; -1 when it has none. */
    static long residentPages(byte[] text, int length) {
        int i = 0;
        while (i < length && text[i] != ' ') i++;
        long pages = -1;
        for (i++; i < length && text[i] >= '0' && text[i] <= '9'; i++) pages = (pages < 0 ? 0 : pages * 10) + (text[i] - '0');
        return pages;
    }

    /**
     * The children the main thread forked. Reading every thread's list would cost a JVM site
     * dozens of reads per sample; servers fork their workers from the main thread.
     */
    static Path childrenFile(long pid) {
        String id = Long.toString(pid);
        return PROC.resolve(id).resolve("task").resolve(id).resolve("children");
    }

    private static void readChildren(long pid, LongConsumer each) {
        try {
            byte[] children = Files.readAllBytes(childrenFile(pid));
            KeptFile.numbers(children, children.length, each);
        } catch (IOException gone) {
            // ended meanwhile: no children to count
        }
    }
}
