package sitevisor.db;

import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Single-event commits leave chunks behind that hold a live page or two each, and such a chunk's
 * space is never reused; compaction moves those pages out so the chunks die. Measured against the
 * same writes without compaction, so that what H2 frees on its own does not count.
 */
class CompactorTest {
    static final int EVENTS = 1_500;
    /** H2 keeps a dead chunk 45 s before reusing it; here 0.2 s, so that a test can see it reused. */
    static final int RETENTION_MILLIS = 200;

    @TempDir
    Path compacted;
    @TempDir
    Path control;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T03:00:00Z"));

    @Test
    void compactionLeavesFarFewerChunksPinnedThanH2Alone() throws Exception {
        long withCompaction = chunksLeftAfterSingleCommits(compacted, true);
        long withoutCompaction = chunksLeftAfterSingleCommits(control, false);

        assertTrue(withCompaction * 4 < withoutCompaction,
                "chunks still holding live pages: " + withCompaction + " with compaction, " + withoutCompaction + " without");
    }

    private long chunksLeftAfterSingleCommits(Path dir, boolean compact) throws Exception {
        try (History history = History.open(dir, Retention.DEFAULT, clock, History.Tuning.DEFAULT.withPruning(10_000, null).withCompaction(null));
             Connection connection = HistoryDatabase.connect(History.jdbcUrl(dir))) {
            MVStore store = Compactor.store(connection);
            store.setRetentionTime(RETENTION_MILLIS);
            // H2's own housekeeping off (commits still reach the file: the writer's CHECKPOINT does that),
            // so that the two runs differ by the compaction alone
            store.setAutoCommitDelay(0);
            commitOneByOne(history, 0, EVENTS);

            pastTheRetentionTime();
            if (compact) assertTrue(history.compactNow().steps() > 0, "sparse chunks were rewritten");
            pastTheRetentionTime();
            // each commit frees the chunks that are dead and past the retention time
            commitOneByOne(history, EVENTS, 5);

            assertEquals(EVENTS + 5, history.query(HistoryQuery.latestOfAll(HistoryQuery.MAX_LIMIT)).size(), "compaction moved pages, lost none");
            try (Statement statement = connection.createStatement();
                 ResultSet chunks = statement.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.CHUNK_COUNT'")) {
                chunks.next();
                return Long.parseLong(chunks.getString(1));
            }
        }
    }

    /** One commit per event, as a daemon writes them when events come one at a time. */
    private void commitOneByOne(History history, int first, int count) {
        for (int i = first; i < first + count; i++) {
            assertTrue(history.awaitCommitted(history.append(HistoryTest.event("site" + i % 100, clock.millis() + i, "event " + i)), Duration.ofSeconds(10)));
        }
    }

    /** Waits out H2's retention window: a span of time H2 counts, not another thread to synchronise with. */
    private static void pastTheRetentionTime() throws InterruptedException {
        Thread.sleep(RETENTION_MILLIS + 100);
    }
}
