package sitevisor.posix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProcessesTest {
    @Test
    void ticksSinceBootAreOnTheClockAndInTheUnitOfStartTimes() throws Exception {
        // a stop tells a process born after its group signal from one that got it by this comparison
        for (int round = 0; round < 5; round++) {
            long before = Processes.ticksSinceBoot();
            Process sleeper = new ProcessBuilder("sleep", "30").start();
            try {
                long started = ProcStat.read(sleeper.pid()).orElseThrow().startTicks();
                long after = Processes.ticksSinceBoot();
                assertTrue(before <= started, "started at tick " + started + ", before the tick " + before + " read earlier");
                assertTrue(started <= after, "started at tick " + started + ", after the tick " + after + " read later");
            } finally {
                sleeper.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void ourThreadsAreToldFromOtherTasks() throws Exception {
        String[] tasks = new File("/proc/self/task").list();
        assertNotNull(tasks);
        for (String task : tasks) assertTrue(Processes.isOwnThread(Long.parseLong(task)), "our thread " + task);
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        long pid = sleeper.pid();
        try {
            assertFalse(Processes.isOwnThread(pid), "a child process taken for one of our threads");
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
        assertFalse(Processes.isOwnThread(pid), "pid " + pid + " ended and was reaped");
    }
}
