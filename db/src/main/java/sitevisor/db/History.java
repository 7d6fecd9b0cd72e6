package sitevisor.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * Every event of every site, in an H2 file under the daemon's {@code home/db}. Appending never
 * waits on the disk: one writer thread takes everything queued, writes it in one transaction,
 * commits once and then releases every waiter (group commit), so a burst of events costs a few
 * commits, not one each. A failing database never stops supervision: events wait in a bounded
 * queue, the writer retries with a back-off, and what had to be dropped is counted and recorded
 * once writing works again. Old events are pruned, and the file compacted, in the background.
 */
public final class History implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(History.class);

    /** What {@link #append} returns for an event that was dropped; {@link #awaitCommitted} answers false for it at once. */
    public static final long DROPPED = EventQueue.DROPPED;

    /**
     * Directories open in this process. H2 lets a second connection in the same JVM share the open
     * database instead of refusing it, and two writers would hand out the same ids.
     */
    private static final Set<Path> OPEN_DIRECTORIES = ConcurrentHashMap.newKeySet();

    /** Sizes and times the tests shrink; the daemon uses {@link #DEFAULT}. */
    record Tuning(int queueCapacity, int pruneBatchRows, Duration pruneInterval, Duration compactInterval, Duration closeWait,
                  Duration firstRetry, Duration lastRetry, UnaryOperator<EventSink> sink) {
        static final Tuning DEFAULT = new Tuning(10_000, 10_000, Duration.ofHours(1), Duration.ofMinutes(5), Duration.ofSeconds(5),
                Duration.ofMillis(100), Duration.ofSeconds(5), UnaryOperator.identity());

        Tuning withQueueCapacity(int capacity) {
            return new Tuning(capacity, pruneBatchRows, pruneInterval, compactInterval, closeWait, firstRetry, lastRetry, sink);
        }

        /** @param interval null: no background pruning (tests call {@link History#pruneNow}) */
        Tuning withPruning(int batchRows, Duration interval) {
            return new Tuning(queueCapacity, batchRows, interval, compactInterval, closeWait, firstRetry, lastRetry, sink);
        }

        /** @param interval null: no background compaction (tests call {@link History#compactNow}) */
        Tuning withCompaction(Duration interval) {
            return new Tuning(queueCapacity, pruneBatchRows, pruneInterval, interval, closeWait, firstRetry, lastRetry, sink);
        }

        Tuning withRetries(Duration first, Duration last) {
            return new Tuning(queueCapacity, pruneBatchRows, pruneInterval, compactInterval, closeWait, first, last, sink);
        }

        Tuning withCloseWait(Duration wait) {
            return new Tuning(queueCapacity, pruneBatchRows, pruneInterval, compactInterval, wait, firstRetry, lastRetry, sink);
        }

        Tuning withSink(UnaryOperator<EventSink> wrapper) {
            return new Tuning(queueCapacity, pruneBatchRows, pruneInterval, compactInterval, closeWait, firstRetry, lastRetry, wrapper);
        }
    }

    /** How long one compaction run may take at most; what is left waits for the next run. */
    private static final long COMPACT_BUDGET_MILLIS = 2_000;

    private final Path directory;
    private final HistoryDatabase database;
    /** Quartz's connections to the same file, closed with the history. */
    private final DurableConnections sharedConnections;
    private final Retention retention;
    private final Clock clock;
    private final Tuning tuning;
    private final EventQueue queue;
    private final EventSink sink;
    private final Pruner pruner;
    private final Compactor compactor;
    private final AtomicBoolean compactionFailed = new AtomicBoolean();
    private final Thread writer;
    private final ScheduledExecutorService pruning;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile String lastWriteError = "";
    private volatile long failingSinceMillis;
    /** The next row id; the writer thread's alone once it runs. */
    private long nextId;

    private History(Path directory, HistoryDatabase database, Retention retention, Clock clock, Tuning tuning) throws SQLException {
        this.directory = directory;
        this.database = database;
        this.sharedConnections = database.durableConnections();
        this.retention = retention;
        this.clock = clock;
        this.tuning = tuning;
        this.nextId = database.maxId() + 1;
        this.queue = new EventQueue(tuning.queueCapacity());
        this.sink = tuning.sink().apply(new JdbcEventSink(database));
        this.pruner = new Pruner(database, retention, clock, tuning.pruneBatchRows());
        this.compactor = new Compactor(database);
        this.writer = new Thread(this::writeUntilClosed, "sitevisor-history-writer");
        this.writer.setDaemon(true);
        // pruning and compaction take turns on one thread: both rewrite much of the file
        this.pruning = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "sitevisor-history-maintenance");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Opens (creating if needed) the database in {@code dbDirectory} (the daemon passes home/db),
     * applies the schema, starts the writer, the pruning (at once, then hourly) and the compaction of
     * the file (every 5 minutes).
     *
     * @throws IOException another process holds the database (it is left alone), it was written by a
     *                     newer sitevisor, or it cannot be opened for a reason outside the file (the
     *                     disk); the message names the file. A file that cannot be opened because it
     *                     is damaged is not an error: it is moved aside, logged, reported in
     *                     {@link #health()} and recorded as a WARNING in the fresh history.
     */
    public static History open(Path dbDirectory, Retention retention, Clock clock) throws IOException {
        return open(dbDirectory, retention, clock, Tuning.DEFAULT);
    }

    static History open(Path dbDirectory, Retention retention, Clock clock, Tuning tuning) throws IOException {
        long began = System.nanoTime();
        HistoryDatabase.url(dbDirectory); // refuses a path H2 would misread before anything is created
        Files.createDirectories(dbDirectory);
        Path directory = dbDirectory.toRealPath();
        if (!OPEN_DIRECTORIES.add(directory)) {
            throw new IOException("history database " + directory.resolve(HistoryDatabase.FILE_NAME) + ": already open in this process");
        }
        try {
            HistoryDatabase database = HistoryDatabase.open(directory, clock);
            History history;
            try {
                history = new History(directory, database, retention, clock, tuning);
            } catch (SQLException | RuntimeException e) {
                database.close();
                throw new IOException("history database " + database.file() + ": cannot read the last id: " + HistoryDatabase.firstLine(e), e);
            }
            history.start();
            log.info("opened: history {} in {} ms (keeps {}, at most {} events)", database.file(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), describe(retention.keep()), retention.maxRows());
            return history;
        } catch (IOException | RuntimeException e) {
            OPEN_DIRECTORIES.remove(directory);
            throw e;
        }
    }

    private void start() {
        long warning = 0;
        if (database.movedAsideTo() != null) {
            warning = append(HistoryEvent.storeWarning(clock.millis(), "history: the database file could not be opened ("
                    + database.movedAsideBecause() + "); it was moved to " + database.movedAsideTo() + " and this history starts afresh",
                    "H2's Recover tool may save what the moved file holds: java -cp h2.jar org.h2.tools.Recover -dir "
                            + database.movedAsideTo().getParent() + " -db " + database.movedAsideTo().getFileName().toString().replace(".mv.db", "")));
        }
        writer.start();
        // on the file before the daemon goes on, like an operator's event: it explains the empty history
        if (warning > 0 && !awaitCommitted(warning, tuning.closeWait())) {
            log.error("failing: history {}: the WARNING about the file moved aside is not written yet ({})", database.file(), lastWriteError);
        }
        if (tuning.pruneInterval() != null) {
            long intervalMillis = tuning.pruneInterval().toMillis();
            pruning.scheduleWithFixedDelay(this::pruneInBackground, 0, intervalMillis, TimeUnit.MILLISECONDS);
        }
        if (tuning.compactInterval() != null) {
            long intervalMillis = tuning.compactInterval().toMillis();
            pruning.scheduleWithFixedDelay(this::compactInBackground, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Queues the event for writing and returns its sequence number (from 1). Never waits on the
     * disk and never throws: when the queue is full (the database has been failing for a while) or
     * the history is closed, the event is dropped, counted, and {@link #DROPPED} returned. The
     * event's id is ignored; texts longer than their column are cut, nulls become "".
     */
    public long append(HistoryEvent event) {
        if (event == null) {
            log.warn("history: append(null) ignored");
            return DROPPED;
        }
        return queue.offer(event.withId(0).storable(), this::droppingStarted);
    }

    /**
     * Waits until every event appended up to and including this sequence is committed (on the file:
     * it survives kill -9 of the daemon). Returns false at once for {@link #DROPPED}, and false when
     * the timeout passes first: the database is failing, and the events stay queued.
     *
     * @throws IllegalArgumentException for a sequence {@link #append} never returned
     */
    public boolean awaitCommitted(long sequence, Duration timeout) {
        try {
            return queue.awaitCommitted(sequence, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The events that match, newest first (by time, then by id), at most the query's limit capped at
     * {@link HistoryQuery#MAX_LIMIT}. Events still queued are not included. Reads from an index in
     * order, so the last events of one site stay quick to read however long the history grows.
     *
     * @throws IllegalStateException when the database cannot be read, or the history is closed
     */
    public List<HistoryEvent> query(HistoryQuery query) {
        if (closed.get()) throw new IllegalStateException("history " + database.file() + " is closed");
        if (query.cappedLimit() == 0) return List.of();
        try {
            return database.query(query);
        } catch (SQLException e) {
            // no cause: H2's classes would not reach a JMX client that lacks them
            throw new IllegalStateException("history database " + database.file() + ": cannot read: " + HistoryDatabase.firstLine(e));
        }
    }

    /**
     * For the operator: events waiting, events dropped so far, the last write error ("" none), the
     * file a database that could not be opened was moved to (null none), and since when writes fail.
     */
    public Health health() {
        return new Health(queue.size(), queue.droppedTotal(), lastWriteError, database.movedAsideTo(), failingSinceMillis);
    }

    /**
     * Connections to the same database for Quartz's job store: its tables live beside the history's,
     * in one file with one lock. A commit through them is on the file when it returns, as an
     * acknowledged history event is. Valid until {@link #close}; refused after it.
     */
    public javax.sql.DataSource sharedConnections() {
        return sharedConnections;
    }

    /** The database file. */
    public Path file() {
        return database.file();
    }

    /**
     * Writes what is queued (waiting at most 5 s when the database fails; what is still queued then is
     * lost and logged), stops the threads and closes the database, which releases its lock.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        queue.close();
        boolean interrupted = false;
        try {
            if (!queue.awaitEmpty(tuning.closeWait())) {
                log.error("closing: history {}: {} events are lost: not written within {} ms ({})", database.file(), queue.size(),
                        tuning.closeWait().toMillis(), lastWriteError.isEmpty() ? "the database is slow" : lastWriteError);
                queue.abandon();
            }
            writer.join(tuning.closeWait().toMillis());
            if (writer.isAlive()) log.error("closing: history {}: the writer is stuck in a database call; closing under it", database.file());
        } catch (InterruptedException e) {
            interrupted = true;
            queue.abandon();
        }
        pruner.stop();
        compactor.stop();
        pruning.shutdown();
        try {
            if (!interrupted && !pruning.awaitTermination(tuning.closeWait().toMillis(), TimeUnit.MILLISECONDS)) {
                log.error("closing: history {}: pruning or compaction did not stop within {} ms; closing under it", database.file(), tuning.closeWait().toMillis());
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        sharedConnections.close();
        database.close();
        OPEN_DIRECTORIES.remove(directory);
        log.info("closed: history {} ({})", database.file(), health());
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** What a write is waiting on: events with their ids, and the queue sequence they commit (0: a warning of the store's own). */
    private record Pending(List<HistoryEvent> events, long throughSequence) {}

    /**
     * The writer thread. A batch that failed is retried unchanged (same events, same ids) until it
     * is written, so a retry of a batch that was in fact committed is recognised, not duplicated.
     */
    private void writeUntilClosed() {
        long retryMillis = tuning.firstRetry().toMillis();
        Pending pending = null;
        // a drop report is made only once a write has just worked, so that it can say why events were dropped
        boolean writingWorks = false;
        try {
            while (true) {
                if (pending == null && writingWorks) pending = dropReport();
                if (pending == null) pending = nextBatch();
                if (pending == null) break;
                try {
                    sink.write(pending.events());
                    if (pending.throughSequence() > 0) queue.committed(pending.throughSequence());
                    pending = null;
                    writingWorks = true;
                    writeSucceeded();
                    retryMillis = tuning.firstRetry().toMillis();
                } catch (SQLException | RuntimeException e) {
                    writingWorks = false;
                    writeFailed(e);
                    queue.pause(retryMillis);
                    if (queue.abandoned()) break;
                    retryMillis = Math.min(retryMillis * 2, tuning.lastRetry().toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sink.close();
        }
    }

    private Pending nextBatch() throws InterruptedException {
        List<EventQueue.Entry> batch = queue.nextBatch(tuning.queueCapacity());
        if (batch.isEmpty()) return null;
        List<HistoryEvent> events = new ArrayList<>(batch.size());
        for (EventQueue.Entry entry : batch) {
            if (entry.id == 0) entry.id = nextId++;
            events.add(entry.event.withId(entry.id));
        }
        return new Pending(events, batch.get(batch.size() - 1).sequence);
    }

    /**
     * The WARNING for events dropped since the last one, once a write has just worked. Drops after
     * close are only logged: the writer is on its way out.
     */
    private Pending dropReport() {
        EventQueue.Drops drops = queue.takeDrops();
        if (drops.count() == 0) return null;
        String reason = "history: dropped " + drops.count() + " events between " + Instant.ofEpochMilli(drops.firstAtMillis())
                + " and " + Instant.ofEpochMilli(drops.lastAtMillis()) + ": the queue of " + queue.capacity() + " events was full"
                + (lastWriteError.isEmpty() ? "" : " while the database could not be written (last error: " + lastWriteError + ")");
        log.warn("dropped: {}", reason);
        return new Pending(List.of(HistoryEvent.storeWarning(clock.millis(), reason, "").storable().withId(nextId++)), 0);
    }

    private void writeFailed(Exception e) {
        String error = e.getMessage() == null ? e.toString() : HistoryDatabase.firstLine(e);
        lastWriteError = error;
        if (failingSinceMillis == 0) {
            failingSinceMillis = Math.max(1, clock.millis());
            log.error("failing: history {} cannot be written: {}; events wait in memory (up to {}) and the write is retried"
                    + " every {} to {} ms until it works", database.file(), error, queue.capacity(),
                    tuning.firstRetry().toMillis(), tuning.lastRetry().toMillis());
        }
    }

    private void writeSucceeded() {
        long since = failingSinceMillis;
        if (since == 0) return;
        failingSinceMillis = 0;
        log.warn("recovered: history {} is written again after {} ms of failed writes (last error: {}); {} events still queued, {} dropped so far",
                database.file(), Math.max(0, clock.millis() - since), lastWriteError, queue.size(), queue.droppedTotal());
    }

    private void droppingStarted() {
        if (closed.get()) {
            log.warn("dropped: history {} is closed; events appended after close are counted, not written", database.file());
        } else {
            log.error("dropping: history {}: the queue of {} events is full ({}); further events are counted and reported"
                    + " once writing works again", database.file(), queue.capacity(),
                    lastWriteError.isEmpty() ? "the database is slower than events arrive" : "the database cannot be written: " + lastWriteError);
        }
    }

    private void pruneInBackground() {
        try {
            long began = System.nanoTime();
            Pruner.Pruned pruned = pruner.prune();
            if (pruned.total() > 0) {
                log.info("pruned: history {}: {} events older than {} and {} beyond the newest {}, in {} ms", database.file(),
                        pruned.byAge(), describe(retention.keep()), pruned.byCount(), retention.maxRows(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
                compactInBackground(); // the pages of the deleted rows leave sparse chunks behind
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("not pruned: history {}: {}; tried again in {} min", database.file(), HistoryDatabase.firstLine(e),
                    tuning.pruneInterval().toMinutes());
        }
    }

    private void compactInBackground() {
        try {
            Compactor.Compacted compacted = compactor.compact(COMPACT_BUDGET_MILLIS);
            if (compacted.steps() > 0) log.debug("compacted: history {}: {} steps in {} ms", database.file(), compacted.steps(), compacted.tookMillis());
            if (compactionFailed.compareAndSet(true, false)) log.info("compacted: history {}: compaction works again", database.file());
        } catch (SQLException | RuntimeException e) {
            // routine maintenance: said once, not every five minutes
            if (compactionFailed.compareAndSet(false, true)) {
                log.warn("not compacted: history {}: {}; the file may grow more than it needs to; tried again every {} min",
                        database.file(), HistoryDatabase.firstLine(e), tuning.compactInterval() == null ? 0 : tuning.compactInterval().toMinutes());
            }
        }
    }

    /** Runs a compaction now, on the caller's thread. */
    Compactor.Compacted compactNow() throws SQLException {
        return compactor.compact(COMPACT_BUDGET_MILLIS);
    }

    /** 90d, 12h, 30m or 1500ms: the way the config writes durations. */
    static String describe(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 86_400_000 == 0) return millis / 86_400_000 + "d";
        if (millis % 3_600_000 == 0) return millis / 3_600_000 + "h";
        if (millis % 60_000 == 0) return millis / 60_000 + "m";
        return millis + "ms";
    }

    /** Runs the retention now, on the caller's thread. */
    Pruner.Pruned pruneNow() throws SQLException {
        return pruner.prune();
    }

    HistoryDatabase database() {
        return database;
    }

    /** H2's plan for the query (EXPLAIN). */
    String explain(HistoryQuery query) throws SQLException {
        return database.explain(query);
    }

    /** The JDBC URL of the database in this directory, for tests and the benchmark that load rows directly. */
    static String jdbcUrl(Path dbDirectory) throws IOException {
        return HistoryDatabase.url(dbDirectory);
    }
}
