package sitevisor.supervise;

import java.util.ArrayList;
import java.util.List;

/**
 * The waits an operation owes its caller before it returns. A listener that must hold an
 * operation up until something is done with its event — the history committing an operator's
 * event — leaves that wait here instead of blocking in {@code onEvent}: the operation goes on at
 * once, and waits for all its events together when it is done. A stop thus sends its signal
 * without first waiting for its STOPPING row, and its STOPPED row is committed with the rows of
 * the stops beside it.
 */
public final class DeferredWaits {
    /** For an event published outside an operation: each wait runs at once, in {@code onEvent}. */
    public static final DeferredWaits NONE = new DeferredWaits(true);

    private final boolean immediate;
    private final List<Runnable> waits = new ArrayList<>();

    private DeferredWaits(boolean immediate) {
        this.immediate = immediate;
    }

    /** Collects the waits of one operation, for {@link #awaitAll} at its end. */
    public static DeferredWaits collecting() {
        return new DeferredWaits(false);
    }

    /** Leaves a wait for the end of the operation; runs it now when there is no operation ({@link #NONE}). */
    public void add(Runnable wait) {
        if (immediate) {
            wait.run();
            return;
        }
        synchronized (waits) {
            waits.add(wait);
        }
    }

    /** Runs the waits left so far, oldest first, and forgets them; one that fails does not spare the others. */
    public void awaitAll() {
        List<Runnable> due;
        synchronized (waits) {
            due = List.copyOf(waits);
            waits.clear();
        }
        RuntimeException first = null;
        for (Runnable wait : due) {
            try {
                wait.run();
            } catch (RuntimeException e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }
}
