package sitevisor.posix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.file.Path;
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
    void aPidIsToldAsOurThreadAnotherProcesssThreadAProcessOrNothing() throws Exception {
        String[] ours = new File("/proc/self/task").list();
        assertNotNull(ours);
        long self = ProcessHandle.current().pid();
        for (String task : ours) {
            long tid = Long.parseLong(task);
            assertEquals(tid == self ? Processes.Task.PROCESS : Processes.Task.OWN_THREAD, Processes.taskOf(tid), "our thread " + task);
        }
        // a JVM: a process with threads of its own
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Sleeper.class.getName())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long pid = other.pid();
        try {
            assertEquals(Processes.Task.PROCESS, Processes.taskOf(pid));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String[] threads;
            while ((threads = new File("/proc/" + pid + "/task").list()) == null || threads.length < 2) {
                assertTrue(System.nanoTime() < deadline, "pid " + pid + " started no thread");
                Thread.onSpinWait();
            }
            for (String thread : threads) {
                long tid = Long.parseLong(thread);
                if (tid != pid) assertEquals(Processes.Task.OTHER_THREAD, Processes.taskOf(tid), "thread " + tid + " of pid " + pid);
            }
        } finally {
            other.destroyForcibly().waitFor();
        }
        assertEquals(Processes.Task.NONE, Processes.taskOf(pid), "pid " + pid + " ended and was reaped");
    }

    /** A JVM that waits to be killed: a process with threads of its own. */
    public static final class Sleeper {
        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
        }
    }
}
