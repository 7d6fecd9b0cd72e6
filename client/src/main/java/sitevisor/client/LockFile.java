package sitevisor.client;

import sitevisor.config.file.Endpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads what a running daemon says of itself in {@code home/run/sitevisor.lock}: whether one holds
 * the home, and where its HTTP agent listens once it has said so (a line {@code agent HOST PORT}
 * after its pid). The daemon writes the file ({@code sitevisor.daemon.DaemonLock}); the client only
 * reads it, and never takes the lock: a client that took it, even for an instant, could make a
 * daemon starting at that moment refuse to run. DaemonLockTest, in the daemon's module, holds the
 * writer and this reader to one format.
 */
public final class LockFile {
    private static final String AGENT = "agent ";

    private LockFile() {}

    /** The lock file of the daemon of {@code home}. */
    static Path of(Path home) {
        return home.resolve("run").resolve("sitevisor.lock");
    }

    /** Where the daemon that holds {@code home} now listens, once it has said so; empty when none holds it. */
    public static Optional<Endpoint> agentOf(Path home) {
        if (!isHeld(home)) return Optional.empty();
        try {
            for (String line : Files.readAllLines(of(home), StandardCharsets.UTF_8)) {
                if (!line.startsWith(AGENT)) continue;
                String[] hostAndPort = line.substring(AGENT.length()).trim().split(" ");
                if (hostAndPort.length == 2 && hostAndPort[1].matches("\\d{1,5}")) {
                    return Optional.of(new Endpoint(hostAndPort[0], Integer.parseInt(hostAndPort[1])));
                }
            }
        } catch (IOException unreadable) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * Whether a daemon holds {@code home} now, read from the kernel's table of locks (/proc/locks)
     * without taking the lock. The kernel drops the lock when its owner dies, also by
     * {@code kill -9}, so a file left behind never reads as held.
     */
    public static boolean isHeld(Path home) {
        Path file = of(home);
        long inode;
        long device;
        try {
            inode = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
            device = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
        } catch (IOException | RuntimeException noFileOrNoUnix) {
            return false;
        }
        // glibc's dev_t: the major number in bits 8-19 and 32-43, the minor in bits 0-7 and 20-31
        long major = ((device >>> 8) & 0xfff) | ((device >>> 32) & ~0xfffL);
        long minor = (device & 0xff) | ((device >>> 12) & ~0xffL);
        String wanted = String.format("%02x:%02x:%d", major, minor, inode);
        try {
            // "1: POSIX  ADVISORY  WRITE 4242 fe:00:328261 0 EOF"; a waiting lock's line starts with "->"
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 5 && !fields[1].equals("->") && fields[5].equals(wanted)) return true;
            }
        } catch (IOException unreadable) {
            return false;
        }
        return false;
    }
}
