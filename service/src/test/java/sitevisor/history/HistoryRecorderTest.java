package sitevisor.history;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.db.History;
import sitevisor.db.HistoryEvent;
import sitevisor.db.HistoryQuery;
import sitevisor.db.Retention;
import sitevisor.mbeans.SiteState;
import sitevisor.mbeans.Actor;
import sitevisor.supervise.DeferredWaits;
import sitevisor.supervise.LifecycleEvent;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HistoryRecorderTest {
    @TempDir
    Path dir;
    History history;
    HistoryRecorder recorder;

    @BeforeEach
    void setUp() throws Exception {
        history = History.open(dir, Retention.DEFAULT, Clock.systemUTC());
        recorder = new HistoryRecorder(history, Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        history.close();
    }

    private static LifecycleEvent event(int n, Actor actor) {
        return event(n, actor, DeferredWaits.NONE);
    }

    private static LifecycleEvent event(int n, Actor actor, DeferredWaits waits) {
        return new LifecycleEvent(Instant.ofEpochMilli(1_800_000_000_000L + n), "blog", 1, "blog-1", 4000 + n, LifecycleEvent.Kind.TRANSITION,
                SiteState.STOPPING, SiteState.STOPPED, -1, 15, "stopped " + n, actor, 120, waits);
    }

    private static LifecycleEvent sameTime(Instant at, int n, Actor actor) {
        return new LifecycleEvent(at, "blog", 1, "blog-1", 4000 + n, LifecycleEvent.Kind.TRANSITION,
                SiteState.STOPPING, SiteState.STOPPED, -1, 15, "stopped " + n, actor, 120, DeferredWaits.NONE);
    }

    @Test
    void anOperatorsEventIsCommittedBeforeOnEventReturns() {
        // the moment onEvent returns, the operator's operation may return: the event must be in the database by then
        for (int n = 0; n < 100; n++) {
            recorder.onEvent(event(n, Actor.operator("cli user alice")));
            List<HistoryEvent> newest = history.query(new HistoryQuery("blog", null, null, 1));
            assertEquals("stopped " + n, newest.isEmpty() ? "nothing" : newest.get(0).reason(), "event " + n + " was not committed yet");
        }
    }

    @Test
    void anOperationsEventsAreCommittedOnceItsWaitsAreDone() {
        // an operation goes on after onEvent and waits once, at its end, for all its events
        for (int round = 0; round < 20; round++) {
            DeferredWaits waits = DeferredWaits.collecting();
            for (int n = 0; n < 3; n++) recorder.onEvent(event(round * 3 + n, Actor.operator("cli user alice"), waits));
            waits.awaitAll();
            List<HistoryEvent> newest = history.query(new HistoryQuery("blog", null, null, 3));
            assertEquals(List.of("stopped " + (round * 3 + 2), "stopped " + (round * 3 + 1), "stopped " + round * 3),
                    newest.stream().map(HistoryEvent::reason).toList(), "round " + round + " was not committed yet");
        }
    }

    @Test
    void aRowKeepsEveryFieldOfTheEventInTheVocabularyOfTheLog() {
        recorder.onEvent(event(7, Actor.operator("jmx user sitevisor")));
        HistoryEvent row = history.query(new HistoryQuery(null, null, null, 10)).get(0);
        assertEquals(new HistoryEvent(row.id(), 1_800_000_000_007L, "blog", 1, 4007, "stopped", "STOPPING", "STOPPED", -1, 15,
                "stopped 7", "operator jmx user sitevisor", 120, ""), row);
        assertTrue(row.id() > 0);
    }

    @Test
    void eventsThatChangeNoStateHaveNoStatesAndTheDaemonsOwnHaveNoSite() {
        recorder.onEvent(new LifecycleEvent(Instant.now(), "shop", 0, "shop", 0, LifecycleEvent.Kind.REFUSED, SiteState.STOPPED,
                SiteState.STOPPED, -1, 0, "cannot start: port 8002 is held by pid 77", Actor.operator("cli user bob"), -1, DeferredWaits.NONE));
        recorder.daemonEvent("started: pid 1", Actor.daemon("start-up"));
        List<HistoryEvent> rows = history.query(new HistoryQuery(null, null, null, 10));
        assertEquals("daemon", rows.get(0).kind());
        assertEquals("", rows.get(0).site());
        assertEquals("refused", rows.get(1).kind());
        assertEquals("", rows.get(1).fromState());
        assertEquals("", rows.get(1).toState());
    }

    @Test
    void eventsBeforeTheHistoryIsAttachedGoInFirstAndInTheirOrderAndNobodyWaitsOnThem() throws Exception {
        // one time for all, so that the order read back is the order written
        Instant at = Instant.ofEpochMilli(1_800_000_000_000L);
        HistoryRecorder early = new HistoryRecorder(Clock.fixed(at, java.time.ZoneOffset.UTC));
        early.daemonEvent("started: pid 1", Actor.daemon("start-up"));
        for (int n = 0; n < 3; n++) early.onEvent(sameTime(at, n, n == 1 ? Actor.operator("cli user alice") : Actor.daemon("autostart")));
        assertFalse(early.attached());
        try (History other = History.open(dir.resolve("other"), Retention.DEFAULT, Clock.systemUTC())) {
            assertTrue(other.query(HistoryQuery.latestOfAll(10)).isEmpty(), "written before it was attached");
            early.attach(other);
            assertTrue(early.attached());
            early.onEvent(sameTime(at, 3, Actor.operator("cli user alice")));
            List<HistoryEvent> newestFirst = other.query(HistoryQuery.latestOfAll(10));
            assertEquals(List.of("stopped 3", "stopped 2", "stopped 1", "stopped 0", "started: pid 1"),
                    newestFirst.stream().map(HistoryEvent::reason).toList());
            assertThrows(IllegalStateException.class, () -> early.attach(other));
        }
    }
}
