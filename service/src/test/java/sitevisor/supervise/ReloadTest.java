package sitevisor.supervise;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.mbeans.Actor;
import sitevisor.posix.ProcStat;
import sitevisor.posix.Processes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;
import static sitevisor.mbeans.SiteState.*;

/** A reload through real processes: only what changed in the file is touched, and a bad file touches nothing. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReloadTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Actor OPERATOR = Actor.operator("test");
    private static final String FOUR_SITES = """
            keep:
              command: [sleep, "1001"]
              startSeconds: 0
            gone:
              command: [sleep, "1002"]
              startSeconds: 0
            change:
              command: [sleep, "1003"]
              startSeconds: 0
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
    void addedStartsRemovedStopsChangedRestartsWithItsNewSettingsAndUnchangedIsNotTouched() throws Exception {
        Supervisor supervisor = fixture.supervise(FOUR_SITES);
        List<String> heard = new CopyOnWriteArrayList<>();
        supervisor.followSites(new SitesListener() {
            @Override
            public void siteAdded(String site) {
                heard.add("+" + site);
            }

            @Override
            public void siteRemoved(String site) {
                heard.add("-" + site);
            }
        });
        supervisor.startUp();
        Map<String, Long> before = pids(supervisor);
        Path gonePidFile = dir.resolve("var/run/gone.pid");
        assertTrue(Files.exists(gonePidFile));
        int eventsBefore = fixture.events.all().size();

        fixture.rewrite("""
                keep:
                  command: [sleep, "1001"]
                  startSeconds: 0
                change:
                  command: [sleep, "1013"]
                  startSeconds: 0
                fresh:
                  command: [sleep, "1004"]
                  startSeconds: 0
                """);
        ReloadReport report = supervisor.reload(OPERATOR);

        assertEquals(List.of("fresh"), report.added());
        assertEquals(List.of("gone"), report.removed());
        assertEquals(List.of("change"), report.changed());
        assertEquals(List.of("keep"), report.unchanged());
        assertTrue(report.outcomes().stream().allMatch(Outcome::ok), report.outcomes().toString());
        assertEquals(List.of("gone:STOPPED", "change:STOPPED", "change:RUNNING", "fresh:RUNNING"),
                report.outcomes().stream().map(o -> o.site() + ":" + o.state()).toList());
        assertEquals(List.of("keep", "change", "fresh"), supervisor.config().siteNames(), "config() is the applied config");
        assertEquals(List.of("+keep", "+gone", "+change", "-gone", "+fresh"), heard);

        // removed: no process, no pid file, no site
        assertFalse(alive(before.get("gone")), "the removed site's process is still there");
        assertFalse(Files.exists(gonePidFile), "the removed site's pid file is still there");
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> supervisor.instances("gone"));
        assertTrue(unknown.getMessage().contains("no site named 'gone'"), unknown.getMessage());

        // changed: a new process with the new settings
        long changedPid = supervisor.instances("change").get(0).status().pid();
        assertNotEquals(before.get("change"), changedPid);
        assertFalse(alive(before.get("change")), "the changed site's old process is still there");
        assertEquals("sleep 1013", Processes.commandLine(changedPid));

        // added: running
        long freshPid = supervisor.instances("fresh").get(0).status().pid();
        assertEquals(RUNNING, supervisor.instances("fresh").get(0).state());
        assertEquals("sleep 1004", Processes.commandLine(freshPid));

        // unchanged: the same process, and not a single event
        assertEquals(before.get("keep"), supervisor.instances("keep").get(0).status().pid());
        List<LifecycleEvent> since = fixture.events.all().subList(eventsBefore, fixture.events.all().size());
        assertEquals(List.of(), since.stream().filter(e -> e.site().equals("keep")).toList(), fixture.events.describe());
        assertTrue(since.stream().allMatch(e -> e.actor().equals(Actor.operator("test (reload)"))),
                "every event of a reload names who asked: " + since.stream().map(e -> e.name() + " " + e.actor()).toList());
        assertEquals(3, fixture.processesAlive(), "keep, change and fresh, nothing else");
    }

    @Test
    void newMemoryLimitsOrPriorityApplyWithoutARestartAndAnythingElseBesideThemStillRestarts() throws Exception {
        Supervisor supervisor = fixture.supervise("""
                tuned:
                  command: [sleep, "1001"]
                  startSeconds: 0
                  memory: { warn: 400MB }
                both:
                  command: [sleep, "1001"]
                  startSeconds: 0
                """);
        supervisor.startUp();
        Map<String, Long> before = pids(supervisor);
        Instance tuned = supervisor.instances("tuned").get(0);
        int tunedEvents = fixture.events.matching(e -> e.site().equals("tuned")).size();
        fixture.rewrite("""
                tuned:
                  command: [sleep, "1001"]
                  startSeconds: 0
                  memory: { warn: 300MB, restart: 500MB, for: 10s }
                  priority: 5
                both:
                  command: [sleep, "1002"]
                  startSeconds: 0
                  priority: 5
                """);
        ReloadReport report = supervisor.reload(OPERATOR);

        assertEquals(List.of("both"), report.changed());
        assertEquals(List.of("tuned"), report.retuned());
        assertEquals(List.of(), report.unchanged());
        assertSame(tuned, supervisor.instances("tuned").get(0), "the same instance, its process never stopped");
        assertEquals(before.get("tuned"), tuned.status().pid());
        assertEquals(300L * 1024 * 1024, tuned.site().memory().warnBytes());
        assertEquals(5, tuned.site().priority());
        assertEquals(tunedEvents, fixture.events.matching(e -> e.site().equals("tuned")).size(), fixture.events.describe());
        assertNotEquals(before.get("both"), pids(supervisor).get("both"));
    }

    @Test
    void aChangedSiteThatWasStoppedGetsItsNewSettingsAndStaysStopped() throws Exception {
        Supervisor supervisor = fixture.supervise("""
                idle:
                  command: [sleep, "1001"]
                  startSeconds: 0
                  autostart: false
                """);
        supervisor.startUp();
        fixture.rewrite("""
                idle:
                  command: [sleep, "1001"]
                  startSeconds: 0
                  autostart: false
                  instances: 2
                """);
        ReloadReport report = supervisor.reload(OPERATOR);

        assertEquals(List.of("idle"), report.changed());
        assertEquals(List.of(STOPPED), report.outcomes().stream().map(Outcome::state).toList(), "only the old instance's no-op stop");
        assertEquals(2, supervisor.instances("idle").size());
        assertTrue(supervisor.instances("idle").stream().allMatch(i -> i.state() == STOPPED));
        assertEquals(0, fixture.processesAlive());
    }

    @Test
    void aConfigWithErrorsIsRefusedWholeNamingEveryProblemAndNothingChanges() throws Exception {
        Supervisor supervisor = fixture.supervise(FOUR_SITES);
        supervisor.startUp();
        Map<String, Long> before = pids(supervisor);
        List<Instance> instancesBefore = supervisor.all();
        int eventsBefore = fixture.events.all().size();

        // a valid removal, change and addition beside two broken sites: none of it may happen
        fixture.rewrite("""
                keep:
                  command: [sleep, "1001"]
                  startSeconds: 0
                change:
                  command: [sleep, "1013"]
                  startSeconds: 0
                  stopTimeout: 10x
                fresh:
                  command: [sleep, "1004"]
                  startSeconds: 0
                  colour: blue
                """);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> supervisor.reload(OPERATOR));

        String message = refused.getMessage();
        assertTrue(message.contains("sites.change.stopTimeout in " + fixture.configFile()), message);
        assertTrue(message.contains("'10x' is not a duration"), message);
        assertTrue(message.contains("sites.fresh.colour in " + fixture.configFile()), message);
        assertTrue(message.contains("2 problems"), message);
        assertTrue(message.contains("nothing was changed"), message);
        assertEquals(before, pids(supervisor));
        assertTrue(before.values().stream().allMatch(ReloadTest::alive));
        assertEquals(instancesBefore, supervisor.all(), "the same instances");
        assertEquals(List.of("keep", "gone", "change"), supervisor.config().siteNames());
        assertEquals(eventsBefore, fixture.events.all().size(), fixture.events.describe());
    }

    @Test
    void aChangedJolokiaPortIsRefusedAsNeedingADaemonRestartAndNothingChanges() throws Exception {
        Supervisor supervisor = fixture.supervise(FOUR_SITES);
        supervisor.startUp();
        Map<String, Long> before = pids(supervisor);
        String sitesPart = Files.readString(fixture.configFile()).replace("jolokia: { port: 18778 }", "jolokia: { port: 18779 }");
        // the same file but for the port, plus a removal that must not happen either
        Files.writeString(fixture.configFile(), sitesPart.replace("  gone:\n    command: [sleep, \"1002\"]\n    startSeconds: 0\n", ""));
        assertFalse(Files.readString(fixture.configFile()).contains("gone"), "the test's edit did not apply");

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> supervisor.reload(OPERATOR));

        assertTrue(refused.getMessage().contains("jolokia.port changed from 18778 to 18779"), refused.getMessage());
        assertTrue(refused.getMessage().contains("the daemon must be restarted"), refused.getMessage());
        assertEquals(before, pids(supervisor));
        assertEquals(18778, supervisor.config().jolokia().port());
        assertEquals(List.of("keep", "gone", "change"), supervisor.config().siteNames());
    }

    @Test
    void browserOriginsChangeByReloadWithoutTouchingASite() throws Exception {
        Supervisor supervisor = fixture.supervise(FOUR_SITES);
        supervisor.startUp();
        Map<String, Long> before = pids(supervisor);
        Files.writeString(fixture.configFile(), Files.readString(fixture.configFile()).replace("jolokia: { port: 18778 }",
                "jolokia: { port: 18778, origins: [http://localhost:8080], allowedHosts: [sitevisor.example.org] }"));

        ReloadReport report = supervisor.reload(OPERATOR);

        assertEquals(List.of(), report.changed());
        assertEquals(new sitevisor.config.Config.HttpAccess(List.of("http://localhost:8080"), List.of("sitevisor.example.org")),
                supervisor.config().httpAccess());
        assertEquals(before, pids(supervisor));
    }

    @Test
    void aStartInProgressWhenAReloadRemovesTheSiteGivesWayAndNothingIsLeftRunning() throws Exception {
        Supervisor supervisor = fixture.supervise("""
                slow:
                  command: [sleep, "1001"]
                  startSeconds: 60s
                  autostart: false
                """);
        CompletableFuture<Instance.Result> starting = CompletableFuture.supplyAsync(() -> supervisor.start("slow", OPERATOR).get(0));
        try {
            LifecycleEvent spawned = fixture.events.awaitState("slow", STARTING, WAIT);
            fixture.rewrite("");
            // well within the 60 s the start would wait for the site to stay up
            ReloadReport report = CompletableFuture.supplyAsync(() -> supervisor.reload(OPERATOR)).get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertEquals(List.of("slow"), report.removed());
            assertEquals(STARTING, starting.get(WAIT.toSeconds(), TimeUnit.SECONDS).state(), "the start gave way to the reload's stop");
            assertFalse(alive(spawned.pid()));
            assertFalse(Files.exists(dir.resolve("var/run/slow.pid")));
            assertEquals(0, fixture.processesAlive());
        } finally {
            starting.cancel(true);
        }
    }

    @Test
    void aStartOfARemovedSitesInstanceIsRefusedAsRemovedByReload() throws Exception {
        Supervisor supervisor = fixture.supervise("""
                old:
                  command: [sleep, "1001"]
                  startSeconds: 0
                """);
        supervisor.startUp();
        // an operation that looked the site up just before the reload holds its old instance
        Instance heldByARacingOperation = supervisor.instances("old").get(0);
        fixture.rewrite("");
        supervisor.reload(OPERATOR);

        for (Function<Actor, Instance.Result> operation : List.<Function<Actor, Instance.Result>>of(heldByARacingOperation::start, heldByARacingOperation::restart)) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> operation.apply(OPERATOR));
            assertTrue(refused.getMessage().contains("removed from the config by a reload"), refused.getMessage());
        }
        assertEquals(STOPPED, heldByARacingOperation.state());
        assertEquals(0, fixture.processesAlive());
        assertEquals(2, fixture.events.matching(e -> e.kind() == LifecycleEvent.Kind.REFUSED).size(), fixture.events.describe());
    }

    @Test
    void startsRacingAReloadThatRemovesTheSiteNeverLeaveItRunning() throws Exception {
        String site = """
                racer:
                  command: [sleep, "1001"]
                  startSeconds: 50ms
                  autostart: false
                """;
        Supervisor supervisor = fixture.supervise(site);
        ExecutorService racer = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 10; round++) {
                Instance held = supervisor.instances("racer").get(0);
                fixture.rewrite("");
                // starts the instance over and over, as an impatient operator would, until it is refused
                Future<?> starts = racer.submit(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                    while (System.nanoTime() < deadline) {
                        try {
                            held.start(OPERATOR);
                        } catch (IllegalStateException refused) {
                            return;
                        }
                    }
                });
                supervisor.reload(OPERATOR);
                starts.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(STOPPED, held.state(), "round " + round + "\n" + fixture.events.describe());
                assertEquals(0, fixture.processesAlive(), "round " + round + ": the removed site runs again");
                fixture.rewrite(site);
                supervisor.reload(OPERATOR);
            }
        } finally {
            racer.shutdownNow();
        }
    }

    @Test
    void reloadsRunOneAtATime() throws Exception {
        Supervisor supervisor = fixture.supervise("""
                slowstop:
                  command: [sh, -c, 'trap "exec sleep 0.5" TERM; while :; do sleep 0.05; done']
                  startSeconds: 100ms
                """);
        supervisor.startUp();
        fixture.rewrite("");
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            CyclicBarrier together = new CyclicBarrier(2);
            Callable<ReloadReport> reload = () -> {
                together.await();
                return supervisor.reload(OPERATOR);
            };
            List<Future<ReloadReport>> reports = two.invokeAll(List.of(reload, reload));
            List<List<String>> removed = new ArrayList<>();
            for (Future<ReloadReport> report : reports) removed.add(report.get().removed());

            assertTrue(removed.contains(List.of("slowstop")) && removed.contains(List.of()),
                    "the second reload must see what the first applied: " + removed);
        } finally {
            two.shutdownNow();
        }
    }

    @Test
    void aReloadAfterShutdownIsRefusedAndStartsNothing() throws Exception {
        Supervisor supervisor = fixture.supervise("""
                late:
                  command: [sleep, "1001"]
                  startSeconds: 0
                """);
        supervisor.startUp();
        supervisor.shutdown(Actor.daemon("shutdown"));
        // a reload that waited for the shutdown would start this added site behind it
        fixture.rewrite("""
                late:
                  command: [sleep, "1001"]
                  startSeconds: 0
                added:
                  command: [sleep, "1002"]
                  startSeconds: 0
                """);

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> supervisor.reload(OPERATOR));
        assertTrue(refused.getMessage().contains("shutting down"), refused.getMessage());
        assertEquals(0, fixture.processesAlive());
    }

    private static Map<String, Long> pids(Supervisor supervisor) {
        return supervisor.all().stream().collect(Collectors.toMap(Instance::name, i -> i.status().pid()));
    }

    private static boolean alive(long pid) {
        return ProcStat.read(pid).map(p -> !p.isZombie()).orElse(false);
    }
}
