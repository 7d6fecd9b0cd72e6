package sitevisor.posix;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What {@code /proc/<pid>/stat} says of a process.
 *
 * @param startTicks the process start time in clock ticks since boot (field 22): with the pid and
 *                   the boot id, what tells this process from a later one that got the same pid
 */
public record ProcStat(long pid, String name, char state, long parentPid, long groupId, long sessionId, long startTicks) {

    /** Room for the longest stat line: a name of at most 15 bytes and 52 numbers of at most 20 digits. */
    static final int MAX_LINE_BYTES = 4096;
    /** Room for the usual line, about 300 bytes: a stop reads a few per site, with hundreds of sites stopping at once. */
    static final int USUAL_LINE_BYTES = 512;
    private static final int PARENT_FIELD = 1, GROUP_FIELD = 2, SESSION_FIELD = 3, START_FIELD = 19;

    public static Optional<ProcStat> read(long pid) {
        return Optional.ofNullable(read(pid, USUAL_LINE_BYTES));
    }

    /** Reads into a buffer of this size, and again into one of {@link #MAX_LINE_BYTES} only when the line fills it. */
    static ProcStat read(long pid, int firstTryBytes) {
        byte[] buffer = new byte[firstTryBytes];
        int length = readInto(pid, buffer);
        if (length == buffer.length && buffer.length < MAX_LINE_BYTES) return read(pid, new byte[MAX_LINE_BYTES]);
        return parseRead(pid, buffer, length);
    }

    /**
     * The process's stat, read into {@code buffer} ({@link #MAX_LINE_BYTES}, reused by a caller that reads
     * every process); null when the process is gone. One open, one read, one close, and no text
     * made but the name: a scan of /proc reads this for every process on the machine.
     */
    static ProcStat read(long pid, byte[] buffer) {
        return parseRead(pid, buffer, readInto(pid, buffer));
    }

    /** What {@link #readInto} gave: null when the process was gone or the line did not fit the buffer. */
    private static ProcStat parseRead(long pid, byte[] buffer, int length) {
        return length <= 0 || length == buffer.length ? null : parse(pid, buffer, length);
    }

    /** How many bytes of the stat line were read into the buffer; -1 when the process is gone. */
    private static int readInto(long pid, byte[] buffer) {
        try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
            return in.read(buffer);
        } catch (IOException gone) {
            return -1;
        }
    }

    /** Parses a stat line; the name may hold spaces and parentheses, so fields are read after the last ')'. */
    static ProcStat parse(long pid, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return parse(pid, bytes, bytes.length);
    }

    private static ProcStat parse(long pid, byte[] line, int length) {
        int open = -1;
        int close = -1;
        for (int i = 0; i < length; i++) {
            if (line[i] == '(' && open < 0) open = i;
            else if (line[i] == ')') close = i;
        }
        // after ") ": the state (field 0), then numbers separated by single spaces
        int at = close + 2;
        if (open < 0 || close < open || at >= length) return null;
        char state = (char) line[at];
        long parent = -1, group = -1, session = -1, start = -1;
        int field = 0;
        for (int i = at; i < length && field <= START_FIELD; i++) {
            if (line[i] != ' ') continue;
            field++;
            if (field != PARENT_FIELD && field != GROUP_FIELD && field != SESSION_FIELD && field != START_FIELD) continue;
            long value = 0;
            int digits = 0;
            while (i + 1 < length && line[i + 1] >= '0' && line[i + 1] <= '9') {
                value = value * 10 + (line[++i] - '0');
                digits++;
            }
            if (digits == 0) return null;
            switch (field) {
                case PARENT_FIELD -> parent = value;
                case GROUP_FIELD -> group = value;
                case SESSION_FIELD -> session = value;
                default -> start = value;
            }
        }
        if (start < 0) return null;
        return new ProcStat(pid, new String(line, open + 1, close - open - 1, StandardCharsets.UTF_8), state, parent, group, session, start);
    }

    /** A zombie has exited; it only waits to be reaped and holds nothing. */
    public boolean isZombie() {
        return state == 'Z' || state == 'X';
    }

}
