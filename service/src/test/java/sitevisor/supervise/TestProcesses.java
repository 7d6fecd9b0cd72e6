package sitevisor.supervise;

import sitevisor.testing.Await;
import sitevisor.posix.ProcStat;
import sitevisor.posix.Processes;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Marks every process a test starts with its own environment entry, so the test can find them
 * all — and kill whatever is left when it ends, also when it fails.
 */
public final class TestProcesses {
    public static final String VARIABLE = "SITEVISOR_TEST_RUN";
    public final String runId = UUID.randomUUID().toString();

    String entry() {
        return VARIABLE + "=" + runId;
    }

    /** The live processes this test started, directly or not. */
    public List<ProcStat> alive() {
        return Processes.all().stream()
                .filter(p -> !p.isZombie() && Processes.environmentContains(p.pid(), entry()))
                .toList();
    }

    /** SIGKILLs whatever is left; returns how many there were. */
    public int killAll() {
        List<ProcStat> left = alive();
        for (ProcStat p : left) {
            ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
        return left.size();
    }

    static void await(String what, Duration timeout, Await.Condition condition) throws Exception {
        Await.until(what, timeout, condition);
    }
}
