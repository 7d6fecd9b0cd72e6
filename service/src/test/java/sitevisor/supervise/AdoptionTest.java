package sitevisor.supervise;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.posix.ProcStat;
import sitevisor.posix.ProcessIdentity;
import sitevisor.testing.Await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** What a starting daemon finds of an instance, against real processes: by pid file, and the main one among marked processes. */
class AdoptionTest {
    @TempDir
    Path dir;
    private Process running;

    @AfterEach
    void stop() throws Exception {
        if (running != null) {
            running.descendants().forEach(ProcessHandle::destroyForcibly);
            running.destroyForcibly().waitFor();
        }
    }

    private PidFile pidFileOf(long pid, String site, int instance) {
        ProcessIdentity identity = ProcessIdentity.of(pid).orElseThrow();
        return new PidFile(site, instance, identity, ProcStat.read(pid).orElseThrow().groupId(), "marker", Instant.now());
    }

    @Test
    void noPidFileIsNothingToDo() {
        assertInstanceOf(Adoption.Nothing.class, Adoption.fromPidFile(dir.resolve("web.pid"), "web", 0, "web"));
    }

    @Test
    void aPidFileOfTheInstanceNamingItsLiveProcessIsFound() throws Exception {
        running = new ProcessBuilder("sleep", "300").start();
        Path file = dir.resolve("web.pid");
        pidFileOf(running.pid(), "web", 0).writeTo(file);
        Adoption.Found found = assertInstanceOf(Adoption.Found.class, Adoption.fromPidFile(file, "web", 0, "web"));
        assertEquals(running.pid(), found.identity().pid());
        assertEquals("in web.pid", found.how());
        found.fd().close();
    }

    @Test
    void aPidFileOfAnotherInstanceOrAnEndedProcessIsStaleAndNamesWhy() throws Exception {
        running = new ProcessBuilder("sleep", "300").start();
        Path file = dir.resolve("web.pid");
        pidFileOf(running.pid(), "shop", 1).writeTo(file);
        Adoption.Stale other = assertInstanceOf(Adoption.Stale.class, Adoption.fromPidFile(file, "web", 0, "web"));
        assertTrue(other.why().contains("belongs to site 'shop' instance 1"), other.why());

        pidFileOf(running.pid(), "web", 0).writeTo(file);
        running.destroyForcibly().waitFor();
        Adoption.Stale ended = assertInstanceOf(Adoption.Stale.class, Adoption.fromPidFile(file, "web", 0, "web"));
        assertEquals(running.pid(), ended.pid());

        Files.writeString(file, "garbage\n");
        assertInstanceOf(Adoption.Stale.class, Adoption.fromPidFile(file, "web", 0, "web"));
    }

    /** The main process is the one whose parent is none of the instance's, not one of its children. */
    @Test
    void theMainProcessIsTheMarkedOneWhoseParentIsNotMarked() throws Exception {
        running = new ProcessBuilder("sh", "-c", "sleep 300 & exec sleep 301").start();
        Await.until("the child forked", Duration.ofSeconds(20), () -> running.descendants().count() == 1);
        ProcStat main = ProcStat.read(running.pid()).orElseThrow();
        ProcStat child = ProcStat.read(running.descendants().findFirst().orElseThrow().pid()).orElseThrow();
        List<Instance.Marked> marked = List.of(new Instance.Marked(child, "m"), new Instance.Marked(main, "m"));

        Adoption.Found found = Adoption.mainOf(marked, "by its marker, without a pid file", Instant.now()).orElseThrow();
        assertEquals(running.pid(), found.identity().pid());
        assertEquals("by its marker, without a pid file", found.how());
        found.fd().close();
        assertTrue(Adoption.mainOf(List.of(), "in its cgroup", Instant.now()).isEmpty());
    }
}
