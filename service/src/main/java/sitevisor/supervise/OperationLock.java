package sitevisor.supervise;

import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * The lock of one instance's operations: a reentrant mutual exclusion lock, like
 * {@link java.util.concurrent.locks.ReentrantLock}, whose holder may also pass it on. A stop of
 * many instances begins each one in a single thread (the state change and the signal), then lets
 * go of each lock with {@link #handOff} without unlocking it, and a thread per instance
 * {@link #takeOver}s one to wait for the processes: no other operation can come in between.
 */
final class OperationLock {
    private final Sync sync = new Sync();

    /** The state is the hold count; the owner is the holding thread, or none while the lock is handed off. */
    private static final class Sync extends AbstractQueuedSynchronizer {
        @Override
        protected boolean tryAcquire(int holds) {
            Thread current = Thread.currentThread();
            int count = getState();
            if (count == 0) {
                if (!compareAndSetState(0, holds)) return false;
                setExclusiveOwnerThread(current);
                return true;
            }
            if (getExclusiveOwnerThread() != current) return false;
            setState(count + holds);
            return true;
        }

        @Override
        protected boolean tryRelease(int holds) {
            if (getExclusiveOwnerThread() != Thread.currentThread()) throw new IllegalMonitorStateException("not the holder");
            int count = getState() - holds;
            if (count == 0) setExclusiveOwnerThread(null);
            setState(count);
            return count == 0;
        }

        @Override
        protected boolean isHeldExclusively() {
            return getExclusiveOwnerThread() == Thread.currentThread();
        }

        boolean isLocked() {
            return getState() != 0;
        }

        void handOff() {
            if (!isHeldExclusively() || getState() != 1) throw new IllegalMonitorStateException("only a holder that took the lock once can hand it off");
            setExclusiveOwnerThread(null);
        }

        void takeOver() {
            // the owner is a plain field: the thread that handed off must pass the work on through
            // something that orders memory (an executor's submission does)
            if (getState() != 1 || getExclusiveOwnerThread() != null) throw new IllegalMonitorStateException("the lock was not handed off");
            setExclusiveOwnerThread(Thread.currentThread());
        }
    }

    void lock() {
        sync.acquire(1);
    }

    boolean tryLock() {
        return sync.tryAcquire(1);
    }

    void unlock() {
        sync.release(1);
    }

    /** Whether anyone holds the lock, a handed-off lock included. */
    boolean isLocked() {
        return sync.isLocked();
    }

    boolean isHeldByCurrentThread() {
        return sync.isHeldExclusively();
    }

    /** The holder lets go without unlocking: the lock stays taken, by nobody, until a thread {@link #takeOver}s it. */
    void handOff() {
        sync.handOff();
    }

    /** The current thread becomes the holder of a lock that was {@link #handOff handed off}. */
    void takeOver() {
        sync.takeOver();
    }
}
