package sitevisor.posix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProcessTableTest {
    @Test
    void aProcessStartedBeforeTheQuestionIsAlwaysInTheAnswer() throws Exception {
        ProcessTable table = new ProcessTable("SITEVISOR_TEST_MARKER");
        table.now(); // a table from before the process: it must not be reused
        // threads of ours started around it, whose pids do not count as new processes
        List<Thread> threads = new ArrayList<>();
        CountDownLatch end = new CountDownLatch(1);
        Process sleeper = null;
        try {
            threads.add(parked(end));
            sleeper = new ProcessBuilder("sleep", "30").start();
            threads.add(parked(end));
            long pid = sleeper.pid();
            assertTrue(table.now().processes().stream().anyMatch(p -> p.pid() == pid), "a stale table answered a later question");
        } finally {
            end.countDown();
            for (Thread thread : threads) thread.join();
            if (sleeper != null) sleeper.destroyForcibly().waitFor();
        }
    }

    @Test
    void manyCallersAtOnceShareScansAndEachSeesWhatStartedBeforeItAsked() throws Exception {
        ProcessTable table = new ProcessTable("SITEVISOR_TEST_MARKER");
        ExecutorService callers = Executors.newFixedThreadPool(32);
        List<Process> sleepers = new ArrayList<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> answers = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                Process sleeper = new ProcessBuilder("sleep", "30").start();
                sleepers.add(sleeper);
                answers.add(callers.submit(() -> {
                    go.await();
                    return table.now().processes().stream().anyMatch(p -> p.pid() == sleeper.pid());
                }));
            }
            go.countDown();
            for (Future<Boolean> answer : answers) assertTrue(answer.get());
        } finally {
            callers.shutdownNow();
            for (Process sleeper : sleepers) sleeper.destroyForcibly().waitFor();
        }
    }

    @Test
    void threadsTheDaemonStartsLeaveTheLatestScanInForce() throws Exception {
        // other processes start on a shared machine now and then, and then a fresh scan is right:
        // the latest scan must outlive a started thread in some of the tries, where before it never did
        ProcessTable table = new ProcessTable("SITEVISOR_TEST_MARKER");
        CountDownLatch end = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        int kept = 0;
        try {
            for (int attempt = 0; attempt < 20 && kept == 0; attempt++) {
                ProcessTable.Scan before = table.now();
                threads.add(parked(end));
                threads.add(parked(end));
                if (table.now() == before) kept++;
            }
        } finally {
            end.countDown();
            for (Thread thread : threads) thread.join();
        }
        assertTrue(kept > 0, "every thread started sent the next question to a new scan");
    }

    @Test
    void pidsGivenOutSinceAScanAreEachLookedAtOnceAndAProcessAmongThemBringsAFreshScan() {
        AtomicLong lastPid = new AtomicLong(4000);
        AtomicInteger scans = new AtomicInteger();
        List<Long> lookedAt = new ArrayList<>();
        Map<Long, Processes.Task> tasks = new HashMap<>(Map.of(4002L, Processes.Task.OTHER_THREAD, 4006L, Processes.Task.PROCESS));
        ProcessTable table = new ProcessTable("SITEVISOR_TEST_MARKER", () -> {
            scans.incrementAndGet();
            return List.of(new ProcStat(100, "site", 'S', 1, 100, 100, 0, 10));
        }, lastPid::get, pid -> {
            lookedAt.add(pid);
            return tasks.getOrDefault(pid, Processes.Task.OWN_THREAD);
        }, pid -> new byte[0]);

        ProcessTable.Scan first = table.now();
        lookedAt.clear();
        lastPid.set(4003); // threads: two of ours, one of another process
        assertSame(first, table.now());
        assertSame(first, table.now());
        lastPid.set(4005);
        assertSame(first, table.now());
        assertEquals(List.of(4001L, 4002L, 4003L, 4004L, 4005L), lookedAt, "each new pid once, in turn");
        assertEquals(1, scans.get());

        lastPid.set(4007); // 4006 is a process the first scan missed
        ProcessTable.Scan second = table.now();
        assertNotSame(first, second);
        assertEquals(2, scans.get());

        lookedAt.clear();
        lastPid.addAndGet(ProcessTable.NEW_PIDS_CHECKED_AT_MOST + 1);
        assertNotSame(second, table.now(), "too many new pids to look at: a scan is cheaper");
        assertEquals(3, scans.get());

        lastPid.set(300); // the counter wrapped round
        table.now();
        assertEquals(4, scans.get());
    }

    @Test
    void aPidThatNamedNothingIsLookedAtByEachLaterQuestionUntilItShowsAsAProcess() {
        // the kernel gives out a pid a moment before its task shows in /proc: nothing there may be
        // a task that ended, or a process on its way that a later question must find
        AtomicLong lastPid = new AtomicLong(4000);
        AtomicInteger scans = new AtomicInteger();
        Map<Long, Processes.Task> tasks = new HashMap<>(Map.of(4001L, Processes.Task.NONE));
        ProcessTable table = new ProcessTable("SITEVISOR_TEST_MARKER", () -> {
            scans.incrementAndGet();
            List<ProcStat> listed = new ArrayList<>(List.of(new ProcStat(100, "site", 'S', 1, 100, 100, 0, 10)));
            if (tasks.get(4001L) == Processes.Task.PROCESS) listed.add(new ProcStat(4001, "late", 'S', 1, 4001, 4001, 0, 20));
            return listed;
        }, lastPid::get, pid -> tasks.getOrDefault(pid, Processes.Task.OWN_THREAD), pid -> new byte[0]);

        ProcessTable.Scan first = table.now();
        lastPid.set(4001);
        assertSame(first, table.now(), "no process behind pid 4001 when asked");
        assertSame(first, table.now());
        tasks.put(4001L, Processes.Task.PROCESS);
        ProcessTable.Scan second = table.now();
        assertNotSame(first, second, "pid 4001 showed as a process, and the old table answered");
        assertEquals(2, scans.get());

        // ended tasks pile up on a machine that runs many short commands: past a bound, a scan is cheaper
        long from = lastPid.get();
        for (long pid = from + 1; pid <= from + ProcessTable.UNSEEN_PIDS_KEPT_AT_MOST; pid++) tasks.put(pid, Processes.Task.NONE);
        lastPid.set(from + ProcessTable.UNSEEN_PIDS_KEPT_AT_MOST);
        assertSame(second, table.now());
        tasks.put(lastPid.incrementAndGet(), Processes.Task.NONE);
        assertNotSame(second, table.now(), "more unseen pids than kept");
    }

    @Test
    void aProcessThatShowedOnlyAfterTheListingKeepsTheScanFromLaterQuestions() {
        // pid 3998 was given out before the scan began and its process was not listed: it showed late
        AtomicInteger scans = new AtomicInteger();
        Map<Long, Processes.Task> tasks = new HashMap<>(Map.of(3998L, Processes.Task.PROCESS, 3999L, Processes.Task.NONE));
        ProcessTable table = new ProcessTable("SITEVISOR_TEST_MARKER", () -> {
            scans.incrementAndGet();
            return List.of(new ProcStat(100, "site", 'S', 1, 100, 100, 0, 10));
        }, () -> 4000, pid -> tasks.getOrDefault(pid, Processes.Task.OTHER_THREAD), pid -> new byte[0]);
        ProcessTable.Scan first = table.now();
        assertNotSame(first, table.now(), "a process the scan missed, and the scan answered a later question");
        assertEquals(2, scans.get());

        // the same scan with pid 3998 listed, and pid 3999 unseen until it shows as a process
        tasks.put(3998L, Processes.Task.NONE);
        ProcessTable.Scan listed = table.now();
        assertEquals(3, scans.get());
        assertSame(listed, table.now());
        tasks.put(3999L, Processes.Task.PROCESS);
        assertNotSame(listed, table.now(), "pid 3999, given out before the scan, showed as a process later");
    }

    @Test
    void readsTheMarkerOnceAndForgetsItWhenTheProcessEnds() throws Exception {
        ProcessTable table = new ProcessTable("SITEVISOR_TEST_MARKER");
        ProcessBuilder builder = new ProcessBuilder("sleep", "30");
        builder.environment().put("SITEVISOR_TEST_MARKER", "abc-123");
        Process marked = builder.start();
        Process unmarked = new ProcessBuilder("sleep", "30").start();
        try {
            ProcStat markedStat = table.now().processes().stream().filter(p -> p.pid() == marked.pid()).findFirst().orElseThrow();
            ProcStat unmarkedStat = table.now().processes().stream().filter(p -> p.pid() == unmarked.pid()).findFirst().orElseThrow();
            assertEquals("abc-123", table.markerOf(markedStat));
            assertEquals("", table.markerOf(unmarkedStat));
            assertEquals(2, table.rememberedMarkers());
        } finally {
            marked.destroyForcibly().waitFor();
            unmarked.destroyForcibly().waitFor();
        }
        // the next scan forgets them; one comes once a process has started since the last
        Process later = new ProcessBuilder("sleep", "30").start();
        try {
            table.now();
        } finally {
            later.destroyForcibly().waitFor();
        }
        assertEquals(0, table.rememberedMarkers());
    }

    /**
     * While a process execs, its environment reads empty for a moment: the new program's is not
     * laid out yet. Taken as "no marker", and remembered, it would hide a daemonized site's
     * process from its stop for the rest of its life.
     */
    @Test
    void anEnvironmentThatReadsEmptyWhileItIsInPlaceIsReadAgain() throws Exception {
        Process marked = startMarked("abc-123");
        try {
            AtomicInteger reads = new AtomicInteger();
            ProcessTable table = tableReading(pid -> reads.incrementAndGet() <= 3 ? new byte[0] : realEnvironment(pid));
            assertEquals("abc-123", table.markerOf(statOf(marked)));
            assertEquals(4, reads.get());
        } finally {
            marked.destroyForcibly().waitFor();
        }
    }

    @Test
    void aMarkerThatCannotBeToldIsNotRemembered() throws Exception {
        Process marked = startMarked("abc-123");
        try {
            AtomicBoolean blank = new AtomicBoolean(true);
            ProcessTable table = tableReading(pid -> blank.get() ? new byte[0] : realEnvironment(pid));
            assertEquals("", table.markerOf(statOf(marked)));
            assertEquals(0, table.rememberedMarkers(), "an answer that was never read was remembered");
            blank.set(false);
            assertEquals("abc-123", table.markerOf(statOf(marked)));
        } finally {
            marked.destroyForcibly().waitFor();
        }
    }

    @Test
    void aProcessWithNoEnvironmentAtAllHasNoMarkerForGood() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("/bin/sleep", "30");
        builder.environment().clear();
        Process bare = builder.start();
        try {
            AtomicInteger reads = new AtomicInteger();
            ProcessTable table = tableReading(pid -> {
                reads.incrementAndGet();
                return realEnvironment(pid);
            });
            assertEquals("", table.markerOf(statOf(bare)));
            assertEquals(1, table.rememberedMarkers(), "an environment laid out empty is an answer");
            assertEquals(1, reads.get());
        } finally {
            bare.destroyForcibly().waitFor();
        }
    }

    @Test
    void aZombieOrAKernelThreadIsNotReadAtAll() {
        ProcessTable table = tableReading(pid -> {
            throw new AssertionError("read the environment of pid " + pid);
        });
        assertEquals("", table.markerOf(new ProcStat(4000, "gone", 'Z', 1, 4000, 4000, 0, 10)));
        assertEquals("", table.markerOf(new ProcStat(4001, "kworker/0:1", 'I', 2, 0, 0, 0x208060, 11)));
    }

    /** A thread that waits until {@code end}: it takes a pid of its own while it lives. */
    private static Thread parked(CountDownLatch end) {
        Thread thread = new Thread(() -> {
            try {
                end.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        thread.start();
        return thread;
    }

    private static Process startMarked(String marker) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("sleep", "30");
        builder.environment().put("SITEVISOR_TEST_MARKER", marker);
        return builder.start();
    }

    private static ProcessTable tableReading(ProcessTable.Environments environments) {
        return new ProcessTable("SITEVISOR_TEST_MARKER", Processes::all, Processes::lastStartedPid, Processes::taskOf, environments);
    }

    private static byte[] realEnvironment(long pid) throws IOException {
        return Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
    }

    /** The process as a scan saw it once it runs its program (before its exec it is a copy of the JVM). */
    private static ProcStat statOf(Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Optional<ProcStat> stat = ProcStat.read(process.pid());
            if (stat.isPresent() && stat.get().name().equals("sleep")) return stat.get();
            Thread.onSpinWait();
        }
        throw new AssertionError("pid " + process.pid() + " did not exec sleep within 10 s");
    }

    @Test
    void aScanKnowsEachProcesssAncestorsAsFarAsItSawThem() {
        // pid, name, state, parent, group, session, start
        List<ProcStat> table = List.of(
                new ProcStat(1, "init", 'S', 0, 1, 1, 0, 1),
                new ProcStat(100, "site", 'S', 1, 100, 100, 0, 10),
                new ProcStat(101, "worker", 'S', 100, 100, 100, 0, 11),
                new ProcStat(102, "grandchild", 'S', 101, 102, 102, 0, 12),
                new ProcStat(103, "orphan", 'S', 1, 103, 103, 0, 13),
                new ProcStat(104, "parent unseen", 'S', 999, 104, 104, 0, 14),
                new ProcStat(105, "below unseen", 'S', 104, 104, 104, 0, 15));
        ProcessTable.Scan scan = new ProcessTable("SITEVISOR_TEST_MARKER", () -> table).now();
        assertEquals(table, scan.processes());
        assertTrue(scan.descendsFrom(1, 1), "a child of init");
        assertTrue(scan.descendsFrom(2, 100), "a child");
        assertTrue(scan.descendsFrom(3, 100), "a grandchild");
        assertFalse(scan.descendsFrom(3, 103), "another branch");
        assertFalse(scan.descendsFrom(4, 100), "an orphan, adopted by init");
        assertTrue(scan.descendsFrom(6, 999), "its parent's parent, though that one is not in the scan");
        assertFalse(scan.descendsFrom(6, 100), "the chain breaks where the scan saw no parent");
        assertFalse(scan.descendsFrom(1, 100), "a parent does not descend from its child");
    }

    @Test
    void whileNoProcessStartsTheLatestScanAnswersLaterQuestionsAndTheFirstNewPidBringsAFreshOne() {
        AtomicLong lastPid = new AtomicLong(4000);
        AtomicInteger scans = new AtomicInteger();
        ProcessTable table = new ProcessTable("SITEVISOR_TEST_MARKER", () -> {
            scans.incrementAndGet();
            List<ProcStat> listed = new ArrayList<>(List.of(new ProcStat(100, "site", 'S', 1, 100, 100, 0, 10)));
            if (lastPid.get() >= 4001) listed.add(new ProcStat(4001, "new", 'S', 1, 4001, 4001, 0, 20));
            return listed;
        }, lastPid::get, pid -> pid > 4000 ? Processes.Task.PROCESS : Processes.Task.NONE, pid -> new byte[0]);

        ProcessTable.Scan first = table.now();
        assertSame(first, table.now(), "a process started since the first scan?");
        assertSame(first, table.now());
        assertEquals(1, scans.get());

        lastPid.set(4001);
        ProcessTable.Scan second = table.now();
        assertNotSame(first, second, "a process started, and the old table answered");
        assertEquals(2, scans.get());
        assertSame(second, table.now());
    }

    @Test
    void whenTheLastPidIsUnknownEveryQuestionGetsAScanBegunAfterIt() {
        AtomicInteger scans = new AtomicInteger();
        ProcessTable table = new ProcessTable("SITEVISOR_TEST_MARKER", () -> {
            scans.incrementAndGet();
            return List.of();
        }, () -> -1);
        table.now();
        table.now();
        assertEquals(2, scans.get());
    }

    @Test
    void theLastPidGivenOutMovesWithEveryProcessStarted() throws Exception {
        long before = Processes.lastStartedPid();
        assertTrue(before > 0, "cannot read the last pid from /proc/loadavg");
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            long after = Processes.lastStartedPid();
            assertNotEquals(before, after, "pid " + sleeper.pid() + " started and the last pid stayed " + before);
            assertTrue(after >= sleeper.pid() || after < before, "the last pid " + after + " is before pid " + sleeper.pid() + ", which started before it was read");
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
    }

    @Test
    void aScanGivesTheMarkerOfEachProcessInIt() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sleep", "30");
        builder.environment().put("SITEVISOR_TEST_MARKER", "abc-123");
        Process marked = builder.start();
        try {
            ProcessTable table = new ProcessTable("SITEVISOR_TEST_MARKER");
            ProcessTable.Scan scan = table.now();
            int at = -1;
            for (int i = 0; i < scan.size(); i++) if (scan.get(i).pid() == marked.pid()) at = i;
            assertTrue(at >= 0, "the marked process is not in the scan");
            assertEquals("abc-123", scan.markerOf(at));
            int other = at == 0 ? 1 : 0;
            assertEquals("", scan.markerOf(other), "pid " + scan.get(other).pid() + " has no marker");
        } finally {
            marked.destroyForcibly().waitFor();
        }
    }
}
