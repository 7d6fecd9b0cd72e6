package sitevisor.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One daemon per home: an exclusive lock on {@code run/sitevisor.lock}, which also holds the
 * owner's pid for the message a second daemon prints, and, once it listens, where its HTTP agent
 * is, for clients whose config was edited since the daemon started. The kernel drops the lock
 * when its owner dies, also by {@code kill -9}, so there is nothing stale to clean.
 *
 * <p>Clients read the file with {@code sitevisor.client.LockFile}, which never takes the lock;
 * DaemonLockTest holds this writer and that reader to one format.
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

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
