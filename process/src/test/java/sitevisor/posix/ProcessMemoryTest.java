package sitevisor.posix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import sitevisor.testing.Await;
import sitevisor.testing.PreforkedPool;

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
    void readsProportionalSetSizeAndSwapShareFromSmapsRollup() {
        String rollup = """
                560f25f64000-7ffeb9933000 ---p 00000000 00:00 0                          [rollup]
                Rss:                1984 kB
                Pss:                1065 kB
                Pss_Dirty:           164 kB
                Pss_Anon:            164 kB
                Swap:                 40 kB
                SwapPss:              20 kB
                """;
        assertEquals(1085, ProcessMemory.parseProportionalKilobytes(rollup), "Pss + SwapPss, not Pss_Dirty or Rss");
        assertEquals(0, ProcessMemory.parseProportionalKilobytes(""));
    }

    @Test
    void aPreforkedPoolSharingOneAllocationCostsItOnceNotOncePerWorker() throws Exception {
        long allocated = 64L * 1024 * 1024;
        // a master touches 64 MB, then forks three workers that share those pages and never write them
        Process master = new ProcessBuilder("python3", "-c", PreforkedPool.script(allocated, 3)).redirectErrorStream(true).start();
        try {
            long pid = master.pid();
            Await.until("the master forked its three workers", Duration.ofSeconds(20), () -> ProcessMemory.tree(pid).size() == 4
                    && ProcessMemory.residentBytes(ProcessMemory.tree(pid)) > 3.5 * allocated);
            long resident = ProcessMemory.residentBytes(ProcessMemory.tree(pid));
            long proportional = ProcessMemory.proportionalBytes(ProcessMemory.tree(pid));
            assertTrue(resident > 3.5 * allocated, "summed RSS counts the shared pages four times: " + resident);
            assertTrue(proportional > allocated && proportional < 1.5 * allocated, "PSS counts them once: " + proportional + " against RSS " + resident);
        } finally {
            master.descendants().forEach(ProcessHandle::destroyForcibly);
            master.destroyForcibly().waitFor();
        }
        assertEquals(0, ProcessMemory.proportionalBytes(java.util.List.of(master.pid())), "a gone process costs nothing");
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
            long total = ProcessMemory.residentBytes(ProcessMemory.tree(pid));
            long workers = 0;
            for (String child : Files.readString(children).trim().split(" ")) workers += pages(Long.parseLong(child)) * Native.pageSizeBytes();
            assertTrue(workers > 0);
            assertEquals(masterOnly + workers, total, 256 * 1024, "master " + masterOnly + " + workers " + workers);
        } finally {
            master.descendants().forEach(ProcessHandle::destroyForcibly);
            master.destroyForcibly().waitFor();
        }
        assertEquals(0, ProcessMemory.residentBytes(ProcessMemory.tree(master.pid())));
    }

    private static long pages(long pid) throws Exception {
        return ProcessMemory.parseResidentPages(Files.readString(Path.of("/proc", Long.toString(pid), "statm")));
    }
}
