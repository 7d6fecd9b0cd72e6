package sitevisor.supervise;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.config.SiteConfig;
import sitevisor.logs.LogRotator;
import sitevisor.posix.ExitWatcher;
import sitevisor.posix.ProcessTable;
import sitevisor.posix.Signal;
import sitevisor.scheduler.TaskRuns;
import sitevisor.testing.Await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The stop sequence alone, on real processes: it says how a stop ended, and changes no state. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StopSequenceTest {
    @TempDir
    Path dir;
    private Fixture fixture;
    private ExitWatcher watcher;
    private LogRotator rotator;
    private TaskRuns noTasks;
    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
    private final ExecutorService workers = Executors.newCachedThreadPool();
    private Context context;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Fixture(dir);
        watcher = new ExitWatcher();
        rotator = new LogRotator();
        noTasks = new TaskRuns(null, event -> { }, Clock.systemUTC(), ZoneId.systemDefault());
        context = new Context(watcher, timers, workers, fixture.events, Clock.systemUTC(), dir.resolve("run"), dir.resolve("logs"), rotator,
                Map.of(TestProcesses.VARIABLE, fixture.processes.runId), new ProcessTable(Group.MARKER_VARIABLE), noTasks,
                Optional.empty(), Optional.empty());
    }

    @AfterEach
    void tearDown() {
        noTasks.close();
        rotator.close();
        watcher.close();
        timers.shutdownNow();
        workers.shutdownNow();
        fixture.close();
    }

    private Child spawn(String script) throws Exception {
        SiteConfig site = fixture.config("""
                s:
                  command: [sh, -c, '%s']
                """.formatted(script)).sites().get("s");
        Child child = Child.spawn(context, site, 0, "test/s.0", site.program(), site.commandOf(0), Map.of(), dir.resolve("s.log"));
        child.whenEnded(context, () -> { });
        return child;
    }

    /** A process that ignores SIGTERM, once it does: a TERM before the trap is set would end it at once. */
    private Child spawnIgnoringTerm() throws Exception {
        Child child = spawn("trap \"\" TERM; echo ignoring-TERM; while :; do sleep 0.05; done");
        Await.until("the trap set", Duration.ofSeconds(30), () -> Files.exists(dir.resolve("s.log"))
                && Files.readString(dir.resolve("s.log")).contains("ignoring-TERM"));
        return child;
    }

    @Test
    void aProcessThatEndsOnItsStopSignalStopsWithoutSigkill() throws Exception {
        Child child = spawn("exec sleep 1000");
        StopSequence stop = StopSequence.signal(child, Signal.TERM, Duration.ofSeconds(10), context);
        StopSequence.Ended ended = stop.finish(0);
        StopSequence.Stopped stopped = assertInstanceOf(StopSequence.Stopped.class, ended);
        assertTrue(stopped.killed().isEmpty(), "nothing needed SIGKILL: " + stopped.killed());
        assertEquals(Optional.empty(), stopped.portStillHeld());
        assertTrue(child.hasExited());
        assertTrue(stop.describe(stopped).startsWith("stopped in "), stop.describe(stopped));
        assertEquals(0, fixture.processesAlive());
    }

    @Test
    void aProcessThatIgnoresItsStopSignalIsKilledAtTheTimeoutAndNamed() throws Exception {
        Child child = spawnIgnoringTerm();
        StopSequence stop = StopSequence.signal(child, Signal.TERM, Duration.ofMillis(500), context);
        StopSequence.Stopped stopped = assertInstanceOf(StopSequence.Stopped.class, stop.finish(0));
        assertTrue(stopped.killed().stream().anyMatch(k -> k.startsWith("pid " + child.pid() + " ")), "the one killed is named: " + stopped.killed());
        assertTrue(stop.describe(stopped).contains("by SIGKILL") && stop.describe(stopped).contains("outlived SIGTERM for 500ms"), stop.describe(stopped));
        assertEquals(0, fixture.processesAlive());
    }

    @Test
    void aStopHurriedFromAnotherThreadKillsWhatIsLeftAtOnceRatherThanAtItsTimeout() throws Exception {
        Child child = spawnIgnoringTerm();
        StopSequence stop = StopSequence.signal(child, Signal.TERM, Duration.ofMinutes(5), context);
        java.util.concurrent.Future<StopSequence.Ended> finishing = workers.submit(() -> stop.finish(0));
        stop.hurry();
        // well inside the test's own timeout, five minutes before the stop's
        StopSequence.Stopped stopped = assertInstanceOf(StopSequence.Stopped.class, finishing.get(30, TimeUnit.SECONDS));
        assertTrue(stopped.killed().stream().anyMatch(k -> k.startsWith("pid " + child.pid() + " ")), stopped.killed().toString());
        assertTrue(stop.describe(stopped).contains("outlived SIGTERM until a kill"), stop.describe(stopped));
        assertEquals(0, fixture.processesAlive());
    }

    @Test
    void aKillSaysItKilled() throws Exception {
        Child child = spawn("exec sleep 1000");
        StopSequence stop = StopSequence.signal(child, Signal.KILL, Duration.ofSeconds(5), context);
        StopSequence.Stopped stopped = assertInstanceOf(StopSequence.Stopped.class, stop.finish(0));
        assertTrue(stop.describe(stopped).startsWith("killed by SIGKILL in "), stop.describe(stopped));
    }

    @Test
    void aPortStillHeldByAStrangerOnceTheProcessesAreGoneIsNamed() throws Exception {
        Child child = spawn("exec sleep 1000");
        try (ServerSocket stranger = new ServerSocket()) {
            stranger.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            StopSequence stop = StopSequence.signal(child, Signal.TERM, Duration.ofSeconds(10), context);
            StopSequence.Stopped stopped = assertInstanceOf(StopSequence.Stopped.class, stop.finish(stranger.getLocalPort()));
            String held = stopped.portStillHeld().orElseThrow(() -> new AssertionError("the port held by this test is not reported"));
            assertTrue(held.startsWith("port " + stranger.getLocalPort() + " is still held by "), held);
        }
    }
}
