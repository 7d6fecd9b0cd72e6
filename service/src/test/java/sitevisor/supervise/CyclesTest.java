package sitevisor.supervise;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.mbeans.Actor;
import sitevisor.posix.Processes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static sitevisor.mbeans.SiteState.*;

class CyclesTest {
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
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void fiveHundredStartStopCyclesLeaveNoZombieAndNoLeakedDescriptor() throws Exception {
        fixture.supervise("""
                cycler:
                  command: [sleep, "1000"]
                  startSeconds: 0
                  stopTimeout: 5s
                """);
        Instance site = fixture.instance("cycler");
        // warm up once, so descriptors the JDK opens lazily are not counted as leaks
        site.start(Actor.operator("test"));
        site.stop(Actor.operator("test"));
        long descriptorsBefore = openDescriptors();
        // a worker an earlier test's site left to this JVM, its subreaper, is reaped by this supervisor within
        // seconds: counted before and reaped during the cycles, it would read as fewer zombies, not as none leaked
        sitevisor.testing.Await.until("earlier tests' orphans reaped", java.time.Duration.ofSeconds(30), () -> zombieChildren() == 0);
        long zombiesBefore = zombieChildren();

        for (int cycle = 0; cycle < 500; cycle++) {
            assertEquals(RUNNING, site.start(Actor.operator("test")).state(), "cycle " + cycle);
            assertEquals(STOPPED, site.stop(Actor.operator("test")).state(), "cycle " + cycle);
        }

        assertEquals(zombiesBefore, zombieChildren(), "zombies left");
        assertEquals(0, fixture.processes.alive().size(), "processes left");
        long descriptorsAfter = openDescriptors();
        assertTrue(descriptorsAfter <= descriptorsBefore + 2, "descriptors grew from " + descriptorsBefore + " to " + descriptorsAfter);
        assertEquals(501, fixture.events.matching(e -> e.to() == STOPPED).size());
    }

    private static long zombieChildren() {
        long self = ProcessHandle.current().pid();
        return Processes.all().stream().filter(p -> p.parentPid() == self && p.isZombie()).count();
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
