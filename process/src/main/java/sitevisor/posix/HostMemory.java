package sitevisor.posix;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The host's memory as the kernel reports it in {@code /proc/meminfo}, and the stall its tasks
 * suffered waiting for memory in {@code /proc/pressure/memory} where the kernel offers it. Both
 * files are {@link KeptFile}s, and {@code meminfo} is read from its bytes: it is read every
 * second. Not for concurrent use.
 */
public final class HostMemory implements AutoCloseable {
    private static final Path MEMINFO = Path.of("/proc/meminfo");
    private static final Path PRESSURE = Path.of("/proc/pressure/memory");
    private static final byte[] TOTAL = "MemTotal:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AVAILABLE = "MemAvailable:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SWAP_TOTAL = "SwapTotal:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SWAP_FREE = "SwapFree:".getBytes(StandardCharsets.US_ASCII);

    /**
     * One reading of {@code /proc/meminfo}.
     *
     * @param totalBytes     {@code MemTotal}
     * @param availableBytes {@code MemAvailable}: what can be given to programs without swapping
     * @param swapUsedBytes  {@code SwapTotal - SwapFree}
     */
    public record Reading(long totalBytes, long availableBytes, long swapUsedBytes) {
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

    /** Reads {@code /proc/meminfo}; empty when it cannot be read, or lacks the figures (a file being rewritten). */
    public Optional<Reading> read() {
        int length = meminfo.read();
        if (length <= 0) return Optional.empty();
        byte[] text = meminfo.bytes();
        long total = kilobytes(text, length, TOTAL);
        long available = kilobytes(text, length, AVAILABLE);
        if (total < 0 || available < 0) return Optional.empty();
        long swapUsed = Math.max(0, kilobytes(text, length, SWAP_TOTAL)) - Math.max(0, kilobytes(text, length, SWAP_FREE));
        return Optional.of(new Reading(total * 1024, available * 1024, Math.max(0, swapUsed) * 1024));
    }

    /**
     * The total time some task waited for memory since boot, in microseconds ({@code some total=}
     * of {@code /proc/pressure/memory}); -1 where the kernel does not say. Read only when the
     * host is short: it confirms a shortage, nothing else.
     */
    public long stallMicros() {
        if (!pressureOffered) return -1;
        int length = pressure.read();
        if (length <= 0) {
            pressureOffered = false;
            return -1;
        }
        return someTotalMicros(new String(pressure.bytes(), 0, length, StandardCharsets.US_ASCII));
    }

    /** The value of a {@code Name:   123 kB} line at the start of a line, or -1 when there is none. */
    static long kilobytes(byte[] text, int length, byte[] name) {
        for (int line = 0; line < length; ) {
            if (startsWith(text, line, length, name)) {
                long value = -1;
                for (int i = line + name.length; i < length && text[i] != '\n'; i++) {
                    byte b = text[i];
                    if (b >= '0' && b <= '9') {
                        value = (value < 0 ? 0 : value * 10) + (b - '0');
                    } else if (value >= 0) {
                        break;
                    }
                }
                return value;
            }
            while (line < length && text[line] != '\n') line++;
            line++;
        }
        return -1;
    }

    private static boolean startsWith(byte[] text, int at, int length, byte[] name) {
        if (at + name.length > length) return false;
        for (int i = 0; i < name.length; i++) if (text[at + i] != name[i]) return false;
        return true;
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
