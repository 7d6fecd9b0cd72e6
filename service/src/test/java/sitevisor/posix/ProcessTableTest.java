package sitevisor.posix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProcessTableTest {
    @Test
    void aProcessStartedBeforeTheQuestionIsAlwaysInTheAnswer() throws Exception {
        ProcessTable table = new ProcessTable("SITEVISOR_TEST_MARKER");
        table.now(); // a table from before the process: it must not be reused
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            assertTrue(table.now().stream().anyMatch(p -> p.pid() == sleeper.pid()), "a stale table answered a later question");
        } finally {
            sleeper.destroyForcibly().waitFor();
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
                    return table.now().stream().anyMatch(p -> p.pid() == sleeper.pid());
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
    void readsTheMarkerOnceAndForgetsItWhenTheProcessEnds() throws Exception {
        ProcessTable table = new ProcessTable("SITEVISOR_TEST_MARKER");
        ProcessBuilder builder = new ProcessBuilder("sleep", "30");
        builder.environment().put("SITEVISOR_TEST_MARKER", "abc-123");
        Process marked = builder.start();
        Process unmarked = new ProcessBuilder("sleep", "30").start();
        try {
            ProcStat markedStat = table.now().stream().filter(p -> p.pid() == marked.pid()).findFirst().orElseThrow();
            ProcStat unmarkedStat = table.now().stream().filter(p -> p.pid() == unmarked.pid()).findFirst().orElseThrow();
            assertEquals("abc-123", table.markerOf(markedStat));
            assertEquals("", table.markerOf(unmarkedStat));
            assertEquals(2, table.rememberedMarkers());
        } finally {
            marked.destroyForcibly().waitFor();
            unmarked.destroyForcibly().waitFor();
        }
        table.now();
        assertEquals(0, table.rememberedMarkers());
    }
}
