package sitevisor.db;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryTest {
    static final Duration COMMIT_WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T03:00:00Z"));
    History history;

    @AfterEach
    void closeHistory() {
        if (history != null) history.close();
    }

    static HistoryEvent event(String site, long atMillis, String reason) {
        return new HistoryEvent(0, atMillis, site, 0, 100, "TRANSITION", "STARTING", "RUNNING", -1, 0, reason, "operator test", -1, "");
    }

    long appendCommitted(HistoryEvent event) {
        long sequence = history.append(event);
        assertTrue(history.awaitCommitted(sequence, COMMIT_WAIT), "committed within " + COMMIT_WAIT);
        return sequence;
    }

    List<String> reasons(HistoryQuery query) {
        return history.query(query).stream().map(HistoryEvent::reason).toList();
    }

    @Test
    void anAppendedEventComesBackWithEveryField() throws Exception {
        history = History.open(dir, Retention.DEFAULT, clock);
        HistoryEvent sent = new HistoryEvent(0, clock.millis() - 1234, "blog", 2, 4242, "TRANSITION", "STOPPING", "STOPPED", 143, 15,
                "stopped: after SIGTERM", "operator cli user alice (jolokia user sitevisor from 127.0.0.1)", 3210, "port 8001 free after 40 ms");
        appendCommitted(sent);

        List<HistoryEvent> found = history.query(HistoryQuery.latest("blog", 10));

        assertEquals(1, found.size());
        assertTrue(found.get(0).id() > 0, "an id once written");
        assertEquals(sent.withId(found.get(0).id()), found.get(0));
        assertTrue(Files.exists(dir.resolve("history.mv.db")));
    }

    /** A Quartz thread that finishes after the daemon closed its history must not open the database file again. */
    @Test
    void theSharedConnectionsAreRefusedOnceTheHistoryIsClosed() throws Exception {
        history = History.open(dir, Retention.DEFAULT, clock);
        javax.sql.DataSource shared = history.sharedConnections();
        try (java.sql.Connection open = shared.getConnection()) {
            assertFalse(open.isClosed());
        }
        java.sql.Connection heldAcrossClose = shared.getConnection();
        history.close();
        assertTrue(heldAcrossClose.isClosed(), "a connection handed out before the close keeps the file open");
        java.sql.SQLException refused = assertThrows(java.sql.SQLException.class, shared::getConnection);
        assertEquals("the history is closed", refused.getMessage());
    }

    @Test
    void newestFirstByTimeThenByIdAcrossSites() throws Exception {
        history = History.open(dir, Retention.DEFAULT, clock);
        long t = clock.millis();
        appendCommitted(event("blog", t - 3000, "oldest"));
        appendCommitted(event("shop", t - 1000, "newest of shop"));
        appendCommitted(event("blog", t - 2000, "same ms, written first"));
        appendCommitted(event("blog", t - 2000, "same ms, written second"));
        // a clock stepped back: written last, yet older by its time
        appendCommitted(event("blog", t - 2500, "written last, older"));

        assertEquals(List.of("newest of shop", "same ms, written second", "same ms, written first", "written last, older", "oldest"),
                reasons(HistoryQuery.latestOfAll(10)));
        assertEquals(List.of("same ms, written second", "same ms, written first", "written last, older", "oldest"),
                reasons(HistoryQuery.latest("blog", 10)));
    }

    @Test
    void aSiteFilterReturnsThatSiteOnly() throws Exception {
        history = History.open(dir, Retention.DEFAULT, clock);
        long t = clock.millis();
        for (int i = 0; i < 5; i++) {
            history.append(event("blog", t + i, "blog " + i));
            history.append(event("shop", t + i, "shop " + i));
        }
        appendCommitted(event("blog-2", t, "a site whose name starts like another"));

        assertEquals(List.of("shop 4", "shop 3", "shop 2", "shop 1", "shop 0"), reasons(HistoryQuery.latest("shop", 50)));
        assertEquals(List.of("blog 4", "blog 3", "blog 2", "blog 1", "blog 0"), reasons(HistoryQuery.latest("blog", 50)));
        assertEquals(List.of(), reasons(HistoryQuery.latest("nosuchsite", 50)));
        assertEquals(11, history.query(HistoryQuery.latestOfAll(50)).size());
    }

    @Test
    void aTimeRangeIncludesItsStartAndExcludesItsEnd() throws Exception {
        history = History.open(dir, Retention.DEFAULT, clock);
        long t = clock.millis();
        for (int i = 0; i < 10; i++) history.append(event(i % 2 == 0 ? "blog" : "shop", t + i * 1000, "at " + i));
        appendCommitted(event("blog", t + 10_000, "at 10"));

        assertEquals(List.of("at 6", "at 5", "at 4", "at 3"), reasons(new HistoryQuery(null, t + 3000, t + 7000, 50)));
        assertEquals(List.of("at 6", "at 4"), reasons(new HistoryQuery("blog", t + 3000, t + 7000, 50)));
        assertEquals(List.of("at 10", "at 9", "at 8"), reasons(new HistoryQuery(null, t + 8000, null, 50)));
        assertEquals(List.of("at 1", "at 0"), reasons(new HistoryQuery(null, null, t + 2000, 50)));
        assertEquals(List.of("at 2", "at 0"), reasons(new HistoryQuery("blog", null, t + 3000, 50)));
        assertEquals(List.of(), reasons(new HistoryQuery(null, t + 5000, t + 5000, 50)));
    }

    @Test
    void aLimitKeepsTheNewest() throws Exception {
        history = History.open(dir, Retention.DEFAULT, clock);
        long t = clock.millis();
        for (int i = 0; i < 20; i++) history.append(event("blog", t + i, "event " + i));
        appendCommitted(event("shop", t - 1, "shop"));

        assertEquals(List.of("event 19", "event 18", "event 17"), reasons(HistoryQuery.latest("blog", 3)));
        assertEquals(List.of("event 19", "event 18"), reasons(HistoryQuery.latestOfAll(2)));
        assertEquals(List.of(), reasons(HistoryQuery.latestOfAll(0)));
        assertEquals(HistoryQuery.MAX_LIMIT, new HistoryQuery(null, null, null, Integer.MAX_VALUE).cappedLimit());
        assertThrows(IllegalArgumentException.class, () -> HistoryQuery.latestOfAll(-1));
    }

    @Test
    void longTextsAreCutAndNullsBecomeEmptyInsteadOfFailingTheBatch() throws Exception {
        history = History.open(dir, Retention.DEFAULT, clock);
        String longKind = "K".repeat(40);
        appendCommitted(new HistoryEvent(0, clock.millis(), "blog", 0, 0, longKind, null, null, -1, 0, "r".repeat(5000), null, -1, null));

        HistoryEvent found = history.query(HistoryQuery.latest("blog", 1)).get(0);
        assertEquals("K".repeat(HistoryEvent.KIND_MAX_LENGTH), found.kind());
        assertEquals(4000, found.reason().length());
        assertEquals("", found.fromState());
        assertEquals("", found.actor());
        assertEquals("", found.details());
    }

    @Test
    void eventsAndIdsOutliveAReopen() throws Exception {
        history = History.open(dir, Retention.DEFAULT, clock);
        appendCommitted(event("blog", clock.millis(), "before"));
        long firstId = history.query(HistoryQuery.latest("blog", 1)).get(0).id();
        history.close();

        history = History.open(dir, Retention.DEFAULT, clock);
        appendCommitted(event("blog", clock.millis() + 1, "after"));

        List<HistoryEvent> found = history.query(HistoryQuery.latest("blog", 10));
        assertEquals(List.of("after", "before"), found.stream().map(HistoryEvent::reason).toList());
        assertTrue(found.get(0).id() > firstId, "ids keep growing across a reopen");
    }

    @Test
    void aSecondOpenInTheSameProcessIsRefused() throws Exception {
        history = History.open(dir, Retention.DEFAULT, clock);

        IOException refused = assertThrows(IOException.class, () -> History.open(dir, Retention.DEFAULT, clock));

        assertTrue(refused.getMessage().contains("already open in this process"), refused.getMessage());
        assertTrue(refused.getMessage().contains(dir.resolve("history.mv.db").toRealPath().toString()), refused.getMessage());
    }

    @Test
    void afterCloseAppendDropsAndCountsAndTheDatabaseIsReleased() throws Exception {
        history = History.open(dir, Retention.DEFAULT, clock);
        history.close();

        long sequence = history.append(event("blog", clock.millis(), "too late"));

        assertEquals(History.DROPPED, sequence);
        assertFalse(history.awaitCommitted(sequence, Duration.ofMinutes(1)), "false at once for a dropped event");
        assertEquals(1, history.health().droppedEvents());
        assertThrows(IllegalStateException.class, () -> history.query(HistoryQuery.latestOfAll(1)));
        history = History.open(dir, Retention.DEFAULT, clock); // the lock went with close
    }

    @Test
    void aPathThatWouldAddH2SettingsIsRefused() {
        IOException refused = assertThrows(IOException.class, () -> History.open(dir.resolve("x;INIT=RUNSCRIPT FROM 'evil.sql'"), Retention.DEFAULT, clock));
        assertTrue(refused.getMessage().contains("';'"), refused.getMessage());
    }

    @Test
    void aHealthyStoreSaysSo() throws Exception {
        history = History.open(dir, Retention.DEFAULT, clock);
        appendCommitted(event("blog", clock.millis(), "one"));

        Health health = history.health();
        assertEquals(new Health(0, 0, "", null, 0), health);
        assertEquals("writing, 0 queued, 0 dropped", health.toString());
    }
}
