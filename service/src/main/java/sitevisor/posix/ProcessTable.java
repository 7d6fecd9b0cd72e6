package sitevisor.posix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The process table for many callers at once. When hundreds of instances stop together each
 * needs a look at every process: one scan of /proc that began after a caller asked serves every
 * caller waiting then, and a process's marker is read from its environment once in its life, not
 * once per instance that looks. A caller never gets a table older than its question.
 */
public final class ProcessTable {
    private static final Path PROC = Path.of("/proc");

    /** A process, told from a later one with the same pid by its start time. */
    private record Key(long pid, long startTicks) {}

    private final String markerPrefix;
    private final Supplier<List<ProcStat>> scan;
    private final Object lock = new Object();
    private final Map<Key, String> markers = new ConcurrentHashMap<>();
    private List<ProcStat> latest = List.of();
    private long latestBeganNanos;
    private boolean haveLatest;
    private boolean scanning;
    private long scanBeganNanos;

    /** @param markerVariable the environment variable whose value {@link #markerOf} reads */
    public ProcessTable(String markerVariable) {
        this(markerVariable, Processes::all);
    }

    /** @param scan reads every process: {@link Processes#all}, or a test's stand-in that watches when scans happen */
    public ProcessTable(String markerVariable, Supplier<List<ProcStat>> scan) {
        this.markerPrefix = markerVariable + "=";
        this.scan = scan;
    }

    /** Every process, as a scan that began after this call saw it. */
    public List<ProcStat> now() {
        long asked = System.nanoTime();
        long began;
        synchronized (lock) {
            while (true) {
                if (haveLatest && latestBeganNanos - asked >= 0) return latest;
                if (!scanning) break;
                // a scan under way that began after the question will answer it; one that began
                // before may have missed a process forked since: wait for it, then scan again
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return scan.get(); // not waiting any more: a table of its own, as fresh as any
                }
            }
            scanning = true;
            began = System.nanoTime();
            scanBeganNanos = began;
        }
        List<ProcStat> table = null;
        try {
            table = scan.get();
            return table;
        } finally {
            synchronized (lock) {
                if (table != null) {
                    latest = table;
                    latestBeganNanos = began;
                    haveLatest = true;
                }
                scanning = false;
                lock.notifyAll();
            }
            if (table != null) forgetEnded(table);
        }
    }

    /** The value of the marker variable in the process's environment; empty when it has none or it cannot be read. */
    public String markerOf(ProcStat process) {
        return markers.computeIfAbsent(new Key(process.pid(), process.startTicks()), key -> readMarker(key.pid()));
    }

    private String readMarker(long pid) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
        } catch (IOException | SecurityException unreadable) {
            return "";
        }
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i == raw.length || raw[i] == 0) {
                String entry = new String(raw, start, i - start, StandardCharsets.UTF_8);
                if (entry.startsWith(markerPrefix)) return entry.substring(markerPrefix.length());
                start = i + 1;
            }
        }
        return "";
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
