package sitevisor.posix;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What {@code /proc/<pid>/stat} says of a process.
 *
 * @param flags      the kernel's flags for the task (field 9): whether it is a kernel thread, or
 *                   on its way out
 * @param startTicks the process start time in clock ticks since boot (field 22): with the pid and
 *                   the boot id, what tells this process from a later one that got the same pid
 */
public record ProcStat(long pid, String name, char state, long parentPid, long groupId, long sessionId, long flags, long startTicks) {

    /** Room for the longest stat line: a name of at most 15 bytes and 52 numbers of at most 20 digits. */
    static final int MAX_LINE_BYTES = 4096;
    /** Room for the usual line, about 300 bytes: a stop reads a few per site, with hundreds of sites stopping at once. */
    static final int USUAL_LINE_BYTES = 512;
    /** Field positions counted from the state, field 3: the parent is field 4, the start time field 22. */
    private static final int PARENT_FIELD = 1, GROUP_FIELD = 2, SESSION_FIELD = 3, FLAGS_FIELD = 6, START_FIELD = 19,
            ENVIRONMENT_START_FIELD = 47, ENVIRONMENT_END_FIELD = 48;
    private static final int[] SCANNED_FIELDS = {PARENT_FIELD, GROUP_FIELD, SESSION_FIELD, FLAGS_FIELD, START_FIELD};
    private static final int[] ENVIRONMENT_FIELDS = {PARENT_FIELD, GROUP_FIELD, SESSION_FIELD, FLAGS_FIELD, START_FIELD,
            ENVIRONMENT_START_FIELD, ENVIRONMENT_END_FIELD};
    /** PF_EXITING: the task has begun to exit; its memory may already be gone. */
    private static final long EXITING_FLAG = 0x4;
    /** PF_KTHREAD: a kernel thread, which has no memory, environment or command line of its own. */
    private static final long KERNEL_THREAD_FLAG = 0x200000;

    /**
     * A process with where its environment lies in its memory (fields 50 and 51). Both are 0 while
     * an exec lays out the new program, once the process has given up its memory on the way out,
     * for a kernel thread, and when we may not look into it.
     */
    public record WithEnvironment(ProcStat stat, long environmentStart, long environmentEnd) {
        /** The new program's environment is in place, and it holds nothing. */
        public boolean environmentIsEmpty() {
            return environmentEnd != 0 && environmentStart == environmentEnd;
        }
    }

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
        return isWholeLine(buffer, length) ? parse(pid, buffer, length) : null;
    }

    /** Whether {@link #readInto} gave a whole line: the process was there, and its line fit the buffer. */
    private static boolean isWholeLine(byte[] buffer, int length) {
        return length > 0 && length < buffer.length;
    }

    /** The process with the bounds of its environment; empty when it is gone. */
    public static Optional<WithEnvironment> readWithEnvironment(long pid) {
        byte[] buffer = new byte[MAX_LINE_BYTES];
        int length = readInto(pid, buffer);
        return isWholeLine(buffer, length) ? Optional.ofNullable(parseWithEnvironment(pid, buffer, length)) : Optional.empty();
    }

    static WithEnvironment parseWithEnvironment(long pid, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return parseWithEnvironment(pid, bytes, bytes.length);
    }

    private static WithEnvironment parseWithEnvironment(long pid, byte[] line, int length) {
        long[] values = new long[ENVIRONMENT_FIELDS.length];
        ProcStat stat = parse(pid, line, length, ENVIRONMENT_FIELDS, values);
        return stat == null ? null : new WithEnvironment(stat, values[5], values[6]);
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
        return parse(pid, line, length, SCANNED_FIELDS, new long[SCANNED_FIELDS.length]);
    }

    /** @param fields the positions to read, ascending, beginning with {@link #SCANNED_FIELDS}; their values land in {@code values} */
    private static ProcStat parse(long pid, byte[] line, int length, int[] fields, long[] values) {
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
        int field = 0;
        int wanted = 0;
        for (int i = at; i < length && wanted < fields.length; i++) {
            if (line[i] != ' ') continue;
            if (++field != fields[wanted]) continue;
            long value = 0;
            int digits = 0;
            while (i + 1 < length && line[i + 1] >= '0' && line[i + 1] <= '9') {
                value = value * 10 + (line[++i] - '0');
                digits++;
            }
            if (digits == 0) return null;
            values[wanted++] = value;
        }
        if (wanted < fields.length) return null;
        return new ProcStat(pid, new String(line, open + 1, close - open - 1, StandardCharsets.UTF_8), state,
                values[0], values[1], values[2], values[3], values[4]);
    }

    /** A zombie has exited; it only waits to be reaped and holds nothing. */
    public boolean isZombie() {
        return state == 'Z' || state == 'X';
    }

    /** The process has begun to exit: it runs on only to let go of what it holds. */
    public boolean isExiting() {
        return (flags & EXITING_FLAG) != 0;
    }

    public boolean isKernelThread() {
        return (flags & KERNEL_THREAD_FLAG) != 0;
    }

}
