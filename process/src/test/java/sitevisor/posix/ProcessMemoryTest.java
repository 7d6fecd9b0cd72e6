package sitevisor.posix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import sitevisor.testing.Await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProcessMemoryTest {
    @Test
    void readsResidentPagesFromStatm() {
        assertEquals(512, ProcessMemory.parseResidentPages("2048 512 300 10 0 200 0\n"));
        assertEquals(0, ProcessMemory.parseResidentPages(""));
    }

    @Test
    void aProcessCountsWithTheProcessesItForkedAndAGoneOneIsZero() throws Exception {
        // a shell that forks two sleeps and waits: a master with its workers
        Process master = new ProcessBuilder("sh", "-c", "sleep 300 & sleep 300 & wait").start();
        try {
            long pid = master.pid();
            Path children = Path.of("/proc", Long.toString(pid), "task", Long.toString(pid), "children");
            // forked is not enough: until a worker has become sleep and sleeps, its memory still changes
            Await.until("both workers forked and asleep", Duration.ofSeconds(10), () -> {
                String[] forked = Files.readString(children).trim().split(" ");
                if (forked.length != 2) return false;
                for (String child : forked) {
                    ProcStat worker = ProcStat.read(Long.parseLong(child)).orElse(null);
                    if (worker == null || !worker.name().equals("sleep") || worker.state() != 'S') return false;
                }
                return true;
            });
            long masterOnly = pages(pid) * Native.pageSizeBytes();
            long total = ProcessMemory.residentBytes(pid);
            long workers = 0;
            for (String child : Files.readString(children).trim().split(" ")) workers += pages(Long.parseLong(child)) * Native.pageSizeBytes();
            assertTrue(workers > 0);
            assertEquals(masterOnly + workers, total, 256 * 1024, "master " + masterOnly + " + workers " + workers);
        } finally {
            master.descendants().forEach(ProcessHandle::destroyForcibly);
            master.destroyForcibly().waitFor();
        }
        assertEquals(0, ProcessMemory.residentBytes(master.pid()));
    }

    private static long pages(long pid) throws Exception {
        return ProcessMemory.parseResidentPages(Files.readString(Path.of("/proc", Long.toString(pid), "statm")));
    }
}
