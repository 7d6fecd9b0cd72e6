package sitevisor.posix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.testing.Await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The watch's cheap readings: resident sizes through files kept open, and the host's memory. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResidentSizesTest {
    @TempDir
    Path dir;

    @Test
    void aFileKeptOpenFollowsItsProcessAsItGrowsAndSaysWhenItIsGone() throws Exception {
        // grows by 40 MB once it reads a line
        Process process = new ProcessBuilder("python3", "-c", """
                import sys
                sys.stdin.readline()
                block = bytearray(40 * 1024 * 1024)
                for i in range(0, len(block), 4096):
                    block[i] = 1
                print('grown', flush=True)
                sys.stdin.readline()
                """).start();
        try (ResidentSizes sizes = new ResidentSizes()) {
            List<Long> pids = List.of(process.pid());
            ResidentSizes.Reading small = sizes.read(pids);
            assertFalse(small.anyGone());
            assertTrue(small.bytes() > 0 && small.bytes() < 30L * 1024 * 1024, "a small python: " + small.bytes());

            process.getOutputStream().write('\n');
            process.getOutputStream().flush();
            assertEquals("grown", new String(process.getInputStream().readNBytes(5)));
            long grown = sizes.read(pids).bytes();
            assertTrue(grown > small.bytes() + 35L * 1024 * 1024, "the same open file reads the size now: " + small.bytes() + " then " + grown);

            process.destroyForcibly().waitFor();
            Await.until("the process reaped", Duration.ofSeconds(10), () -> !Files.exists(Path.of("/proc/" + process.pid())));
            ResidentSizes.Reading gone = sizes.read(pids);
            assertTrue(gone.anyGone());
            assertEquals(0, gone.bytes());
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void readsTheHostsMemoryAndItsPressureFromTheirFilesEachTimeAgain() throws Exception {
        Path meminfo = dir.resolve("meminfo");
        Path pressure = dir.resolve("pressure");
        Files.writeString(meminfo, "MemTotal:        1000000 kB\nMemFree:  1 kB\nMemAvailable:     600000 kB\nSwapTotal: 2000 kB\nSwapFree: 500 kB\n");
        Files.writeString(pressure, "some avg10=0.00 avg60=0.00 avg300=0.00 total=1234\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=99\n");
        try (HostMemory host = new HostMemory(meminfo, pressure)) {
            assertEquals(new HostMemory.Reading(1_024_000_000, 614_400_000, 1_536_000), host.read().orElseThrow());
            assertEquals(1234, host.stallMicros());
            Files.writeString(meminfo, "MemTotal:        1000000 kB\nMemAvailable:      40000 kB\n");
            HostMemory.Reading short_ = host.read().orElseThrow();
            assertEquals(40_960_000, short_.availableBytes());
            assertEquals(4.0, short_.availablePercent(), 0.001);
            assertEquals(0, short_.swapUsedBytes());
            Files.writeString(meminfo, "");
            assertTrue(host.read().isEmpty(), "a file caught while it is rewritten is no reading");
        }
        try (HostMemory host = new HostMemory(meminfo, dir.resolve("no-such-file"))) {
            assertEquals(-1, host.stallMicros(), "no pressure file: the kernel does not say");
        }
        try (HostMemory real = new HostMemory()) {
            HostMemory.Reading now = real.read().orElseThrow();
            assertTrue(now.totalBytes() > 0 && now.availableBytes() > 0 && now.availableBytes() <= now.totalBytes(), now.toString());
        }
    }

    @Test
    void theProcessesOfATreeAreReadAgainThroughTheirKeptFilesAsItForksAndEnds() throws Exception {
        // a master that forks two workers; the first ends when the master reads a line
        Process master = new ProcessBuilder("python3", "-c", """
                import os, sys, time
                workers = []
                for _ in range(2):
                    pid = os.fork()
                    if pid == 0:
                        time.sleep(1000)
                        os._exit(0)
                    workers.append(pid)
                print('forked', flush=True)
                sys.stdin.readline()
                os.kill(workers[0], 9)
                os.waitpid(workers[0], 0)
                print('one ended', flush=True)
                time.sleep(1000)
                """).start();
        try (KeptProcesses processes = new KeptProcesses()) {
            assertEquals("forked", new String(master.getInputStream().readNBytes(6)));
            List<Long> three = processes.read(master.pid(), null);
            assertEquals(3, three.size(), three.toString());
            assertEquals(master.pid(), three.get(0));
            assertEquals(ProcessMemory.tree(master.pid()), three, "the same tree as a reading that opens every file");

            master.getOutputStream().write('\n');
            master.getOutputStream().flush();
            assertEquals("\none ended", new String(master.getInputStream().readNBytes(10)));
            List<Long> two = processes.read(master.pid(), null);
            assertEquals(2, two.size(), two.toString());
            assertTrue(three.containsAll(two));
            assertEquals(two, processes.read(master.pid(), dir), "an empty folder for a cgroup: the tree is read");
        } finally {
            for (ProcessHandle worker : master.descendants().toList()) worker.destroyForcibly();
            master.destroyForcibly();
        }
    }

    @Test
    void numbersAreReadFromTheBytesOfAFile() {
        List<Long> read = new java.util.ArrayList<>();
        byte[] text = "12 345\n6\n".getBytes();
        KeptFile.numbers(text, text.length, read::add);
        assertEquals(List.of(12L, 345L, 6L), read);
        assertEquals(512, ProcessMemory.residentPages("2048 512 300 10 0 200 0\n".getBytes(), 24));
        assertEquals(-1, ProcessMemory.residentPages("2048".getBytes(), 4));
    }
}
