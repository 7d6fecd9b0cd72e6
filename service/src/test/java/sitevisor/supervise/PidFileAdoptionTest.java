package sitevisor.supervise;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.mbeans.Actor;
import sitevisor.posix.ProcessIdentity;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static sitevisor.mbeans.SiteState.*;

/** A pid file is trusted only when it names the very process a daemon started. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PidFileAdoptionTest {
    @TempDir
    Path dir;
    Fixture fixture;
    Process stranger;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Fixture(dir);
        // an unrelated live process: what a recycled pid would point at
        stranger = new ProcessBuilder("sleep", "1000").start();
    }

    @AfterEach
    void tearDown() {
        try {
            fixture.close();
        } finally {
            stranger.destroyForcibly();
        }
    }

    private Path pidFile() throws Exception {
        Path run = dir.resolve("var/run");
        Files.createDirectories(run);
        return run.resolve("blog.pid");
    }

    private Supervisor supervise() throws Exception {
        return fixture.supervise("""
                blog:
                  command: [sleep, "1000"]
                  startSeconds: 0
                  autostart: false
                """);
    }

    @Test
    void pidFileWhosePidNowBelongsToAnotherProcessIsStaleAndNeverSignalled() throws Exception {
        ProcessIdentity real = ProcessIdentity.of(stranger.pid()).orElseThrow();
        // the same pid, but a process that started at another time: the pid was recycled
        new PidFile("blog", 0, new ProcessIdentity(real.pid(), real.startTicks() - 1, real.bootId()), real.pid(), "blog.0.x", Instant.now())
                .writeTo(pidFile());
        supervise().startUp();

        LifecycleEvent stale = fixture.events.await(EventRecorder.kind(LifecycleEvent.Kind.STALE_PID_FILE), Duration.ofSeconds(5));
        assertTrue(stale.reason().contains("now belongs to another process"), stale.reason());
        assertFalse(Files.exists(pidFile()), "stale file kept");
        assertEquals(STOPPED, fixture.instance("blog").state());
        fixture.supervisor.shutdown(Actor.operator("test"));
        assertFalse(stranger.waitFor(200, TimeUnit.MILLISECONDS), "a stranger was signalled");
    }

    @Test
    void legacyPidFileHoldingABareNumberIsStaleAndNeverSignalled() throws Exception {
        Files.writeString(pidFile(), stranger.pid() + "\n");
        supervise().startUp();

        LifecycleEvent stale = fixture.events.await(EventRecorder.kind(LifecycleEvent.Kind.STALE_PID_FILE), Duration.ofSeconds(5));
        assertTrue(stale.reason().contains("bare pid"), stale.reason());
        assertFalse(Files.exists(pidFile()));
        fixture.supervisor.shutdown(Actor.operator("test"));
        assertFalse(stranger.waitFor(200, TimeUnit.MILLISECONDS), "a stranger was signalled");
    }

    @Test
    void pidFileOfAProcessThatIsGoneIsStale() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        ProcessIdentity identity = ProcessIdentity.of(gone.pid()).orElse(new ProcessIdentity(gone.pid(), 1, ProcessIdentity.currentBootId()));
        gone.waitFor();
        new PidFile("blog", 0, identity, identity.pid(), "blog.0.x", Instant.now()).writeTo(pidFile());
        supervise().startUp();
        LifecycleEvent stale = fixture.events.await(EventRecorder.kind(LifecycleEvent.Kind.STALE_PID_FILE), Duration.ofSeconds(5));
        assertTrue(stale.reason().contains("is gone") || stale.reason().contains("another process"), stale.reason());
    }

    @Test
    void pidFileFromBeforeARebootIsStale() throws Exception {
        ProcessIdentity real = ProcessIdentity.of(stranger.pid()).orElseThrow();
        new PidFile("blog", 0, new ProcessIdentity(real.pid(), real.startTicks(), "another-boot"), real.pid(), "blog.0.x", Instant.now())
                .writeTo(pidFile());
        supervise().startUp();
        LifecycleEvent stale = fixture.events.await(EventRecorder.kind(LifecycleEvent.Kind.STALE_PID_FILE), Duration.ofSeconds(5));
        assertTrue(stale.reason().contains("rebooted"), stale.reason());
        fixture.supervisor.shutdown(Actor.operator("test"));
        assertFalse(stranger.waitFor(200, TimeUnit.MILLISECONDS), "a stranger was signalled");
    }

    @Test
    void liveProcessOfOurOwnIsAdoptedWithoutARestart() throws Exception {
        Supervisor first = supervise();
        Instance blog = fixture.instance("blog");
        blog.start(Actor.operator("test"));
        long pid = blog.status().pid();
        // a daemon that dies without stopping its sites: its threads go, the sites stay
        first.close();

        Fixture second = new Fixture(dir);
        try {
            second.supervise("""
                    blog:
                      command: [sleep, "1000"]
                      startSeconds: 0
                      autostart: true
                    """).startUp();
            Instance adopted = second.instance("blog");
            assertEquals(RUNNING, adopted.state(), second.events.describe());
            assertEquals(pid, adopted.status().pid());
            assertEquals(0, second.events.matching(e -> e.to() == STARTING).size(), "spawned a second copy");
            assertEquals(UNKNOWN, second.events.awaitState("blog", RUNNING, Duration.ofSeconds(1)).from());

            // and it is supervised: a crash is noticed and the site comes back
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            LifecycleEvent back = second.events.await(e -> e.to() == RUNNING && e.pid() != pid, Duration.ofSeconds(10));
            assertNotEquals(pid, back.pid());
        } finally {
            second.close();
            fixture.supervisor = null;
        }
    }

    /** A pid file that cannot be written (a full disk; here a directory in its way) is written once it can be. */
    @Test
    void aPidFileThatCouldNotBeWrittenIsWrittenOnceItCanBe() throws Exception {
        Path inTheWay = Files.createDirectories(pidFile().resolve("in-the-way"));
        Supervisor supervisor = supervise();
        Instance blog = fixture.instance("blog");
        assertEquals(RUNNING, blog.start(Actor.operator("test")).state());
        LifecycleEvent warning = fixture.events.await(EventRecorder.kind(LifecycleEvent.Kind.WARNING), Duration.ofSeconds(5));
        assertTrue(warning.reason().startsWith("cannot write " + pidFile()), warning.reason());

        Files.delete(inTheWay);
        Files.delete(pidFile());
        sitevisor.testing.Await.until("the pid file written after all", Duration.ofSeconds(20), () -> Files.isRegularFile(pidFile()));
        assertEquals(blog.status().pid(), PidFile.read(pidFile()).identity().pid());
        assertNotNull(supervisor);
    }

    /** Another home's site of the same name carries another home's marker: never taken for ours. */
    @Test
    void aSiteOfTheSameNameInAnotherHomeIsNeverAdopted() throws Exception {
        try (Fixture other = new Fixture(Files.createDirectories(dir.resolve("other")))) {
            other.supervise("""
                    blog:
                      command: [sleep, "1000"]
                      startSeconds: 0
                      autostart: false
                    """);
            assertEquals(RUNNING, other.instance("blog").start(Actor.operator("test")).state());
            long theirs = other.instance("blog").status().pid();

            supervise().startUp();

            assertEquals(STOPPED, fixture.instance("blog").state(), fixture.events.describe());
            assertTrue(ProcessIdentity.of(theirs).isPresent(), "the other home's site was touched");
        }
    }
}
