package sitevisor.supervise;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class ExitInboxTest {
    private final OperationLock operation = new OperationLock();
    private final List<Runnable> handedToWorkers = new ArrayList<>();
    private final List<String> seen = new ArrayList<>();
    private Set<String> crashes = Set.of();
    private final ExitInbox<String> inbox = new ExitInbox<>(operation, handedToWorkers::add, exit -> crashes.contains(exit), this::lookAtExits);

    private void lookAtExits() {
        operation.lock();
        try {
            for (String exit; (exit = inbox.next()) != null; ) seen.add(exit);
        } finally {
            operation.unlock();
        }
    }

    @Test
    void anExitWithNoOperationUnderWayGoesToAWorkerAtOnce() {
        inbox.exited("pid 10");
        assertEquals(1, handedToWorkers.size());
        handedToWorkers.get(0).run();
        assertEquals(List.of("pid 10"), seen);
    }

    @Test
    void anExitDuringAnOperationWaitsForItsEndAndOneItDealtWithIsDropped() {
        operation.lock();
        inbox.exited("pid 10");
        assertTrue(handedToWorkers.isEmpty(), "the watcher's thread hands nothing to a worker while an operation holds the instance");
        operation.unlock();
        inbox.afterOperation();
        assertTrue(handedToWorkers.isEmpty(), "the stop dealt with its own process's exit");
        assertNull(inbox.next(), "and the exit is gone");
    }

    @Test
    void aCrashDuringAnOperationGoesToAWorkerWhenItEnds() {
        crashes = Set.of("pid 11");
        operation.lock();
        inbox.exited("pid 10");
        inbox.exited("pid 11");
        operation.unlock();
        inbox.afterOperation();
        assertEquals(1, handedToWorkers.size(), "the crash policy runs on a worker, not in the operation's caller");
        handedToWorkers.get(0).run();
        assertEquals(List.of("pid 11"), seen, "the exit the operation dealt with was dropped first");
    }

    @Test
    void exitsLeftWhileAnotherOperationHoldsTheInstanceWaitForThatOne() throws Exception {
        crashes = Set.of("pid 11");
        inbox.exited("pid 11");
        handedToWorkers.clear();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            operation.lock();
            try {
                held.countDown();
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                operation.unlock();
            }
        });
        other.start();
        assertTrue(held.await(30, TimeUnit.SECONDS));
        inbox.afterOperation();
        assertTrue(handedToWorkers.isEmpty(), "the holder looks when it ends");
        release.countDown();
        other.join(30_000);
        inbox.afterOperation();
        assertEquals(1, handedToWorkers.size());
    }
}
