package sitevisor.posix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * The resident size of a set of processes, read again and again at the cost of one system call
 * per process: each {@code /proc/PID/statm} stays open and is read from its start each time, about
 * a tenth of what opening it anew costs. A file kept open belongs to the process it was opened
 * for: once that process ends, it reads nothing, even when its pid is given to another.
 * Not for concurrent use.
 */
public final class ResidentSizes implements AutoCloseable {
    private static final Path PROC = Path.of("/proc");

    /**
     * @param bytes   the summed resident sizes of the processes that could be read
     * @param anyGone whether some process named was gone: the list it came from is out of date
     */
    public record Reading(long bytes, boolean anyGone) {}

    private final Map<Long, FileChannel> open = new HashMap<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(256);
    private final byte[] text = new byte[256];

    /** Reads these processes; the files of processes not named any more are closed. */
    public Reading read(List<Long> pids) {
        if (!open.keySet().equals(new HashSet<>(pids))) closeAllBut(pids);
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
        FileChannel channel = open.get(pid);
        try {
            if (channel == null) {
                channel = FileChannel.open(PROC.resolve(Long.toString(pid)).resolve("statm"));
                open.put(pid, channel);
            }
            buffer.clear();
            int length = channel.read(buffer, 0);
            if (length <= 0) return gone(pid);
            buffer.flip();
            buffer.get(text, 0, length);
            return ProcessMemory.parseResidentPages(new String(text, 0, length, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return gone(pid);
        }
    }

    private long gone(long pid) {
        FileChannel channel = open.remove(pid);
        closeQuietly(channel);
        return -1;
    }

    private void closeAllBut(List<Long> pids) {
        open.entrySet().removeIf(entry -> {
            if (pids.contains(entry.getKey())) return false;
            closeQuietly(entry.getValue());
            return true;
        });
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException e) {
            // a file of /proc: nothing to flush, nothing lost
        }
    }

    @Override
    public void close() {
        closeAllBut(List.of());
    }
}
