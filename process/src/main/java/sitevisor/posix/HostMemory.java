package sitevisor.posix;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The host's memory as the kernel reports it in {@code /proc/meminfo}, and the stall its tasks
 * suffered waiting for memory in {@code /proc/pressure/memory} where the kernel offers it. Both
 * files are {@link KeptFile}s. Not for concurrent use.
 */
public final class HostMemory implements AutoCloseable {
    private static final Path MEMINFO = Path.of("/proc/meminfo");
    private static final Path PRESSURE = Path.of("/proc/pressure/memory");

    /**
     * One reading.
     *
     * @param totalBytes     {@code MemTotal}
     * @param availableBytes {@code MemAvailable}: what can be given to programs without swapping
     * @param swapUsedBytes  {@code SwapTotal - SwapFree}
     * @param stallMicros    the total time some task waited for memory since boot ({@code some total=}); -1 where the kernel does not say
     */
    public record Reading(long totalBytes, long availableBytes, long swapUsedBytes, long stallMicros) {
        public double availablePercent() {
            return totalBytes == 0 ? 100 : availableBytes * 100.0 / totalBytes;
        }
    }

    private final KeptFile meminfo;
    private final KeptFile pressure;
    private boolean pressureOffered;

    /** The host's own files. */
    public HostMemory() {
        this(MEMINFO, PRESSURE);
    }

    /** @param pressure null when no pressure is to be read */
    public HostMemory(Path meminfo, Path pressure) {
        this.meminfo = new KeptFile(meminfo);
        this.pressure = pressure == null ? null : new KeptFile(pressure);
        this.pressureOffered = pressure != null;
    }

    /** Reads both files; empty when {@code /proc/meminfo} cannot be read. */
    public Optional<Reading> read() {
        String info = text(meminfo);
        if (info == null) return Optional.empty();
        long total = kilobytes(info, "MemTotal:");
        long available = kilobytes(info, "MemAvailable:");
        if (total < 0 || available < 0) return Optional.empty();
        long swapTotal = Math.max(0, kilobytes(info, "SwapTotal:"));
        long swapFree = Math.max(0, kilobytes(info, "SwapFree:"));
        long stall = -1;
        if (pressureOffered) {
            String stalls = text(pressure);
            if (stalls == null) {
                pressureOffered = false;
            } else {
                stall = someTotalMicros(stalls);
            }
        }
        return Optional.of(new Reading(total * 1024, available * 1024, Math.max(0, swapTotal - swapFree) * 1024, stall));
    }

    private static String text(KeptFile file) {
        int length = file.read();
        return length <= 0 ? null : new String(file.bytes(), 0, length, StandardCharsets.US_ASCII);
    }

    /** The value of a {@code Name:   123 kB} line, or -1 when there is none. */
    static long kilobytes(String meminfo, String name) {
        int at = meminfo.startsWith(name) ? 0 : meminfo.indexOf("\n" + name);
        if (at < 0) return -1;
        int from = at + (at == 0 ? 0 : 1) + name.length();
        int end = meminfo.indexOf('\n', from);
        String[] fields = meminfo.substring(from, end < 0 ? meminfo.length() : end).trim().split("\\s+");
        try {
            return Long.parseLong(fields[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code total=} of the {@code some} line, in microseconds, or -1. */
    static long someTotalMicros(String pressure) {
        for (String line : pressure.split("\n")) {
            if (!line.startsWith("some ")) continue;
            int at = line.indexOf("total=");
            if (at < 0) return -1;
            try {
                return Long.parseLong(line.substring(at + "total=".length()).trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        meminfo.close();
        if (pressure != null) pressure.close();
    }
}
