package sitevisor.daemon;

import sitevisor.config.Endpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One daemon per home: an exclusive lock on {@code run/sitevisor.lock}, which also holds the
 * owner's pid for the message a second daemon prints, and, once it listens, where its HTTP agent
 * is, for clients whose config was edited since the daemon started. The kernel drops the lock
 * when its owner dies, also by {@code kill -9}, so there is nothing stale to clean.
 */
public final class DaemonLock implements AutoCloseable {
    private static final String AGENT = "agent ";

    private final FileChannel channel;
    private final FileLock lock;

    private DaemonLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Thrown when another daemon holds the home. */
    public static final class HeldException extends Exception {
        HeldException(String message) {
            super(message);
        }
    }

    public static DaemonLock acquire(Path home) throws IOException, HeldException {
        Path runDir = home.resolve("run");
        Files.createDirectories(runDir);
        Path file = runDir.resolve("sitevisor.lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String owner = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
            channel.close();
            throw new HeldException("another sitevisor daemon" + (owner.isEmpty() ? "" : " (pid " + owner + ")")
                    + " is running on " + home + "; stop it first, or give this one another home");
        }
        DaemonLock held = new DaemonLock(channel, lock);
        held.write(ProcessHandle.current().pid() + "\n");
        return held;
    }

    /** Notes where the HTTP agent listens, beside the pid: the truth about this daemon, whatever the config says now. */
    public void announce(String host, int port) throws IOException {
        write(ProcessHandle.current().pid() + "\n" + AGENT + host + " " + port + "\n");
    }

    private void write(String content) throws IOException {
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(true);
    }

    /** Where the daemon that holds {@code home} now listens, once it has said so; empty when none holds it. */
    public static Optional<Endpoint> agentOf(Path home) {
        if (!isHeld(home)) return Optional.empty();
        try {
            for (String line : Files.readAllLines(home.resolve("run").resolve("sitevisor.lock"), StandardCharsets.UTF_8)) {
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
     * Whether a daemon holds the home now, read from the kernel's table of locks (/proc/locks)
     * without taking the lock: a client that took it, even for an instant, could make a daemon
     * starting at that moment refuse to run.
     */
    public static boolean isHeld(Path home) {
        Path file = home.resolve("run").resolve("sitevisor.lock");
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

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
