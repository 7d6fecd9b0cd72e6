package sitevisor.logs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.config.LogPolicy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the sites' log files within their size by copy-truncate rotation.
 *
 * <p>A site writes its stdout and stderr straight into a file the daemon opened for it with
 * {@code O_APPEND}, so the site never blocks or dies when the daemon is gone. The site keeps that
 * file descriptor for its whole life, which rules out rename-and-reopen: once a file grows past
 * {@link LogPolicy#maxSizeBytes()}, {@code name.log.k} becomes {@code name.log.(k+1)} (the oldest
 * beyond {@link LogPolicy#backups()} is deleted), the content is copied to {@code name.log.1} and
 * the file is truncated to 0, after which the site's appends continue at the new end. With no
 * backups the file is only truncated.
 *
 * <p>Costs nothing while the sites are quiet: one {@link WatchService} (inotify on Linux) watches
 * the directories of the registered files, and a single daemon thread, {@code log-rotator}, looks
 * at a file's size only when the kernel reports the file modified.
 */
public final class LogRotator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogRotator.class);

    /** After a failed rotation, writes to that file do not trigger another try for this long. */
    static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(30);

    // Each pass copies what the site appended during the previous one, and the truncate must follow
    // a look that found nothing new: a quiet site needs two passes, one writing flat out a few
    // more (a pass stalled by the scheduler leaves a bigger delta), and past this it is cut off
    // rather than chased forever.
    private static final int MAX_COPY_PASSES = 16;
    // rotations in a row for one report; a writer that keeps the file past its limit longer than
    // that is taken up again at its next report
    private static final int MAX_ROUNDS = 64;

    private final Clock clock;
    private final WatchService watchService;
    private final Thread thread;
    private final Map<Path, Watched> watched = new ConcurrentHashMap<>();
    private final Object registrationLock = new Object();
    private final Map<Path, WatchKey> directories = new HashMap<>(); // guarded by registrationLock
    private volatile boolean closed;

    private static final class Watched {
        final Path file;
        volatile LogPolicy policy;
        Instant retryAfter = Instant.MIN; // guarded by this; also serialises rotations of one file

        Watched(Path file, LogPolicy policy) {
            this.file = file;
            this.policy = policy;
        }
    }

    /**
     * Opens the watch service and starts the {@code log-rotator} thread.
     *
     * @throws IOException when the platform gives no watch service (e.g. inotify instances used up)
     */
    public LogRotator() throws IOException {
        this(Clock.systemUTC());
    }

    LogRotator(Clock clock) throws IOException {
        this.clock = clock;
        this.watchService = FileSystems.getDefault().newWatchService();
        this.thread = new Thread(this::run, "log-rotator");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts keeping {@code logFile} within {@code policy}, and rotates it at once if it is already
     * past the limit (a failure of that first rotation is logged, like any later one). Watching a
     * file again only replaces its policy.
     *
     * @param logFile a file in an existing directory; the file itself need not exist yet
     * @throws IOException              when the file's directory cannot be watched
     * @throws IllegalArgumentException when the policy's size is not positive or its backups negative
     * @throws IllegalStateException    after {@link #close()}
     */
    public void watch(Path logFile, LogPolicy policy) throws IOException {
        Objects.requireNonNull(policy, "policy");
        if (policy.maxSizeBytes() <= 0 || policy.backups() < 0) {
            throw new IllegalArgumentException("log policy for %s: maxSize must be positive and backups at least 0, got %s"
                    .formatted(logFile, policy));
        }
        Path file = key(logFile);
        Path directory = file.getParent();
        Watched entry;
        synchronized (registrationLock) {
            if (closed) throw new IllegalStateException("log rotator is closed; cannot watch " + file);
            WatchKey watchKey = directories.get(directory);
            if (watchKey == null || !watchKey.isValid()) {
                directories.put(directory, directory.register(watchService, StandardWatchEventKinds.ENTRY_MODIFY));
            }
            entry = watched.computeIfAbsent(file, f -> new Watched(f, policy));
            entry.policy = policy;
        }
        check(entry);
    }

    /**
     * Stops rotating {@code logFile}; its directory is no longer watched once no registered file is
     * left in it. A no-op for a file that is not watched.
     */
    public void unwatch(Path logFile) {
        Path file = key(logFile);
        synchronized (registrationLock) {
            if (watched.remove(file) == null) return;
            Path directory = file.getParent();
            boolean directoryStillUsed = watched.keySet().stream().anyMatch(f -> directory.equals(f.getParent()));
            if (!directoryStillUsed) {
                WatchKey watchKey = directories.remove(directory);
                if (watchKey != null) watchKey.cancel();
            }
        }
    }

    /**
     * Rotates {@code logFile} if it is past its policy's size; what the watch thread calls on every
     * reported change. Blocks while the file is copied. A no-op for a file that is not watched, that
     * does not exist, or that is within its limit.
     *
     * @throws IOException when moving a backup, copying or truncating fails; the live file is then
     *                     left as it was
     */
    public void rotateIfNeeded(Path logFile) throws IOException {
        Watched entry = watched.get(key(logFile));
        if (entry == null) return;
        synchronized (entry) {
            rotate(entry.file, entry.policy);
            entry.retryAfter = Instant.MIN;
        }
    }

    /** Stops the watch thread, waiting for a rotation in progress to finish. Idempotent. */
    @Override
    public void close() {
        synchronized (registrationLock) {
            if (closed) return;
            closed = true;
            watched.clear();
            directories.clear();
        }
        try {
            watchService.close();
        } catch (IOException e) {
            log.warn("close failed: log rotator watch service: {}", describe(e, null));
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (true) {
            WatchKey watchKey;
            try {
                watchKey = watchService.take();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            }
            try {
                handle(watchKey);
            } catch (RuntimeException e) {
                // A bug must not end rotation for every site; the next event gets a fresh try.
                log.error("watch failed: log rotator: {}", e.toString(), e);
            }
        }
    }

    private void handle(WatchKey watchKey) {
        Path directory = (Path) watchKey.watchable();
        // A busy site reports many modifications per wake-up; each file is looked at once.
        Set<Watched> modified = new LinkedHashSet<>();
        boolean overflowed = false;
        for (WatchEvent<?> event : watchKey.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                overflowed = true;
            } else if (event.context() instanceof Path name) {
                Watched entry = watched.get(directory.resolve(name));
                if (entry != null) modified.add(entry);
            }
        }
        if (!watchKey.reset()) {
            // The directory is gone; a later watch() of a file in it registers it again.
            synchronized (registrationLock) {
                directories.remove(directory, watchKey);
            }
        }
        // Events were dropped, so any file may have grown unseen.
        if (overflowed) modified.addAll(watched.values());
        for (Watched entry : modified) check(entry);
    }

    private void check(Watched entry) {
        synchronized (entry) {
            Instant now = clock.instant();
            if (now.isBefore(entry.retryAfter)) return;
            try {
                rotate(entry.file, entry.policy);
                entry.retryAfter = Instant.MIN;
            } catch (IOException | RuntimeException e) {
                // A full disk or a wrong permission would fail again on each of a busy site's
                // writes, so the next try waits a little.
                entry.retryAfter = now.plus(RETRY_AFTER_FAILURE);
                log.warn("rotate failed: {}: {}; next try on a write after {}s",
                        entry.file, describe(e, entry.file), RETRY_AFTER_FAILURE.toSeconds());
            }
        }
    }

    /**
     * Rotates while the file is past its limit: a site writing faster than a rotation copies has
     * grown it again by the time one ends, and waiting for the next report would let it grow more.
     */
    private static void rotate(Path file, LogPolicy policy) throws IOException {
        for (int round = 0; round < MAX_ROUNDS && rotateOnce(file, policy); round++) {
            // again at once
        }
    }

    /** One rotation if the file is past its limit; whether it did one. */
    private static boolean rotateOnce(Path file, LogPolicy policy) throws IOException {
        long sizeBytes;
        try {
            sizeBytes = Files.size(file);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (sizeBytes <= policy.maxSizeBytes()) return false;

        if (policy.backups() == 0) {
            try (FileChannel live = FileChannel.open(file, StandardOpenOption.WRITE)) {
                live.truncate(0);
            }
            log.info("rotated: {} (truncated at {} bytes, no backups kept)", file, sizeBytes);
            return true;
        }

        // Also drops backups beyond the limit left by a policy that used to keep more.
        int oldest = policy.backups();
        while (Files.deleteIfExists(backup(file, oldest))) oldest++;
        for (int k = policy.backups() - 1; k >= 1; k--) {
            Path older = backup(file, k);
            if (Files.exists(older)) {
                Files.move(older, backup(file, k + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Copied copied = copyThenTruncate(file, backup(file, 1), policy.maxSizeBytes());
        if (copied.droppedBytes() == 0) {
            log.info("rotated: {} ({} bytes to {})", file, copied.keptBytes(), backup(file, 1).getFileName());
        } else {
            log.warn("rotated: {} ({} bytes to {}); dropped {} bytes the site wrote faster than its log could rotate",
                    file, copied.keptBytes(), backup(file, 1).getFileName(), copied.droppedBytes());
        }
        return true;
    }

    /** What a rotation kept in the first backup, and what it let go of to stay within the limit. */
    record Copied(long keptBytes, long droppedBytes) {}

    /**
     * Copies the live file to {@code first} and empties it. The site keeps writing throughout, so
     * the copy is repeated for what it appended meanwhile until a look at the size finds nothing
     * new, and the truncate follows that look at once. What the site writes between that last look
     * and the truncate is lost: microseconds' worth, unless the scheduler takes the CPU from this
     * thread inside the window (a site writing flat out on a saturated machine can then lose a
     * few milliseconds of output). A write caught half-done (one crossing a page boundary) leaves
     * a torn last line in the backup. No system call reads and empties a file atomically; Linux's
     * FALLOC_FL_COLLAPSE_RANGE would remove the copied blocks under the inode lock and lose
     * nothing, but needs block-aligned lengths, ext4 or XFS, and native code.
     */
    static Copied copyThenTruncate(Path file, Path first, long maxSizeBytes) throws IOException {
        try (FileChannel live = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileChannel copy = FileChannel.open(first, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            // a site that wrote a quarter more than the limit since the last rotation outran it:
            // its last maxSize bytes are kept, from a line's start, and no backup gets bigger than
            // the limit and a quarter, so no rotation takes longer than copying that much
            long capBytes = maxSizeBytes + maxSizeBytes / 4;
            long fromBytes = 0;
            long sizeBytes = live.size();
            if (sizeBytes > capBytes) {
                fromBytes = nextLineStart(live, sizeBytes - maxSizeBytes);
                // one line longer than the limit: its end, cut
                if (fromBytes >= sizeBytes) fromBytes = sizeBytes - maxSizeBytes;
            }
            long endBytes = fromBytes;
            for (int pass = 0; pass < MAX_COPY_PASSES; pass++) {
                long upToBytes = Math.min(live.size(), fromBytes + capBytes);
                if (upToBytes <= endBytes) break;
                endBytes += transfer(live, endBytes, upToBytes - endBytes, copy);
            }
            long truncatedAtBytes = live.size();
            live.truncate(0);
            // what the last look to the truncate lets slip is the price of copy-truncate, said
            // above; what counts as dropped is what was let go of to keep within the limit
            boolean capped = fromBytes > 0 || endBytes - fromBytes >= capBytes;
            return new Copied(endBytes - fromBytes, capped ? Math.max(0, truncatedAtBytes - (endBytes - fromBytes)) : 0);
        } catch (IOException | RuntimeException e) {
            // Without the truncate the live file still holds everything; a partial first backup
            // would only repeat part of it in the backups after the next rotation.
            try {
                Files.deleteIfExists(first);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** Where the first line that starts at or after {@code positionBytes} begins; the file's size when none does. */
    private static long nextLineStart(FileChannel live, long positionBytes) throws IOException {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(8192);
        long at = positionBytes - 1;
        while (true) {
            buffer.clear();
            int n = live.read(buffer, at);
            if (n <= 0) return live.size();
            for (int i = 0; i < n; i++) if (buffer.get(i) == '\n') return at + i + 1;
            at += n;
        }
    }

    private static long transfer(FileChannel from, long positionBytes, long countBytes, FileChannel to) throws IOException {
        long doneBytes = 0;
        while (doneBytes < countBytes) {
            long n = from.transferTo(positionBytes + doneBytes, countBytes - doneBytes, to);
            if (n <= 0) break; // the file shrank under us (someone else truncated it): copy what there was
            doneBytes += n;
        }
        return doneBytes;
    }

    private static Path backup(Path file, int k) {
        return file.resolveSibling(file.getFileName() + "." + k);
    }

    private static Path key(Path logFile) {
        return logFile.toAbsolutePath().normalize();
    }

    /** The reason an operator can act on, e.g. {@code No space left on device}, naming the file when it is not {@code subject}. */
    private static String describe(Exception e, Path subject) {
        if (e instanceof FileSystemException fse) {
            String reason = fse.getReason() != null ? fse.getReason()
                    : e instanceof AccessDeniedException ? "Permission denied"
                    : e instanceof NoSuchFileException ? "No such file or directory"
                    : e instanceof DirectoryNotEmptyException ? "Directory not empty"
                    : e.getClass().getSimpleName();
            String other = fse.getOtherFile() == null ? "" : " -> " + fse.getOtherFile();
            boolean aboutSubject = fse.getFile() == null || (subject != null && subject.toString().equals(fse.getFile()) && other.isEmpty());
            return aboutSubject ? reason : fse.getFile() + other + ": " + reason;
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
