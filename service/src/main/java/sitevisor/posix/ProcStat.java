package sitevisor.posix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code /proc/<pid>/stat} says of a process.
 *
 * @param startTicks the process start time in clock ticks since boot (field 22): with the pid and
 *                   the boot id, what tells this process from a later one that got the same pid
 */
public record ProcStat(long pid, String name, char state, long parentPid, long groupId, long sessionId, long startTicks) {

    public static Optional<ProcStat> read(long pid) {
        String text;
        try {
            text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
        } catch (IOException gone) {
            return Optional.empty();
        }
        return Optional.ofNullable(parse(pid, text));
    }

    /** Parses a stat line; the name may hold spaces and parentheses, so fields are read after the last ')'. */
    static ProcStat parse(long pid, String text) {
        int open = text.indexOf('(');
        int close = text.lastIndexOf(')');
        if (open < 0 || close < open) return null;
        String[] fields = text.substring(close + 2).trim().split(" ");
        if (fields.length < 20) return null;
        try {
            return new ProcStat(pid, text.substring(open + 1, close), fields[0].charAt(0),
                    Long.parseLong(fields[1]), Long.parseLong(fields[2]), Long.parseLong(fields[3]),
                    Long.parseLong(fields[19]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A zombie has exited; it only waits to be reaped and holds nothing. */
    public boolean isZombie() {
        return state == 'Z' || state == 'X';
    }

}
