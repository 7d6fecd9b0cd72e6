package sitevisor.supervise;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.*;

/** The instance's operation lock: exclusive and reentrant, and passed from one thread to another without a gap. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class OperationLockTest {
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void aHandedOffLockStaysTakenUntilTheThreadThatTookItOverUnlocks() throws Exception {
        OperationLock lock = new OperationLock();
        lock.lock();
        lock.handOff();

        assertTrue(lock.isLocked());
        assertFalse(lock.isHeldByCurrentThread());
        assertFalse(call(lock::tryLock), "another thread took a handed-off lock");
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            lock.lock();
            lock.unlock();
        }, threads);

        CompletableFuture<Boolean> taker = CompletableFuture.supplyAsync(() -> {
            lock.takeOver();
            boolean held = lock.isHeldByCurrentThread();
            // still exclusive: the waiter has not got in while this thread holds it
            boolean waiterStillWaits = !waiting.isDone();
            lock.unlock();
            return held && waiterStillWaits;
        }, threads);

        assertTrue(taker.get(10, TimeUnit.SECONDS), "the taker did not hold the lock alone");
        waiting.get(10, TimeUnit.SECONDS);
        assertFalse(lock.isLocked());
    }

    @Test
    void theHolderReentersAndOnlyTheLastUnlockReleases() throws Exception {
        OperationLock lock = new OperationLock();
        lock.lock();
        assertTrue(lock.tryLock());
        lock.unlock();
        assertTrue(lock.isHeldByCurrentThread());
        assertFalse(call(lock::tryLock));
        lock.unlock();
        assertTrue(call(() -> {
            boolean got = lock.tryLock();
            if (got) lock.unlock();
            return got;
        }));
    }

    @Test
    void onlyALockTakenOnceCanBeHandedOffAndOnlyAHandedOffLockTakenOver() throws Exception {
        OperationLock lock = new OperationLock();
        assertThrows(IllegalMonitorStateException.class, lock::handOff, "handed off by a thread that did not hold it");
        assertThrows(IllegalMonitorStateException.class, lock::takeOver, "taken over while free");
        lock.lock();
        lock.lock();
        assertThrows(IllegalMonitorStateException.class, lock::handOff, "handed off while held twice");
        lock.unlock();
        CompletableFuture<Void> stranger = CompletableFuture.runAsync(lock::takeOver, threads);
        Throwable refused = assertThrows(Exception.class, () -> stranger.get(10, TimeUnit.SECONDS)).getCause();
        assertInstanceOf(IllegalMonitorStateException.class, refused, "a thread took over a lock its holder kept");
        CompletableFuture<Void> unlocker = CompletableFuture.runAsync(lock::unlock, threads);
        assertInstanceOf(IllegalMonitorStateException.class, assertThrows(Exception.class, () -> unlocker.get(10, TimeUnit.SECONDS)).getCause(),
                "a thread unlocked a lock it did not hold");
        assertTrue(lock.isHeldByCurrentThread());
        lock.unlock();
        assertFalse(lock.isLocked());
    }

    private <T> T call(java.util.concurrent.Callable<T> work) throws Exception {
        try {
            return threads.submit(work).get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the other thread did not answer", e);
        }
    }
}
