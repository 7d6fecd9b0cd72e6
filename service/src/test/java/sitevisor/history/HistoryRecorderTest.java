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
import sitevisor.supervise.Actor;
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
        return new LifecycleEvent(Instant.ofEpochMilli(1_800_000_000_000L + n), "blog", 1, "blog-1", 4000 + n, LifecycleEvent.Kind.TRANSITION,
                SiteState.STOPPING, SiteState.STOPPED, -1, 15, "stopped " + n, actor, 120);
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
                SiteState.STOPPED, -1, 0, "cannot start: port 8002 is held by pid 77", Actor.operator("cli user bob"), -1));
        recorder.daemonEvent("started: pid 1", Actor.daemon("start-up"));
        List<HistoryEvent> rows = history.query(new HistoryQuery(null, null, null, 10));
        assertEquals("daemon", rows.get(0).kind());
        assertEquals("", rows.get(0).site());
        assertEquals("refused", rows.get(1).kind());
        assertEquals("", rows.get(1).fromState());
        assertEquals("", rows.get(1).toState());
    }
}
