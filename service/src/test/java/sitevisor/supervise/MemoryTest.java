package sitevisor.supervise;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.mbeans.Actor;
import sitevisor.posix.ProcessMemory;
import sitevisor.testing.Await;
import sitevisor.testing.PreforkedPool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static sitevisor.mbeans.SiteState.FATAL;
import static sitevisor.mbeans.SiteState.RUNNING;
import static sitevisor.mbeans.SiteState.STOPPED;

/** What a site's memory is, read through the supervisor from a real preforked site. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemoryTest {
    private static final long ALLOCATED_BYTES = 64L * 1024 * 1024;

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
    void aPreforkedSiteSharingOneAllocationCostsItOnceNotOncePerWorker() throws Exception {
        // a master that touches 64 MB, then forks three workers that share those pages and never write them
        Files.writeString(dir.resolve("pool.py"), PreforkedPool.script(ALLOCATED_BYTES, 3));
        fixture.supervise("""
                pool:
                  command: [python3, %s]
                  startSeconds: 0
                """.formatted(dir.resolve("pool.py")));
        Instance pool = fixture.instance("pool");
        assertEquals(RUNNING, pool.start(Actor.operator("test")).state());
        long pid = pool.status().pid();
        Await.until("the master touched its allocation and forked its workers", Duration.ofSeconds(30),
                () -> ProcessMemory.tree(pid).size() == 4 && ProcessMemory.residentBytes(ProcessMemory.tree(pid)) > 3.5 * ALLOCATED_BYTES);

        long summedResident = ProcessMemory.residentBytes(ProcessMemory.tree(pid));
        // the gauge samples at most once a second: wait for a reading taken after the workers forked
        Await.until("a reading of the whole pool", Duration.ofSeconds(10), () -> pool.status().memoryBytes() > ALLOCATED_BYTES);
        Instance.Status status = pool.status();
        assertTrue(summedResident > 3.5 * ALLOCATED_BYTES, "RSS summed over the workers counts the shared pages four times: " + summedResident);
        assertTrue(status.memoryBytes() < 1.5 * ALLOCATED_BYTES,
                "the site's memory counts them once: " + status.memoryBytes() + " against summed RSS " + summedResident);
        assertTrue(status.memoryPeakBytes() >= status.memoryBytes());
    }

    @Test
    void aPolicysRestartOrGiveUpOfAProcessNoLongerRunningDoesNothing() throws Exception {
        fixture.supervise("""
                web:
                  command: [sleep, "1000"]
                  startSeconds: 0
                """);
        Instance web = fixture.instance("web");
        Actor operator = Actor.operator("test");
        web.start(operator);
        long measured = web.status().pid();
        web.restart(operator);
        long now = web.status().pid();
        assertNotEquals(measured, now);

        // the watch measured the old process; an operator's restart came between
        Instance.Result moot = web.restartIfRunning(measured, Actor.policy("memory"));
        assertEquals("did not restart web: it is running with pid " + now + ", not pid " + measured + " now", moot.message());
        assertEquals(now, web.status().pid(), "the new process is left alone");

        web.stop(operator);
        assertEquals(STOPPED, web.restartIfRunning(now, Actor.policy("memory")).state(), "a stopped site stays stopped");
        assertEquals(STOPPED, web.giveUpIfRunning(now, Actor.policy("memory"), "memory: test").state());
        assertEquals(0, fixture.processesAlive());

        web.start(operator);
        long running = web.status().pid();
        Instance.Result gaveUp = web.giveUpIfRunning(running, Actor.policy("memory"), "memory: 200MB, over restart 100MB again");
        assertEquals(FATAL, gaveUp.state());
        assertEquals("memory: 200MB, over restart 100MB again", web.status().reason());
    }
}
