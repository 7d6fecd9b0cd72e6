package sitevisor.posix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Who a process is, beyond its pid: pids are recycled within minutes, so a pid alone names
 * nothing. The same pid, start time and boot is the same process.
 */
public record ProcessIdentity(long pid, long startTicks, String bootId) {

    private static final String BOOT_ID = readBootId();

    /** The identity of the live process with this pid, if there is one. */
    public static Optional<ProcessIdentity> of(long pid) {
        return ProcStat.read(pid).map(stat -> new ProcessIdentity(pid, stat.startTicks(), BOOT_ID));
    }

    public static String currentBootId() {
        return BOOT_ID;
    }

    /** Why this identity no longer names a live process, or empty when it still does. */
    public Optional<String> whyStale() {
        if (!bootId.equals(BOOT_ID)) return Optional.of("it was written before the machine rebooted");
        Optional<ProcStat> now = ProcStat.read(pid);
        if (now.isEmpty()) return Optional.of("process " + pid + " is gone");
        if (now.get().startTicks() != startTicks) {
            return Optional.of("pid " + pid + " now belongs to another process (" + Processes.commandLine(pid) + ")");
        }
        if (now.get().isZombie()) return Optional.of("process " + pid + " has exited");
        return Optional.empty();
    }

    public boolean isAlive() {
        return whyStale().isEmpty();
    }

    private static String readBootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
