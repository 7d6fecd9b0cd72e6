package sitevisor.db;

import org.junit.jupiter.api.Test;
import sitevisor.testing.Await;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventQueueTest {
    final AtomicInteger dropRuns = new AtomicInteger();

    long offer(EventQueue queue, long atMillis) {
        return queue.offer(HistoryTest.event("blog", atMillis, "at " + atMillis), dropRuns::incrementAndGet);
    }

    @Test
    void sequencesCountFromOneAndAFullQueueKeepsTheEarliest() {
        EventQueue queue = new EventQueue(3);

        assertEquals(List.of(1L, 2L, 3L, EventQueue.DROPPED, EventQueue.DROPPED),
                List.of(offer(queue, 10), offer(queue, 20), offer(queue, 30), offer(queue, 40), offer(queue, 50)));
        assertEquals(3, queue.size());
        assertEquals(2, queue.droppedTotal());
        assertEquals(1, dropRuns.get(), "a run of drops is announced once");
        assertEquals(new EventQueue.Drops(2, 40, 50), queue.takeDrops());
        assertEquals(new EventQueue.Drops(0, 0, 0), queue.takeDrops());
    }

    @Test
    void dropsGivenBackMergeWithNewOnes() {
        EventQueue queue = new EventQueue(1);
        offer(queue, 10);
        offer(queue, 20);
        EventQueue.Drops taken = queue.takeDrops();
        offer(queue, 30);

        queue.restoreDrops(taken);

        assertEquals(new EventQueue.Drops(2, 20, 30), queue.takeDrops());
        assertEquals(2, dropRuns.get());
    }

    @Test
    void committedReleasesWaitersUpToItsSequenceOnly() throws Exception {
        EventQueue queue = new EventQueue(10);
        for (int i = 0; i < 5; i++) offer(queue, i);
        List<EventQueue.Entry> batch = queue.nextBatch(3);
        assertEquals(List.of(1L, 2L, 3L), batch.stream().map(e -> e.sequence).toList());
        assertEquals(5, queue.size(), "entries stay queued until committed");

        queue.committed(3);

        assertTrue(queue.awaitCommitted(3, Duration.ZERO));
        assertFalse(queue.awaitCommitted(4, Duration.ofMillis(10)));
        assertEquals(2, queue.size());
        assertFalse(queue.awaitCommitted(EventQueue.DROPPED, Duration.ofDays(1)), "a dropped event is never committed, and says so at once");
        assertThrows(IllegalArgumentException.class, () -> queue.awaitCommitted(6, Duration.ZERO));
    }

    @Test
    void aClosedQueueTakesNothingAndDrainsToAnEmptyBatch() throws Exception {
        EventQueue queue = new EventQueue(10);
        offer(queue, 1);
        queue.close();

        assertEquals(EventQueue.DROPPED, offer(queue, 2));
        assertEquals(1, queue.nextBatch(10).size(), "what was queued before close is still written");
        queue.committed(1);
        assertTrue(queue.nextBatch(10).isEmpty(), "then the writer is told to stop");
    }

    @Test
    void anAppendWakesNoThreadThatWaitsForACommit() throws Exception {
        // at the end of a stop-all hundreds of operations wait for their last event's commit while
        // the others append theirs: each append used to wake every one of them
        EventQueue queue = new EventQueue(100_000);
        long awaited = offer(queue, 0);
        List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Thread waiter = new Thread(() -> {
                try {
                    queue.awaitCommitted(awaited, Duration.ofMinutes(1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waiter.start();
            waiters.add(waiter);
        }
        try {
            Await.until("every waiter waits", Duration.ofSeconds(10),
                    () -> waiters.stream().allMatch(w -> w.getState() == Thread.State.TIMED_WAITING));
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long before = waiters.stream().mapToLong(w -> threads.getThreadCpuTime(w.getId())).sum();
            // appends as operations make them, one now and then, not in one burst the waiters sleep through
            for (int i = 1; i <= 2_000; i++) {
                offer(queue, i);
                LockSupport.parkNanos(50_000);
            }
            long spentMillis = (waiters.stream().mapToLong(w -> threads.getThreadCpuTime(w.getId())).sum() - before) / 1_000_000;
            assertTrue(spentMillis < 20, "the waiters spent " + spentMillis + " ms of CPU waking up for appends");
        } finally {
            queue.committed(awaited);
            for (Thread waiter : waiters) waiter.join(10_000);
        }
    }
}
