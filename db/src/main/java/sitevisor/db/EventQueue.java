package sitevisor.db;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded queue between the appenders and the one writer thread. Events stay in it until they
 * are committed, so a failing database keeps them (up to the capacity) and the queue length is
 * what is waiting. The lock is held only to add, copy or remove entries, never across a database
 * call, so appending never waits on the disk.
 */
final class EventQueue {
    /** What {@link #offer} returns for an event that was not queued; never committed. */
    static final long DROPPED = -1;

    /** One queued event; the writer gives it an id the first time it tries to write it and keeps it across retries. */
    static final class Entry {
        final long sequence;
        final HistoryEvent event;
        long id;

        Entry(long sequence, HistoryEvent event) {
            this.sequence = sequence;
            this.event = event;
        }
    }

    /** Events that were dropped and not yet reported in the history: how many, and the first and last one's time. */
    record Drops(long count, long firstAtMillis, long lastAtMillis) {
        Drops merge(Drops other) {
            if (count == 0) return other;
            if (other.count == 0) return this;
            return new Drops(count + other.count, Math.min(firstAtMillis, other.firstAtMillis), Math.max(lastAtMillis, other.lastAtMillis));
        }
    }

    private static final Drops NONE = new Drops(0, 0, 0);

    private final ReentrantLock lock = new ReentrantLock();
    /** For the writer: signalled when events arrive, or the queue closes or is abandoned. */
    private final Condition arrived = lock.newCondition();
    /**
     * For the callers that wait for a commit: signalled when events are committed. Apart from
     * {@link #arrived}, so that an append wakes the writer alone: at the end of a stop-all hundreds
     * of operations wait for their last event while the others append theirs, and one condition
     * for both woke every waiter at every append.
     */
    private final Condition committedMore = lock.newCondition();
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final int capacity;
    private long lastSequence;
    private long committedSequence;
    private long droppedTotal;
    private Drops unreported = NONE;
    private boolean closed;
    private boolean abandoned;

    EventQueue(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("queue capacity must be 1 or more, got " + capacity);
        this.capacity = capacity;
    }

    /**
     * Queues the event and returns its sequence (from 1), or {@link #DROPPED} when the queue is full
     * or closed: the earliest events are kept, since they usually explain an incident.
     *
     * @param droppedFirst called (under no lock) when this drop starts a run of drops, so it is logged once
     */
    long offer(HistoryEvent event, Runnable droppedFirst) {
        boolean firstDrop;
        lock.lock();
        try {
            if (!closed && entries.size() < capacity) {
                Entry entry = new Entry(++lastSequence, event);
                entries.addLast(entry);
                arrived.signal();
                return entry.sequence;
            }
            droppedTotal++;
            firstDrop = unreported.count() == 0;
            unreported = unreported.merge(new Drops(1, event.atMillis(), event.atMillis()));
        } finally {
            lock.unlock();
        }
        if (firstDrop) droppedFirst.run();
        return DROPPED;
    }

    /**
     * For the writer: the oldest entries (at most {@code max}), left in the queue; waits while the
     * queue is empty and open. Empty once the queue is closed and drained, or abandoned.
     */
    List<Entry> nextBatch(int max) throws InterruptedException {
        lock.lock();
        try {
            while (entries.isEmpty() && !closed && !abandoned) arrived.await();
            if (abandoned) return List.of();
            List<Entry> batch = new ArrayList<>(Math.min(max, entries.size()));
            Iterator<Entry> it = entries.iterator();
            while (it.hasNext() && batch.size() < max) batch.add(it.next());
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /** For the writer: every entry up to and including this sequence is committed. */
    void committed(long sequence) {
        lock.lock();
        try {
            while (!entries.isEmpty() && entries.peekFirst().sequence <= sequence) entries.removeFirst();
            committedSequence = Math.max(committedSequence, sequence);
            committedMore.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether every event up to and including this sequence was committed within the timeout. */
    boolean awaitCommitted(long sequence, Duration timeout) throws InterruptedException {
        if (sequence < 0) return false;
        long leftNanos = timeout.toNanos();
        lock.lock();
        try {
            if (sequence > lastSequence) throw new IllegalArgumentException("history: sequence " + sequence + " was never returned by append (last " + lastSequence + ")");
            while (committedSequence < sequence) {
                if (leftNanos <= 0) return false;
                leftNanos = committedMore.awaitNanos(leftNanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** For the writer between retries: waits this long, or less when the queue closes or is abandoned. */
    void pause(long millis) throws InterruptedException {
        long leftNanos = TimeUnit.MILLISECONDS.toNanos(millis);
        lock.lock();
        try {
            boolean closedBefore = closed;
            while (leftNanos > 0 && closed == closedBefore && !abandoned) leftNanos = arrived.awaitNanos(leftNanos);
        } finally {
            lock.unlock();
        }
    }

    /** Takes the drops not yet reported; give them back with {@link #restoreDrops} when the report could not be written. */
    Drops takeDrops() {
        lock.lock();
        try {
            Drops taken = unreported;
            unreported = NONE;
            return taken;
        } finally {
            lock.unlock();
        }
    }

    void restoreDrops(Drops drops) {
        lock.lock();
        try {
            unreported = drops.merge(unreported);
        } finally {
            lock.unlock();
        }
    }

    /** No more events are taken; the writer drains what is queued. */
    void close() {
        lock.lock();
        try {
            closed = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The writer stops without draining (close waited long enough for a failing database). */
    void abandon() {
        lock.lock();
        try {
            abandoned = true;
            arrived.signalAll();
            committedMore.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the queue is empty; false when the timeout passed first. */
    boolean awaitEmpty(Duration timeout) throws InterruptedException {
        long leftNanos = timeout.toNanos();
        lock.lock();
        try {
            while (!entries.isEmpty()) {
                if (leftNanos <= 0) return false;
                leftNanos = committedMore.awaitNanos(leftNanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    boolean abandoned() {
        lock.lock();
        try {
            return abandoned;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    long droppedTotal() {
        lock.lock();
        try {
            return droppedTotal;
        } finally {
            lock.unlock();
        }
    }

    int capacity() {
        return capacity;
    }
}
