package sitevisor.db;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.testing.Await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retention by age and by count, in small batches, on the injected clock. */
class RetentionTest {
    static final long DAY_MILLIS = Duration.ofDays(1).toMillis();
    /** Small, so that every prune below takes several transactions. */
    static final int BATCH_ROWS = 7;

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T03:00:00Z"));
    History history;

    @AfterEach
    void closeHistory() {
        if (history != null) history.close();
    }

    History open(Retention retention, Duration pruneInterval) throws Exception {
        return History.open(dir, retention, clock, History.Tuning.DEFAULT.withPruning(BATCH_ROWS, pruneInterval));
    }

    /** One event a day for {@code days} days, the last one now; its reason is its age in days. */
    void oneEventADay(int days) {
        long last = 0;
        for (int age = days - 1; age >= 0; age--) last = history.append(HistoryTest.event("blog", clock.millis() - age * DAY_MILLIS, "age " + age));
        assertTrue(history.awaitCommitted(last, Duration.ofSeconds(10)));
    }

    List<String> reasons() {
        return history.query(HistoryQuery.latestOfAll(1000)).stream().map(HistoryEvent::reason).toList();
    }

    @Test
    void eventsOlderThanKeepArePrunedAndTheBoundaryStays() throws Exception {
        history = open(new Retention(Duration.ofDays(30), 1_000_000), null);
        oneEventADay(101);

        Pruner.Pruned pruned = history.pruneNow();

        assertEquals(new Pruner.Pruned(70, 0), pruned);
        List<String> left = reasons();
        assertEquals(31, left.size());
        assertEquals("age 30", left.get(left.size() - 1), "exactly keep old is kept");
    }

    @Test
    void theOldestBeyondMaxRowsArePruned() throws Exception {
        history = open(new Retention(Duration.ofDays(3650), 20), null);
        oneEventADay(50);

        Pruner.Pruned pruned = history.pruneNow();

        assertEquals(new Pruner.Pruned(0, 30), pruned);
        List<String> left = reasons();
        assertEquals(20, left.size());
        assertEquals("age 0", left.get(0));
        assertEquals("age 19", left.get(19));
    }

    @Test
    void ageFollowsTheClockAndBothLimitsApplyInOneRun() throws Exception {
        history = open(new Retention(Duration.ofDays(30), 25), null);
        oneEventADay(30);
        assertEquals(new Pruner.Pruned(0, 5), history.pruneNow());

        // left: ages 0..24 days; ten days on they are 10..34, and 31..34 are past keep
        clock.advance(Duration.ofDays(10));

        assertEquals(new Pruner.Pruned(4, 0), history.pruneNow());
        assertEquals(21, reasons().size());
        assertEquals(new Pruner.Pruned(0, 0), history.pruneNow(), "nothing more to prune");
    }

    @Test
    void pruningRunsInTheBackgroundFromOpen() throws Exception {
        history = open(new Retention(Duration.ofDays(3650), 1_000_000), null);
        oneEventADay(40);
        history.close();

        history = open(new Retention(Duration.ofDays(30), 1_000_000), Duration.ofHours(1));

        Await.until("the events older than 30 days pruned after open", Duration.ofSeconds(10), () -> reasons().size() == 31);
    }

    @Test
    void aRetentionThatKeepsNothingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Retention(Duration.ZERO, 10));
        assertThrows(IllegalArgumentException.class, () -> new Retention(Duration.ofDays(1), 0));
    }
}
