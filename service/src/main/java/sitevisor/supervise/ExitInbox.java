package sitevisor.supervise;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * Where the exits of an instance's processes wait for someone to look at them under the
 * instance's operation lock. The exit watcher's thread must not wait: an operation under way
 * looks at the exit when it ends ({@link #afterOperation}), otherwise a worker does at once. A
 * thread per exit that waited for the lock cost a stop of hundreds of sites a thread start per
 * exit while every lock was held, and delayed the watcher's later reports.
 *
 * @param <E> an exit: the process that ended
 */
final class ExitInbox<E> {
    private final OperationLock operation;
    private final Executor workers;
    /** Whether the exit is a crash nobody is in charge of, for which the crash policy must run. */
    private final Predicate<E> needsPolicy;
    /** Takes the lock and looks at every exit waiting ({@link #next}); run on a worker. */
    private final Runnable lookAtExits;
    /** Oldest first. */
    private final Queue<E> waiting = new ConcurrentLinkedQueue<>();

    ExitInbox(OperationLock operation, Executor workers, Predicate<E> needsPolicy, Runnable lookAtExits) {
        this.operation = operation;
        this.workers = workers;
        this.needsPolicy = needsPolicy;
        this.lookAtExits = lookAtExits;
    }

    /** On the exit watcher's thread: never waits. */
    void exited(E exit) {
        waiting.add(exit);
        if (!operation.isLocked()) workers.execute(lookAtExits);
    }

    /** Under the lock: the oldest exit nobody has looked at, or null. */
    E next() {
        return waiting.poll();
    }

    /**
     * After an operation released the lock: an exit the operation dealt with itself (a stop's) is
     * dropped; one that needs the crash policy goes to a worker, so the operation's caller does not
     * wait for a restart. While another operation holds the lock, the exits are left to it.
     */
    void afterOperation() {
        while (!waiting.isEmpty() && operation.tryLock()) {
            E crashed;
            try {
                while ((crashed = waiting.peek()) != null && !needsPolicy.test(crashed)) waiting.poll();
            } finally {
                operation.unlock();
            }
            if (crashed != null) {
                workers.execute(lookAtExits);
                return;
            }
        }
    }
}
