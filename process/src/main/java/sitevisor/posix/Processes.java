package sitevisor.posix;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the process table from /proc. Nothing here finds a process by its name. */
public final class Processes {
    private static final Path PROC = Path.of("/proc");
    private static final long CLOCK_TICKS_PER_SECOND = Native.LIBC.sysconf(LibC.SC_CLK_TCK);

    private Processes() {}

    /** Every process visible now. Processes that vanish while being read are left out. */
    public static List<ProcStat> all() {
        // names, not Paths, and one buffer for every stat: the scan is syscalls, not garbage
        String[] entries = PROC.toFile().list();
        if (entries == null) throw new IllegalStateException("cannot list /proc");
        List<ProcStat> all = new ArrayList<>(entries.length);
        byte[] buffer = new byte[ProcStat.MAX_LINE_BYTES];
        for (String name : entries) {
            if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
            long pid;
            try {
                pid = Long.parseLong(name);
            } catch (NumberFormatException e) {
                continue;
            }
            ProcStat stat = ProcStat.read(pid, buffer);
            if (stat != null) all.add(stat);
        }
        return all;
    }

    /** When a process started, on the wall clock whose time is {@code now}, from its start time in ticks since boot. */
    public static java.time.Instant startedAt(long startTicks, java.time.Instant now) {
        long agoTicks = Math.max(0, ticksSinceBoot() - startTicks);
        return now.minusMillis(agoTicks * 1000 / CLOCK_TICKS_PER_SECOND);
    }

    /**
     * Now, in the unit and on the clock of a process's start time ({@link ProcStat#startTicks}):
     * clock ticks since boot. A process that starts after this call has a start time no earlier.
     */
    public static long ticksSinceBoot() {
        // "12345.67 23456.78\n", read into a buffer of its size (a stop reads it once per site)
        byte[] buffer = new byte[64];
        int length;
        try {
            length = readSmallFile("/proc/uptime", buffer);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/uptime: " + e.getMessage(), e);
        }
        String uptime = new String(buffer, 0, Math.max(0, length), StandardCharsets.US_ASCII);
        int space = uptime.indexOf(' ');
        if (space < 0) throw new IllegalStateException("/proc/uptime: cannot read '" + uptime.strip() + "'");
        // the seconds since boot, cut (not rounded) to hundredths, as start times are cut to ticks
        long centis = Math.round(Double.parseDouble(uptime.substring(0, space)) * 100);
        return centis * CLOCK_TICKS_PER_SECOND / 100;
    }

    /**
     * The pid the kernel gave out last in our pid namespace, to a process or a thread: the last
     * field of /proc/loadavg ({@code 0.12 0.34 0.56 1/234 5678}). A process started in a nested
     * namespace takes a pid in ours too. -1 when it cannot be read.
     */
    public static long lastStartedPid() {
        byte[] buffer = new byte[128];
        int length;
        try {
            length = readSmallFile("/proc/loadavg", buffer);
        } catch (IOException e) {
            return -1;
        }
        int end = length;
        while (end > 0 && (buffer[end - 1] == '\n' || buffer[end - 1] == ' ')) end--;
        int start = end;
        while (start > 0 && buffer[start - 1] >= '0' && buffer[start - 1] <= '9') start--;
        if (start == end || (start > 0 && buffer[start - 1] != ' ')) return -1;
        long pid = 0;
        for (int i = start; i < end; i++) pid = pid * 10 + (buffer[i] - '0');
        return pid;
    }

    /** What a pid names now, as far as a scan of /proc is concerned. */
    public enum Task {
        /**
         * Nothing in /proc: a task that ended, or one being started (the kernel gives out a pid a
         * moment before the task shows), or one hidden from us
         */
        NONE,
        /** A thread of this process, which is never a site's */
        OWN_THREAD,
        /** A thread of another process, which the scan lists by its process */
        OTHER_THREAD,
        /** A process */
        PROCESS
    }

    /**
     * What the pid names now, from one read of /proc/PID/status, which answers for any task though
     * a listing of /proc shows only processes. This process's own pid is a process.
     */
    public static Task taskOf(long pid) {
        byte[] buffer = new byte[512];
        int length;
        try {
            length = readSmallFile("/proc/" + pid + "/status", buffer);
        } catch (IOException gone) {
            return Task.NONE;
        }
        // "Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\n...": the id of its process
        String head = new String(buffer, 0, Math.max(0, length), StandardCharsets.US_ASCII);
        int at = head.indexOf("\nTgid:");
        int from = at + "\nTgid:".length();
        int end = at < 0 ? -1 : head.indexOf('\n', from);
        long process;
        try {
            process = end < 0 ? pid : Long.parseLong(head.substring(from, end).strip());
        } catch (NumberFormatException e) {
            process = pid; // cannot tell: taken for a process, which is always safe
        }
        if (process == pid) return Task.PROCESS;
        return process == Native.selfPid() ? Task.OWN_THREAD : Task.OTHER_THREAD;
    }

    /** One read of a file of /proc shorter than the buffer; how many bytes it gave. */
    private static int readSmallFile(String file, byte[] buffer) throws IOException {
        try (FileInputStream in = new FileInputStream(file)) {
            return in.read(buffer);
        }
    }

    /** The command line, words joined by spaces, for messages; {@code [name]} for kernel threads and zombies. */
    public static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
            int end = raw.length;
            while (end > 0 && raw[end - 1] == 0) end--;
            if (end > 0) {
                String text = new String(raw, 0, end, StandardCharsets.UTF_8).replace('\0', ' ');
                return text.length() > 200 ? text.substring(0, 200) + "…" : text;
            }
        } catch (IOException gone) {
            // fall through to the name
        }
        return ProcStat.read(pid).map(s -> "[" + s.name() + "]").orElse("gone");
    }

    /**
     * Whether the process's environment holds exactly {@code entry} ({@code NAME=value}). False
     * when it cannot be read (another user's process, or gone).
     */
    public static boolean environmentContains(long pid, String entry) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
        } catch (IOException | SecurityException unreadable) {
            return false;
        }
        byte[] wanted = entry.getBytes(StandardCharsets.UTF_8);
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i == raw.length || raw[i] == 0) {
                if (i - start == wanted.length && regionEquals(raw, start, wanted)) return true;
                start = i + 1;
            }
        }
        return false;
    }

    private static boolean regionEquals(byte[] raw, int offset, byte[] wanted) {
        for (int i = 0; i < wanted.length; i++) {
            if (raw[offset + i] != wanted[i]) return false;
        }
        return true;
    }
}
