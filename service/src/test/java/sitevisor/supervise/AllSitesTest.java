package sitevisor.supervise;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.mbeans.Actor;
import sitevisor.mbeans.SiteState;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static sitevisor.mbeans.SiteState.*;

/** start, stop and restart of every site at once: in parallel, one outcome per instance, refusals as outcomes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AllSitesTest {
    private static final Actor OPERATOR = Actor.operator("test");
    // the stop signal makes the shell become a one-second sleep: a site that takes a second to stop
    private static final String SLOW_TO_STOP = """
            command: [sh, -c, 'trap "exec sleep 1" TERM; while :; do sleep 0.05; done']
            startSeconds: 100ms
            stopTimeout: 10s
            """;

    @TempDir
    Path dir;
    Fixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new Fixture(dir);
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void stopAllStopsEverySiteAtOnce() throws Exception {
        Supervisor supervisor = fixture.supervise(Stream.of("one", "two", "three").map(site -> site + ":\n" + SLOW_TO_STOP.indent(2))
                .collect(Collectors.joining()));
        supervisor.startUp();
        assertEquals(3, supervisor.all().stream().filter(i -> i.state() == RUNNING).count(), fixture.events.describe());

        List<Outcome> outcomes = supervisor.stopAll(OPERATOR);

        assertEquals(List.of("one", "two", "three"), outcomes.stream().map(Outcome::site).toList());
        assertTrue(outcomes.stream().allMatch(o -> o.ok() && o.state() == STOPPED), outcomes.toString());
        Map<String, Instant> stopping = times(STOPPING);
        Map<String, Instant> stopped = times(STOPPED);
        for (String site : List.of("one", "two", "three")) {
            long stoppingMillis = Duration.between(stopping.get(site), stopped.get(site)).toMillis();
            assertTrue(stoppingMillis >= 900, site + " stopped in " + stoppingMillis + " ms: its trap did not hold it up\n" + fixture.events.describe());
        }
        // every site was STOPPING at one and the same moment: the last to begin began before the first to end ended
        Instant lastBegan = stopping.values().stream().max(Comparator.naturalOrder()).orElseThrow();
        Instant firstEnded = stopped.values().stream().min(Comparator.naturalOrder()).orElseThrow();
        assertTrue(lastBegan.isBefore(firstEnded), "the stops did not overlap\n" + fixture.events.describe());
        assertEquals(0, fixture.processesAlive());
    }

    @Test
    void stopAllSignalsEverySiteFromTheCallingThreadBeforeAnyStopWaits() throws Exception {
        Supervisor supervisor = fixture.supervise(Stream.of("one", "two", "three", "four").map(site -> site + ":\n" + SLOW_TO_STOP.indent(2))
                .collect(Collectors.joining()));
        supervisor.startUp();
        Map<String, Thread> stoppingIn = new ConcurrentHashMap<>();
        fixture.alsoTell(event -> {
            if (event.kind() == LifecycleEvent.Kind.TRANSITION && event.to() == STOPPING) stoppingIn.put(event.site(), Thread.currentThread());
        });

        List<Outcome> outcomes = supervisor.stopAll(OPERATOR);

        assertTrue(outcomes.stream().allMatch(o -> o.ok() && o.state() == STOPPED), outcomes.toString());
        assertEquals(Set.of("one", "two", "three", "four"), stoppingIn.keySet());
        // STOPPING comes with the signal, in one go: a thread started per stop first let the last of
        // 300 sites wait 230-315 ms for its signal
        assertEquals(Set.of(Thread.currentThread()), Set.copyOf(stoppingIn.values()), "some stops began in threads of their own");
        assertEquals(0, fixture.processesAlive());
    }

    @Test
    void aStartDuringAStopAllWaitsUntilThatSiteHasStoppedAndThenStartsIt() throws Exception {
        Supervisor supervisor = fixture.supervise(Stream.of("one", "two").map(site -> site + ":\n" + SLOW_TO_STOP.indent(2))
                .collect(Collectors.joining()));
        supervisor.startUp();
        long oldPid = fixture.instance("one").status().pid();

        CompletableFuture<List<Outcome>> stopAll = CompletableFuture.supplyAsync(() -> supervisor.stopAll(OPERATOR));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fixture.instance("one").state() != STOPPING) {
            assertTrue(System.nanoTime() < deadline, "one never began to stop\n" + fixture.events.describe());
            Thread.onSpinWait();
        }
        List<Instance.Result> started = supervisor.start("one", OPERATOR);

        assertEquals(RUNNING, started.get(0).state(), started.toString());
        List<Outcome> stopped = stopAll.get(20, TimeUnit.SECONDS);
        assertTrue(stopped.stream().allMatch(o -> o.ok() && o.state() == STOPPED), stopped.toString());
        List<SiteState> states = transitionsOf("one");
        assertEquals(List.of(STOPPING, STOPPED, STARTING, RUNNING), states.subList(states.lastIndexOf(STOPPING), states.size()),
                "the start did not wait for the stop\n" + fixture.events.describe());
        assertNotEquals(oldPid, fixture.instance("one").status().pid());
    }

    @Test
    void aRefusedInstanceIsAnOutcomeAndTheOthersStillStart() throws Exception {
        try (ServerSocket holder = new ServerSocket(0)) {
            Supervisor supervisor = fixture.supervise("""
                    free:
                      command: [sleep, "1000"]
                      startSeconds: 0
                      instances: 2
                    held:
                      command: [sleep, "1000"]
                      port: %d
                    """.formatted(holder.getLocalPort()));

            List<Outcome> started = supervisor.startAll(OPERATOR);

            assertEquals(List.of("free/0 true RUNNING", "free/1 true RUNNING", "held/0 false STOPPED"),
                    started.stream().map(o -> o.site() + "/" + o.instance() + " " + o.ok() + " " + o.state()).toList());
            assertTrue(started.get(2).message().contains("port " + holder.getLocalPort() + " is held by pid " + ProcessHandle.current().pid()),
                    started.get(2).message());
            assertEquals(2, fixture.processesAlive());

            List<Long> pidsBefore = supervisor.all().stream().map(i -> i.status().pid()).toList();
            List<Outcome> restarted = supervisor.restartAll(OPERATOR);
            assertEquals(List.of(true, true, false), restarted.stream().map(Outcome::ok).toList(), restarted.toString());
            List<Long> pidsAfter = supervisor.all().stream().map(i -> i.status().pid()).toList();
            for (int i = 0; i < 2; i++) assertNotEquals(pidsBefore.get(i), pidsAfter.get(i), "instance " + i + " was not restarted");

            List<Outcome> startedAgain = supervisor.startAll(OPERATOR);
            assertTrue(startedAgain.get(0).ok() && startedAgain.get(0).message().contains("already running"), startedAgain.get(0).toString());

            List<Outcome> stopped = supervisor.stopAll(OPERATOR);
            assertTrue(stopped.stream().allMatch(o -> o.ok() && o.state() == STOPPED), stopped.toString());
            assertTrue(stopped.get(2).message().contains("already stopped"), stopped.get(2).message());
            assertEquals(0, fixture.processesAlive());
        }
    }

    /** The states the site's first instance went to, in order. */
    private List<SiteState> transitionsOf(String site) {
        return fixture.events.matching(e -> e.kind() == LifecycleEvent.Kind.TRANSITION && e.site().equals(site)).stream()
                .map(LifecycleEvent::to).toList();
    }

    /** When each site's instance (single-instance sites) entered {@code state}, by site. */
    private Map<String, Instant> times(SiteState state) {
        return fixture.events.matching(e -> e.kind() == LifecycleEvent.Kind.TRANSITION && e.to() == state).stream()
                .collect(Collectors.toMap(LifecycleEvent::site, LifecycleEvent::at));
    }
}
