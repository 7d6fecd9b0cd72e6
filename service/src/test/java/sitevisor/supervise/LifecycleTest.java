package sitevisor.supervise;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sitevisor.config.SiteConfig;
import sitevisor.logs.LogRotator;
import sitevisor.mbeans.Actor;
import sitevisor.mbeans.SiteState;
import sitevisor.posix.ExitWatcher;
import sitevisor.posix.Ports;
import sitevisor.posix.ProcStat;
import sitevisor.posix.ProcessTable;
import sitevisor.scheduler.TaskRuns;
import sitevisor.posix.Processes;
import sitevisor.posix.Signal;

import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;
import static sitevisor.mbeans.SiteState.*;

/** The lifecycle through real processes: each test names a behaviour and fails without it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

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
    void childIgnoringStopSignalIsKilledAfterStopTimeout() throws Exception {
        fixture.supervise("""
                stubborn:
                  command: [sh, -c, 'trap "" TERM; while :; do sleep 0.05; done']
                  startSeconds: 100ms
                  stopTimeout: 600ms
                """);
        Instance site = fixture.instance("stubborn");
        assertEquals(RUNNING, site.start(Actor.operator("test")).state());
        long pid = site.status().pid();

        long began = System.nanoTime();
        Instance.Result stopped = site.stop(Actor.operator("test"));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);

        assertEquals(STOPPED, stopped.state(), fixture.events.describe());
        assertTrue(tookMillis >= 550, "SIGKILL came before the stop timeout: " + tookMillis + " ms");
        assertTrue(ProcStat.read(pid).isEmpty(), "pid " + pid + " still exists");
        assertEquals(Signal.KILL.number(), site.status().lastExit().signal(), "ended by " + site.status().lastExit());
        assertTrue(fixture.processes.alive().isEmpty(), "left behind: " + fixture.processes.alive());
        // the reply and the history say it took SIGKILL, and what was killed
        assertTrue(stopped.message().contains("by SIGKILL: pid " + pid + " (sh -c trap \"\" TERM;"), stopped.message());
        assertTrue(stopped.message().endsWith("outlived SIGTERM for 600ms"), stopped.message());
        LifecycleEvent recorded = fixture.events.matching(e -> e.to() == STOPPED).get(0);
        assertEquals(Signal.KILL.number(), recorded.signal(), "the history records a graceful stop: " + recorded);
        assertEquals(stopped.message(), recorded.reason());
    }

    @Test
    void aStopEndsOnceTheProcessesHaveGoneNotAtTheStopTimeout() throws Exception {
        fixture.supervise("""
                prompt:
                  command: [sleep, "600"]
                  startSeconds: 0
                  stopTimeout: 20s
                """);
        Instance site = fixture.instance("prompt");
        assertEquals(RUNNING, site.start(Actor.operator("test")).state());

        long began = System.nanoTime();
        Instance.Result stopped = site.stop(Actor.operator("test"));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);

        assertEquals(STOPPED, stopped.state(), fixture.events.describe());
        assertEquals(Signal.TERM.number(), site.status().lastExit().signal(), "ended by " + site.status().lastExit());
        assertTrue(tookMillis < 10_000, "the stop waited for its 20 s timeout after the process had ended: " + tookMillis + " ms");
        assertTrue(stopped.message().matches("stopped in \\d+ ms"), stopped.message());
        assertEquals(Signal.TERM.number(), fixture.events.matching(e -> e.to() == STOPPED).get(0).signal());
    }

    @Test
    void grandchildrenIncludingOneEscapedWithSetsidLeaveNothingBehind() throws Exception {
        Instance site = forkingSiteWithAnEscapee(new ProcessTable(Group.MARKER_VARIABLE));

        assertEquals(STOPPED, site.stop(Actor.operator("test")).state(), fixture.events.describe());
        assertEquals(List.of(), fixture.processes.alive(), "left behind after STOPPED");
    }

    /** A site that leaves a grandchild outside its session and group, started, and that grandchild up beside two more of its processes. */
    private Instance forkingSiteWithAnEscapee(ProcessTable table) throws Exception {
        fixture.supervise("""
                forking:
                  command: [sh, -c, '(setsid sleep 1000 &); sleep 1000 & exec sleep 1001']
                  startSeconds: 300ms
                  stopTimeout: 2s
                """, table);
        Instance site = fixture.instance("forking");
        assertEquals(RUNNING, site.start(Actor.operator("test")).state());
        long pid = site.status().pid();
        // the escapee left session and group, and its parent exited: init adopted it, so only the
        // marker it inherited still ties it to the site
        TestProcesses.await("an orphaned escapee and two more", WAIT, () -> {
            List<ProcStat> all = fixture.processes.alive();
            return all.size() == 3 && all.stream().anyMatch(p -> p.sessionId() != pid && p.groupId() != pid && p.parentPid() != pid);
        });
        return site;
    }

    @Test
    void aProcessTableReusedBecauseNothingStartedSinceStillEndsTheStopOnceItsProcessesAreGone() throws Exception {
        // a table that says no process ever started since its first scan: every question after
        // the first gets that scan, whose processes, the site's among them, all end in the stop
        Instance site = forkingSiteWithAnEscapee(new ProcessTable(Group.MARKER_VARIABLE, Processes::all, () -> 4242));

        Instance.Result stopped = site.stop(Actor.operator("test"));

        assertEquals(STOPPED, stopped.state(), "processes of the old table taken for survivors: " + stopped.message() + "\n" + fixture.events.describe());
        assertEquals(List.of(), fixture.processes.alive(), "left behind after STOPPED");
    }

    @Test
    void foreignProcessOnTheSitesPortIsNamedAndSurvives() throws Exception {
        int port = freePort();
        Process foreign = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"), "sitevisor.demo.DemoSite", Integer.toString(port), "foreign")
                .redirectErrorStream(true).redirectOutput(dir.resolve("foreign.out").toFile()).start();
        try {
            TestProcesses.await("the foreign process listening", WAIT, () -> Ports.isListening(port));
            fixture.supervise("""
                    blocked:
                      command: [sleep, "1000"]
                      port: %d
                    """.formatted(port));
            Instance site = fixture.instance("blocked");
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> site.start(Actor.operator("test")));
            assertTrue(refused.getMessage().contains("port " + port + " is held by pid " + foreign.pid() + " ("), refused.getMessage());
            assertTrue(refused.getMessage().contains("java"), "names the holder's command line: " + refused.getMessage());
            assertEquals(STOPPED, site.state());
            assertEquals(List.of(), fixture.processes.alive(), "nothing may be spawned");
            fixture.events.await(e -> e.kind() == LifecycleEvent.Kind.REFUSED, WAIT);
            assertFalse(foreign.waitFor(500, TimeUnit.MILLISECONDS), "the foreign process was stopped");
            assertTrue(Ports.isListening(port));
        } finally {
            foreign.destroyForcibly();
        }
    }

    @Test
    void portStillHeldAfterTheStopByAProcessNotOursIsReportedAndLeftAlone() throws Exception {
        int port = freePort();
        // the site hands its port to a process that drops the marker, leaves the session and, as
        // root may, the cgroup: nothing of the site's is left on it
        String cgroupRoot = sitevisor.posix.Cgroups.pidsHierarchy().map(Object::toString).orElse("/nonexistent");
        fixture.supervise("""
                handover:
                  command: [sh, -c, '(env -u SITEVISOR_INSTANCE setsid sh -c "echo \\$\\$ > $3/cgroup.procs 2>/dev/null; exec \\"\\$0\\" -cp \\"\\$1\\" sitevisor.demo.DemoSite \\"\\$2\\" escaped" "$0" "$1" "$2" &); exec sleep 1000', '%s', '%s', '{port}', '%s']
                  port: %d
                  stopTimeout: 2s
                """.formatted(javaBin(), System.getProperty("java.class.path"), cgroupRoot, port));
        Instance site = fixture.instance("handover");
        assertEquals(RUNNING, site.start(Actor.operator("test")).state(), fixture.events.describe());
        long sitePid = site.status().pid();
        long stranger = fixture.processes.alive().stream().filter(p -> p.pid() != sitePid).findFirst().orElseThrow().pid();

        long began = System.nanoTime();
        assertEquals(STOPPED, site.stop(Actor.operator("test")).state(), fixture.events.describe());
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        LifecycleEvent warning = fixture.events.await(e -> e.kind() == LifecycleEvent.Kind.WARNING
                && e.reason().contains("port " + port + " is still held by pid " + stranger), Duration.ofSeconds(1));
        assertTrue(tookMillis >= 1900, "did not wait for the port: " + tookMillis + " ms; " + warning.reason());
        assertTrue(Ports.isListening(port), "the stranger must not be touched");
    }

    @Test
    void startFailuresEndInFatalAfterExactlyTheConfiguredTriesWithTheCpuIdleMeanwhile() throws Exception {
        int port = freePort();
        fixture.supervise("""
                crashing:
                  command: [sh, -c, 'echo attempt >> attempts; exit 3']
                  directory: .
                  port: %d
                  startRetries: 3
                  backoff: 150ms
                  backoffMax: 2s
                """.formatted(port));
        Instance site = fixture.instance("crashing");
        long cpuBefore = processCpuNanos();
        long began = System.nanoTime();
        site.start(Actor.operator("test"));
        fixture.events.awaitState("crashing", FATAL, WAIT);
        long wallNanos = System.nanoTime() - began;
        long cpuNanos = processCpuNanos() - cpuBefore;

        assertEquals(4, Files.readAllLines(dir.resolve("attempts")).size(), "1 attempt + 3 retries");
        assertEquals(4, fixture.events.matching(e -> e.to() == STARTING && e.kind() == LifecycleEvent.Kind.TRANSITION).size());
        // delays of ~150, 300 and 600 ms (±20%) lie between the attempts
        assertTrue(wallNanos >= TimeUnit.MILLISECONDS.toNanos(800), "retried without backing off: " + wallNanos / 1_000_000 + " ms");
        assertTrue(cpuNanos < wallNanos / 2, "busy while backing off: " + cpuNanos / 1_000_000 + " ms CPU in " + wallNanos / 1_000_000 + " ms");
        assertTrue(fixture.events.all().stream().anyMatch(e -> e.to() == FATAL && e.reason().contains("exited with code 3")), fixture.events.describe());
    }

    @Test
    void siteThatKeepsCrashingAfterRunningIsSlowedDownThenStopped() throws Exception {
        fixture.supervise("""
                flapping:
                  command: [sh, -c, 'sleep 0.5; exit 1']
                  startSeconds: 50ms
                  restartLimit: 3
                  restartWindow: 1m
                  backoff: 100ms
                """);
        Instance site = fixture.instance("flapping");
        assertEquals(RUNNING, site.start(Actor.operator("test")).state());
        LifecycleEvent fatal = fixture.events.awaitState("flapping", FATAL, WAIT);
        assertTrue(fatal.reason().contains("crashed 4 times"), fatal.reason());
        assertEquals(List.of(STARTING, RUNNING, EXITED,
                STARTING, RUNNING, EXITED,          // the first crash: back at once
                BACKOFF, STARTING, RUNNING, EXITED, // later ones back off
                BACKOFF, STARTING, RUNNING, EXITED,
                FATAL), transitions(), fixture.events.describe());
        // a process that ended is not shown as if it still ran; who gave up, and when, is
        Instance.Status status = site.status();
        assertEquals(0, status.pid());
        assertNull(status.startedAt());
        assertEquals(fatal.at(), status.changedAt());
        assertEquals(fatal.actor(), status.changedBy());
    }

    @Test
    void cleanExitStaysExitedUnderOnFailure() throws Exception {
        fixture.supervise("""
                oneshot:
                  command: [sh, -c, 'sleep 0.5; exit 0']
                  startSeconds: 50ms
                """);
        Instance site = fixture.instance("oneshot");
        site.start(Actor.operator("test"));
        LifecycleEvent exited = fixture.events.awaitState("oneshot", EXITED, WAIT);
        assertEquals(0, exited.exitCode());
        // a wrong restart would follow within milliseconds; give it time to show
        assertThrows(AssertionError.class, () -> fixture.events.await(
                e -> e.kind() == LifecycleEvent.Kind.TRANSITION && e.at().isAfter(exited.at()), Duration.ofMillis(700)),
                "something happened after the clean exit:\n" + fixture.events.describe());
        assertEquals(EXITED, site.state());
        assertEquals(1, fixture.events.matching(e -> e.to() == STARTING).size());
    }

    @Test
    void crashedSiteIsBackFromANewPidAtOnce() throws Exception {
        int port = freePort();
        fixture.supervise("""
                web:
                  command: [%s, -cp, '%s', sitevisor.demo.DemoSite, '{port}', web]
                  port: %d
                """.formatted(javaBin(), System.getProperty("java.class.path"), port));
        Instance site = fixture.instance("web");
        assertEquals(RUNNING, site.start(Actor.operator("test")).state(), fixture.events.describe());
        long first = site.status().pid();
        ProcessHandle.of(first).orElseThrow().destroyForcibly();
        fixture.events.await(e -> e.to() == RUNNING && e.pid() != first, WAIT);
        assertEquals(1, site.status().restarts());
        assertEquals(Signal.KILL.number(), fixture.events.awaitState("web", EXITED, WAIT).signal());
        assertEquals(List.of(STARTING, RUNNING, EXITED, STARTING, RUNNING), transitions(), "the first crash must not back off");
    }

    @Test
    void restartGivesANewPidAndNeverOverlapsTheOldOne() throws Exception {
        int port = freePort();
        fixture.supervise("""
                web:
                  command: [%s, -cp, '%s', sitevisor.demo.DemoSite, '{port}', web]
                  port: %d
                """.formatted(javaBin(), System.getProperty("java.class.path"), port));
        Instance site = fixture.instance("web");
        site.start(Actor.operator("test"));
        long before = site.status().pid();
        Instance.Result result = site.restart(Actor.operator("test"));
        assertEquals(RUNNING, result.state(), fixture.events.describe());
        assertNotEquals(before, site.status().pid());
        assertTrue(ProcStat.read(before).isEmpty(), "old pid still there");
        assertEquals(List.of(STARTING, RUNNING, STOPPING, STOPPED, STARTING, RUNNING), transitions());
    }

    @Test
    void aStopSignalsWithoutWaitingForItsEventsToBeDurableAndReturnsOnlyOnceTheyAre() throws Exception {
        Instance site = idleSite();
        assertEquals(RUNNING, site.start(Actor.operator("test")).state());
        long pid = site.status().pid();
        // a history that commits nothing until the test says so, waited for as the daemon's is
        CountDownLatch committed = new CountDownLatch(1);
        fixture.alsoTell(event -> {
            if (event.actor().isOperator()) event.waits().add(() -> awaitUninterruptibly(committed));
        });
        try {
            CompletableFuture<Instance.Result> stop = CompletableFuture.supplyAsync(() -> site.stop(Actor.operator("test")));
            // the signal did not wait for the STOPPING row: the process is gone while no row is committed
            fixture.events.awaitState(site.name(), STOPPED, WAIT);
            assertTrue(ProcStat.read(pid).isEmpty(), "pid " + pid + " still exists");
            assertFalse(stop.isDone(), "the stop returned before its events were committed");
            committed.countDown();
            assertEquals(STOPPED, stop.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).state());
        } finally {
            committed.countDown();
        }
    }

    @Test
    void theStopSignalGoesOutBeforeAnyScanOfTheProcessTable() throws Exception {
        // once armed, each scan first waits for the site's main process to be gone: it goes only if it was signalled
        AtomicLong armedFor = new AtomicLong();
        List<Boolean> goneBeforeScan = new CopyOnWriteArrayList<>();
        ProcessTable table = new ProcessTable(Group.MARKER_VARIABLE, () -> {
            long pid = armedFor.get();
            if (pid != 0) goneBeforeScan.add(goneWithin(pid, Duration.ofSeconds(5)));
            return Processes.all();
        });
        fixture.supervise("""
                quick:
                  command: [sh, -c, 'trap "exit 0" TERM; while :; do sleep 0.05; done']
                  startSeconds: 100ms
                """, table);
        Instance site = fixture.instance("quick");
        assertEquals(RUNNING, site.start(Actor.operator("test")).state());
        armedFor.set(site.status().pid());

        assertEquals(STOPPED, site.stop(Actor.operator("test")).state(), fixture.events.describe());
        assertFalse(goneBeforeScan.isEmpty(), "the stop never looked for the site's other processes");
        assertFalse(goneBeforeScan.contains(false), "a scan came while the main process still waited for its signal: " + goneBeforeScan);
    }

    /** A site of one process that sleeps, ready as soon as it runs; not started yet. */
    private Instance idleSite() throws Exception {
        fixture.supervise("""
                idle:
                  command: [sleep, "1000"]
                  startSeconds: 0
                """);
        return fixture.instance("idle");
    }

    private static boolean goneWithin(long pid, Duration timeout) {
        try {
            TestProcesses.await("pid " + pid + " gone", timeout, () -> ProcStat.read(pid).map(ProcStat::isZombie).orElse(true));
            return true;
        } catch (AssertionError late) {
            return false;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anExitTheStopIsWaitingForIsNotHandedToAnotherThread() throws Exception {
        // a stop-all of 300 sites had the exit watcher start a thread for each exit, to wait for the
        // lock its stop held and then find nothing to do
        SiteConfig config = fixture.config("""
                idle:
                  command: [sleep, "1000"]
                  startSeconds: 0
                """).sites().get("idle");
        AtomicInteger handedToWorkers = new AtomicInteger();
        ExecutorService workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 5, TimeUnit.SECONDS, new SynchronousQueue<>()) {
            @Override
            public void execute(Runnable task) {
                handedToWorkers.incrementAndGet();
                super.execute(task);
            }
        };
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
        try (ExitWatcher watcher = new ExitWatcher(); LogRotator rotator = new LogRotator();
             TaskRuns noTasks = new TaskRuns(null, taskEvent -> { }, Clock.systemUTC(), java.time.ZoneId.systemDefault())) {
            Context context = new Context(watcher, timers, workers, fixture.events, Clock.systemUTC(), dir.resolve("run"), dir.resolve("logs"),
                    rotator, Map.of(TestProcesses.VARIABLE, fixture.processes.runId), new ProcessTable(Group.MARKER_VARIABLE), noTasks,
                    java.util.Optional.empty(), java.util.Optional.empty());
            Instance site = new Instance(config, 0, context);
            for (int round = 0; round < 5; round++) {
                assertEquals(RUNNING, site.start(Actor.operator("test")).state(), fixture.events.describe());
                int before = handedToWorkers.get();
                assertEquals(STOPPED, site.stop(Actor.operator("test")).state(), fixture.events.describe());
                assertEquals(before, handedToWorkers.get(), "round " + round + ": the exit went to a worker though the stop dealt with it");
            }
        } finally {
            workers.shutdownNow();
            timers.shutdownNow();
        }
    }

    @Test
    void aCrashReportedWhileAnOperationHoldsTheLockStillGetsTheCrashPolicy() throws Exception {
        Instance site = idleSite();
        assertEquals(RUNNING, site.start(Actor.operator("test")).state());
        long first = site.status().pid();
        // the restart's new process dies while the restart still holds the lock (its listeners run under it)
        AtomicLong killed = new AtomicLong();
        fixture.alsoTell(event -> {
            if (event.kind() != LifecycleEvent.Kind.TRANSITION || event.to() != RUNNING || event.pid() == first || !killed.compareAndSet(0, event.pid())) return;
            ProcessHandle.of(event.pid()).ifPresent(ProcessHandle::destroyForcibly);
            if (!goneWithin(event.pid(), WAIT)) throw new AssertionError("pid " + event.pid() + " survived SIGKILL");
        });

        assertEquals(RUNNING, site.restart(Actor.operator("test")).state(), fixture.events.describe());
        fixture.events.await(e -> e.to() == EXITED && e.pid() == killed.get(), WAIT);
        fixture.events.await(e -> e.to() == RUNNING && e.pid() != first && e.pid() != killed.get(), WAIT);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    @Test
    void repeatedRequestsAreNoOps() throws Exception {
        Instance site = idleSite();
        assertEquals(STOPPED, site.stop(Actor.operator("test")).state());
        site.start(Actor.operator("test"));
        long pid = site.status().pid();
        Instance.Result again = site.start(Actor.operator("test"));
        assertEquals(RUNNING, again.state());
        assertTrue(again.message().contains("already running"), again.message());
        assertEquals(pid, site.status().pid());
        site.stop(Actor.operator("test"));
        int events = fixture.events.all().size();
        assertEquals(STOPPED, site.stop(Actor.operator("test")).state());
        assertEquals(events, fixture.events.all().size(), "a repeated stop changed something");
    }

    @Test
    void stopDuringBackoffGoesStraightToStopped() throws Exception {
        fixture.supervise("""
                failing:
                  command: [sh, -c, 'exit 1']
                  startSeconds: 100ms
                  startRetries: 5
                  backoff: 10s
                """);
        Instance site = fixture.instance("failing");
        assertEquals(BACKOFF, site.start(Actor.operator("test")).state());
        assertEquals(STOPPED, site.stop(Actor.operator("test")).state());
        assertEquals(1, fixture.events.matching(e -> e.to() == STARTING).size());
    }

    @Test
    void daemonizingProgramIsReportedAndNotRestartedInALoop() throws Exception {
        fixture.supervise("""
                forks:
                  command: [sh, -c, 'sleep 1000 & exit 0']
                  startSeconds: 500ms
                """);
        Instance site = fixture.instance("forks");
        Instance.Result result = site.start(Actor.operator("test"));
        assertEquals(FATAL, result.state(), fixture.events.describe());
        assertTrue(result.message().contains("daemonized itself"), result.message());
        assertTrue(result.message().contains("foreground"), result.message());
        assertEquals(1, fixture.events.matching(e -> e.to() == STARTING).size(), "restarted in a loop");
        assertEquals(List.of(), fixture.processes.alive(), "the daemon it left is still running");
        assertEquals(0, site.status().pid(), "a FATAL instance showed the pid of the process that exited");
        assertNull(site.status().startedAt());
    }

    /** Processes whose command line is exactly {@code command}: how a process that left everything else behind is found. */
    private static List<Long> running(String command) {
        return sitevisor.posix.Processes.all().stream().filter(p -> !p.isZombie())
                .map(sitevisor.posix.ProcStat::pid).filter(pid -> command.equals(sitevisor.posix.Processes.commandLine(pid))).toList();
    }

    private static void killAll(String command) {
        running(command).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    /**
     * A process that leaves the session, the environment (as nginx writes over it) and the
     * parentage of the site's processes is still the site's: its cgroup holds it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void aProcessThatLeavesItsSessionAndItsEnvironmentIsStillStoppedWithItsSite(String cgroups) throws Exception {
        String escaped = "sleep 4243.5";
        try {
            fixture.useCgroups(cgroups).supervise("""
                    escapes:
                      command: [sh, -c, 'env -i setsid %s & exec sleep 1000']
                      startSeconds: 300ms
                    """.formatted(escaped));
            org.junit.jupiter.api.Assumptions.assumeTrue(fixture.instance("escapes").cgroup() != null,
                    "this machine lets the daemon make no cgroup " + cgroups + ": a marker cannot follow a process that drops its environment");
            Instance site = fixture.instance("escapes");
            assertEquals(RUNNING, site.start(Actor.operator("test")).state(), fixture.events.describe());
            sitevisor.testing.Await.until("the escaped process running", WAIT, () -> running(escaped).size() == 1);

            assertEquals(STOPPED, site.stop(Actor.operator("test")).state(), fixture.events.describe());
            assertEquals(List.of(), running(escaped), "a process of the site outlived its stop");
        } finally {
            killAll(escaped);
        }
    }

    /**
     * After a crash the search for what the old spawn left runs a second after the restart, and
     * both spawns share the instance's cgroup: it stops the old spawn's leftover, never the new spawn.
     */
    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void theSearchForWhatACrashedSpawnLeftSparesTheRestartedSpawn(String cgroups) throws Exception {
        String leftover = "sleep 4244.5";
        try {
            fixture.useCgroups(cgroups).supervise("""
                    crashes:
                      command: [sh, -c, 'env -i setsid %s & exec sleep 1000']
                      startSeconds: 300ms
                    """.formatted(leftover));
            org.junit.jupiter.api.Assumptions.assumeTrue(fixture.instance("crashes").cgroup() != null,
                    "this machine lets the daemon make no cgroup " + cgroups + ": the spawns share none");
            Instance site = fixture.instance("crashes");
            assertEquals(RUNNING, site.start(Actor.operator("test")).state(), fixture.events.describe());
            sitevisor.testing.Await.until("the first spawn's leftover running", WAIT, () -> running(leftover).size() == 1);
            ProcStat oldLeftover = ProcStat.read(running(leftover).get(0)).orElseThrow();
            long first = site.status().pid();

            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            LifecycleEvent back = fixture.events.await(e -> e.to() == RUNNING && e.pid() != first, WAIT);
            sitevisor.testing.Await.until("the crashed spawn's leftover stopped", WAIT,
                    () -> ProcStat.read(oldLeftover.pid()).filter(p -> p.startTicks() == oldLeftover.startTicks() && !p.isZombie()).isEmpty());

            // the same search signalled the new spawn in the same pass, if at all: it would be ending by now
            assertThrows(AssertionError.class, () -> fixture.events.await(
                    e -> e.to() == EXITED && e.at().isAfter(back.at()), Duration.ofMillis(500)),
                    "the restarted spawn was stopped:\n" + fixture.events.describe());
            assertEquals(RUNNING, site.state());
            assertEquals(back.pid(), site.status().pid());
            assertEquals(1, running(leftover).size(), "the restarted spawn's own process was stopped as a leftover");
        } finally {
            killAll(leftover);
        }
    }

    /** A program that daemonizes itself into a new session with a clean environment is found, reported and stopped. */
    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void aDaemonizingProgramThatDropsItsEnvironmentIsReportedAndStopped(String cgroups) throws Exception {
        String daemon = "sleep 4242.5";
        try {
            fixture.useCgroups(cgroups).supervise("""
                    forks:
                      command: [sh, -c, 'env -i setsid %s & exit 0']
                      startSeconds: 500ms
                    """.formatted(daemon));
            org.junit.jupiter.api.Assumptions.assumeTrue(fixture.instance("forks").cgroup() != null,
                    "this machine lets the daemon make no cgroup " + cgroups + ": a marker cannot follow a process that drops its environment");
            Instance.Result result = fixture.instance("forks").start(Actor.operator("test"));
            assertEquals(FATAL, result.state(), fixture.events.describe());
            assertTrue(result.message().contains("daemonized itself"), result.message());
            assertEquals(List.of(), running(daemon), "the daemon it left is still running");
        } finally {
            killAll(daemon);
        }
    }

    /** As a stock nginx does: ready (its port answers), then it forks and exits 0. Never left running untracked. */
    @Test
    void aProgramThatDaemonizesAfterItWasReadyIsStoppedAndReportedNotLeftRunning() throws Exception {
        fixture.supervise("""
                late:
                  command: [sh, -c, 'sleep 1; sleep 1000 & exit 0']
                  startSeconds: 200ms
                """);
        Instance site = fixture.instance("late");
        assertEquals(RUNNING, site.start(Actor.operator("test")).state());
        LifecycleEvent fatal = fixture.events.awaitState("late", FATAL, WAIT);
        assertTrue(fatal.reason().contains("daemonized itself") && fatal.reason().contains("foreground"), fatal.reason());
        assertEquals(List.of(RUNNING, EXITED, FATAL), transitions().subList(transitions().size() - 3, transitions().size()), fixture.events.describe());
        sitevisor.testing.Await.until("what it left stopped", WAIT, () -> fixture.processes.alive().isEmpty());
    }

    @Test
    void aProgramThatDaemonizesAfterItWasReadyIsFollowedThroughItsPidFile() throws Exception {
        fixture.supervise("""
                late:
                  command: [sh, -c, 'sleep 1; sleep 1000 & echo $! > daemon.pid; exit 0']
                  directory: .
                  pidFile: daemon.pid
                  startSeconds: 200ms
                """);
        Instance site = fixture.instance("late");
        assertEquals(RUNNING, site.start(Actor.operator("test")).state());
        long launcher = site.status().pid();
        LifecycleEvent followed = fixture.events.await(e -> e.kind() == LifecycleEvent.Kind.WARNING && e.reason().contains("following pid"), WAIT);
        assertEquals(RUNNING, site.state(), fixture.events.describe());
        assertNotEquals(launcher, site.status().pid());
        assertTrue(followed.reason().contains("following pid " + site.status().pid()), followed.reason());
        assertEquals(STOPPED, site.stop(Actor.operator("test")).state());
        assertEquals(List.of(), fixture.processes.alive(), "the daemon it left outlived the stop");
    }

    @Test
    void daemonizingProgramIsFollowedThroughItsPidFile() throws Exception {
        fixture.supervise("""
                forks:
                  command: [sh, -c, 'sleep 1000 & echo $! > daemon.pid; exit 0']
                  directory: .
                  pidFile: daemon.pid
                  startSeconds: 300ms
                """);
        Instance site = fixture.instance("forks");
        Instance.Result result = site.start(Actor.operator("test"));
        assertEquals(RUNNING, result.state(), fixture.events.describe());
        long followed = Long.parseLong(Files.readString(dir.resolve("daemon.pid")).trim());
        assertEquals(followed, site.status().pid());
        assertEquals(STOPPED, site.stop(Actor.operator("test")).state());
        // reaped by the daemon as its subreaper, or init's zombie until init reaps it
        assertTrue(ProcStat.read(followed).map(ProcStat::isZombie).orElse(true), "the followed daemon survived the stop");
    }

    /**
     * As the child subreaper, the daemon is the parent of the daemon a program left: the followed
     * process's exit status is known, where init alone would have learnt it.
     */
    @Test
    void theDaemonAProgramLeftIsTheDaemonsChildAndItsExitStatusIsKnown() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(sitevisor.posix.OrphanReaper.forThisProcess().isPresent(),
                "this kernel does not let a process be a child subreaper");
        fixture.supervise("""
                forks:
                  command: [sh, -c, 'sleep 1000 & echo $! > daemon.pid; exit 0']
                  directory: .
                  pidFile: daemon.pid
                  startSeconds: 300ms
                  restart: never
                """);
        Instance site = fixture.instance("forks");
        assertEquals(RUNNING, site.start(Actor.operator("test")).state(), fixture.events.describe());
        long followed = site.status().pid();
        assertEquals(sitevisor.posix.Native.selfPid(), ProcStat.read(followed).orElseThrow().parentPid(), "the followed daemon's parent");

        ProcessHandle.of(followed).orElseThrow().destroyForcibly();
        LifecycleEvent exited = fixture.events.awaitState("forks", EXITED, WAIT);
        assertEquals(Signal.KILL.number(), exited.signal(), exited.reason());
        assertTrue(exited.reason().contains("killed by SIGKILL"), exited.reason());
    }

    /** A process orphaned by its site's processes comes to the daemon, which reaps it when it ends. */
    @Test
    void anOrphanOfASiteIsReapedByTheDaemon() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(sitevisor.posix.OrphanReaper.forThisProcess().isPresent(),
                "this kernel does not let a process be a child subreaper");
        fixture.supervise("""
                orphans:
                  command: [sh, -c, '(sh -c "while [ ! -e release ]; do sleep 0.02; done" orphan-4246 &); exec sleep 1000']
                  directory: .
                  startSeconds: 100ms
                """);
        Instance site = fixture.instance("orphans");
        assertEquals(RUNNING, site.start(Actor.operator("test")).state(), fixture.events.describe());
        sitevisor.testing.Await.until("the orphan running", WAIT, () -> orphans().size() == 1);
        ProcStat orphan = orphans().get(0);
        assertEquals(sitevisor.posix.Native.selfPid(), orphan.parentPid(), "the orphan's parent");

        Files.createFile(dir.resolve("release"));
        sitevisor.testing.Await.until("the orphan ended and reaped, not a zombie", WAIT,
                () -> ProcStat.read(orphan.pid()).filter(p -> p.startTicks() == orphan.startTicks()).isEmpty());
        assertEquals(RUNNING, site.state());
    }

    private static List<ProcStat> orphans() {
        return sitevisor.posix.Processes.all().stream()
                .filter(p -> !p.isZombie() && sitevisor.posix.Processes.commandLine(p.pid()).endsWith(" orphan-4246")).toList();
    }

    @Test
    void instancesGetTheirOwnPortAndLog() throws Exception {
        int port = freePort();
        fixture.supervise("""
                multi:
                  command: [sh, -c, 'echo "instance {instance} port {port} $WHO"; exec sleep 1000']
                  environment: { WHO: 'i{instance}' }
                  instances: 2
                  port: %d
                  startTimeout: 300ms
                  startRetries: 0
                """.formatted(port));
        // nothing listens, so each instance fails its start: enough to see the per-instance files
        for (Instance i : fixture.supervisor.instances("multi")) i.start(Actor.operator("test"));
        Path logs = dir.resolve("var/logs/multi");
        TestProcesses.await("both logs", WAIT, () -> Files.exists(logs.resolve("multi-0.log")) && Files.exists(logs.resolve("multi-1.log")));
        assertTrue(Files.readString(logs.resolve("multi-0.log")).contains("instance 0 port " + port + " i0"));
        assertTrue(Files.readString(logs.resolve("multi-1.log")).contains("instance 1 port " + (port + 1) + " i1"));
    }

    @Test
    void eachInstanceWritesAPidFileThatIsRemovedOnACleanStop() throws Exception {
        fixture.supervise("""
                multi:
                  command: [sleep, "1000"]
                  instances: 2
                  startSeconds: 0
                """);
        List<Instance> instances = fixture.supervisor.instances("multi");
        fixture.supervisor.start("multi", Actor.operator("test"));
        Path run = dir.resolve("var/run");
        for (Instance i : instances) {
            PidFile recorded = PidFile.read(run.resolve("multi-" + i.index() + ".pid"));
            assertEquals(i.status().pid(), recorded.identity().pid());
            assertEquals(ProcStat.read(i.status().pid()).orElseThrow().startTicks(), recorded.identity().startTicks());
            assertEquals(i.status().pid(), recorded.groupId());
        }
        fixture.supervisor.stop("multi", Actor.operator("test"));
        assertFalse(Files.exists(run.resolve("multi-0.pid")));
        assertFalse(Files.exists(run.resolve("multi-1.pid")));
    }

    private List<SiteState> transitions() {
        return fixture.events.all().stream().filter(e -> e.kind() == LifecycleEvent.Kind.TRANSITION).map(LifecycleEvent::to).toList();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
