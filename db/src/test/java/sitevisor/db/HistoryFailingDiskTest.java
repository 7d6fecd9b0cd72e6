package sitevisor.db;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.testing.Await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A database that cannot be written never stops supervision, and nothing it costs is silent. */
class HistoryFailingDiskTest {
    static final int CAPACITY = 100;
    /** Far above what an append costs (microseconds), far below a stuck disk: appends must not wait on the writer. */
    static final Duration APPENDS_DEADLINE = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T03:00:00Z"));
    final AtomicReference<FailingSink> sink = new AtomicReference<>();
    History history;
    LogCapture logs = new LogCapture();

    History open() throws Exception {
        History.Tuning tuning = History.Tuning.DEFAULT.withQueueCapacity(CAPACITY)
                .withRetries(Duration.ofMillis(2), Duration.ofMillis(20))
                .withPruning(10_000, null)
                .withSink(real -> {
                    sink.set(new FailingSink(real));
                    return sink.get();
                });
        return History.open(dir, Retention.DEFAULT, clock, tuning);
    }

    final ExecutorService appender = Executors.newSingleThreadExecutor();

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (sink.get() != null) sink.get().release();
        appender.shutdownNow();
        assertTrue(appender.awaitTermination(10, TimeUnit.SECONDS), "the appending thread ended");
        if (history != null) history.close();
        logs.close();
    }

    /**
     * Runs the appends on another thread and fails if they take longer than the deadline: an append
     * that waited on the disk fails the test at once instead of hanging it.
     */
    <T> T appendWithinDeadline(Callable<T> appends) throws Exception {
        Future<T> appending = appender.submit(appends);
        try {
            return appending.get(APPENDS_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("appending waited on the database for more than " + APPENDS_DEADLINE);
        }
    }

    @Test
    void eventsWaitThenOverflowIsDroppedCountedAndRecordedOnceWritingWorks() throws Exception {
        history = open();
        sink.get().mode = FailingSink.Mode.FAILING;
        long firstAt = clock.millis();

        List<Long> sequences = appendWithinDeadline(() -> {
            List<Long> appended = new ArrayList<>();
            for (int i = 0; i < CAPACITY + 50; i++) appended.add(history.append(HistoryTest.event("blog", firstAt + i, "event " + i)));
            return appended;
        });

        assertEquals(CAPACITY, sequences.stream().filter(s -> s != History.DROPPED).count(), "the first " + CAPACITY + " are queued");
        assertTrue(sequences.subList(CAPACITY, CAPACITY + 50).stream().allMatch(s -> s == History.DROPPED), "the later ones dropped");
        assertFalse(history.awaitCommitted(sequences.get(0), Duration.ofMillis(50)), "not committed while the disk fails");
        Await.until("several failed retries", Duration.ofSeconds(10), () -> sink.get().attempts.get() >= 5);
        Health failing = history.health();
        assertEquals(CAPACITY, failing.queuedEvents());
        assertEquals(50, failing.droppedEvents());
        assertTrue(failing.failing());
        assertTrue(failing.lastWriteError().contains("No space left on device"), failing.lastWriteError());
        assertTrue(history.query(HistoryQuery.latestOfAll(10)).isEmpty(), "queued events are not in a query");

        clock.advance(Duration.ofMinutes(3));
        sink.get().mode = FailingSink.Mode.WORKING;

        assertTrue(history.awaitCommitted(sequences.get(CAPACITY - 1), Duration.ofSeconds(10)), "the queued events are written");
        Await.until("the WARNING about the dropped events", Duration.ofSeconds(10),
                () -> !history.query(HistoryQuery.latest(HistoryEvent.DAEMON_SITE, 1)).isEmpty());
        HistoryEvent warning = history.query(HistoryQuery.latest(HistoryEvent.DAEMON_SITE, 1)).get(0);
        assertEquals(HistoryEvent.WARNING, warning.kind());
        assertTrue(warning.reason().contains("dropped 50 events between " + Instant.ofEpochMilli(firstAt + CAPACITY)
                + " and " + Instant.ofEpochMilli(firstAt + CAPACITY + 49)), warning.reason());
        assertTrue(warning.reason().contains("No space left on device"), warning.reason());
        List<String> kept = history.query(HistoryQuery.latest("blog", 1000)).stream().map(HistoryEvent::reason).toList();
        assertEquals(CAPACITY, kept.size());
        assertEquals("event 0", kept.get(kept.size() - 1), "the earliest events are the ones kept");

        Health recovered = history.health();
        assertEquals(0, recovered.queuedEvents());
        assertEquals(50, recovered.droppedEvents());
        assertFalse(recovered.failing());
        assertTrue(recovered.lastWriteError().contains("No space left on device"), "the last error stays visible after recovery");
        assertEquals(1, logs.startingWith("failing:").size(), "the first failure is logged once, not per retry: " + logs.startingWith("failing:"));
        assertEquals(1, logs.startingWith("recovered:").size(), "the recovery is logged once");
        assertEquals(1, logs.startingWith("dropping:").size(), "the start of dropping is logged once, not per event");
    }

    @Test
    void aHangingDiskNeverBlocksAppend() throws Exception {
        history = open();
        sink.get().mode = FailingSink.Mode.HANGING;
        long first = history.append(HistoryTest.event("blog", clock.millis(), "the writer takes this and hangs"));
        Await.until("the writer stuck in the disk", Duration.ofSeconds(10), () -> sink.get().stuck.get() == 1);

        long last = appendWithinDeadline(() -> {
            long sequence = 0;
            for (int i = 0; i < 50; i++) sequence = history.append(HistoryTest.event("blog", clock.millis(), "while stuck " + i));
            history.health();
            return sequence;
        });

        sink.get().release();
        assertTrue(history.awaitCommitted(last, Duration.ofSeconds(10)));
        assertEquals(51, history.query(HistoryQuery.latest("blog", 100)).size());
    }

    @Test
    void aBatchWhoseCommitWasNotAcknowledgedIsNotWrittenTwice() throws Exception {
        history = open();
        sink.get().mode = FailingSink.Mode.FAILING_ONCE_AFTER_WRITE;
        // events that arrive before the retry must not join it: a larger batch would not be recognised as written
        AtomicLong lastLate = new AtomicLong();
        sink.get().betweenWriteAndFailure = () -> {
            for (int i = 0; i < 5; i++) lastLate.set(history.append(HistoryTest.event("blog", clock.millis() + 100 + i, "late " + i)));
        };

        for (int i = 0; i < 20; i++) history.append(HistoryTest.event("blog", clock.millis() + i, "event " + i));
        Await.until("the first write and its lost acknowledgement", Duration.ofSeconds(10), () -> lastLate.get() > 0);
        assertTrue(history.awaitCommitted(lastLate.get(), Duration.ofSeconds(10)));

        List<HistoryEvent> stored = history.query(HistoryQuery.latest("blog", 100));
        assertEquals(25, stored.size(), "each event once: " + stored.stream().map(HistoryEvent::reason).toList());
        assertEquals(25, new HashSet<>(stored.stream().map(HistoryEvent::id).toList()).size());
        assertTrue(sink.get().attempts.get() >= 2, "the batch was retried");
    }

    @Test
    void closeGivesUpOnAFailingDiskAfterItsWaitAndSaysWhatWasLost() throws Exception {
        History.Tuning tuning = History.Tuning.DEFAULT.withRetries(Duration.ofMillis(2), Duration.ofMillis(20))
                .withPruning(10_000, null).withCloseWait(Duration.ofMillis(300))
                .withSink(real -> {
                    sink.set(new FailingSink(real));
                    return sink.get();
                });
        history = History.open(dir, Retention.DEFAULT, clock, tuning);
        sink.get().mode = FailingSink.Mode.FAILING;
        history.append(HistoryTest.event("blog", clock.millis(), "never written"));

        long began = System.nanoTime();
        history.close();

        assertTrue(Duration.ofNanos(System.nanoTime() - began).compareTo(Duration.ofSeconds(5)) < 0, "close is bounded");
        assertEquals(1, logs.startingWith("closing:").size(), logs.startingWith("closing:").toString());
        assertTrue(logs.startingWith("closing:").get(0).contains("1 events are lost"), logs.startingWith("closing:").get(0));
        history = History.open(dir, Retention.DEFAULT, clock); // the database was closed and its lock released
    }
}
