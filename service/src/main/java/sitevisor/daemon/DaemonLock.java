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
 * owner's pid for the message a second daemon prints. The kernel drops the lock when its owner
 * dies, also by {@code kill -9}, so there is nothing stale to clean.
 */
public final class DaemonLock implements AutoCloseable {
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
            String owner = Files.readString(file, StandardCharsets.UTF_8).trim();
            channel.close();
            throw new HeldException("another sitevisor daemon" + (owner.isEmpty() ? "" : " (pid " + owner + ")")
                    + " is running on " + home + "; stop it first, or give this one another home");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(true);
        return new DaemonLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
