package sitevisor.history;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.db.History;
import sitevisor.db.HistoryEvent;
import sitevisor.scheduler.SchedulerEvent;
import sitevisor.scheduler.SchedulerEvents;
import sitevisor.mbeans.Actor;
import sitevisor.supervise.EventListener;
import sitevisor.supervise.LifecycleEvent;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes every lifecycle event into the history. An operator's operation returns only once its
 * events are committed, so what an operator was told happened is never lost (it waits once, when
 * it is done, for all of them: a group commit, and nothing it does waits for a row); events of the
 * daemon and its policies (a crash restart) are queued without waiting, so a slow disk never
 * delays a recovery. A failing database is waited for a bounded time, then supervision goes on
 * and the events stay queued.
 *
 * <p>The daemon starts its sites while the history opens: until {@link #attach} the events wait
 * here, in order, and go into the history ahead of any later one. Nobody waits on them meanwhile:
 * no operator can act before the history is open, as the doors open after it.
 */
public final class HistoryRecorder implements EventListener, SchedulerEvents {
    private static final Logger log = LoggerFactory.getLogger(HistoryRecorder.class);
    private static final Duration OPERATOR_WAIT = Duration.ofSeconds(2);
    /** What {@link #append} answers for an event held until the history is attached: there is nothing to wait for. */
    private static final long HELD = 0;

    private final Clock clock;
    private final AtomicBoolean waitFailed = new AtomicBoolean();
    /** Null until attached; then only read. */
    private volatile History history;
    /** The events before the history was attached, oldest first; guarded by this. */
    private List<HistoryEvent> held = new ArrayList<>();

    /** Holds the events until {@link #attach}. */
    public HistoryRecorder(Clock clock) {
        this.clock = clock;
    }

    public HistoryRecorder(History history, Clock clock) {
        this(clock);
        attach(history);
    }

    /** Writes the events held so far into the history, then every later one as it comes. Once only. */
    public void attach(History opened) {
        synchronized (this) {
            if (history != null) throw new IllegalStateException("a history is attached already");
            for (HistoryEvent event : held) opened.append(event);
            held = null;
            history = opened;
        }
    }

    /** Whether the events go into a history now; before, they wait here. */
    public boolean attached() {
        return history != null;
    }

    /**
     * Queues the event; an operator's is waited for — at the end of the operation that published
     * it, or at once when it has none — so the operation returns only once it is committed.
     */
    @Override
    public void onEvent(LifecycleEvent event) {
        long sequence = append(row(event));
        // while writes fail, each wait would only slow the operator's operation by the timeout
        if (event.actor().isOperator()) event.waits().add(() -> awaitCommitted(sequence));
    }

    /** An event of the daemon itself (started, stopping, exiting), under the site "". */
    public void daemonEvent(String reason, Actor actor) {
        awaitCommitted(append(HistoryEvent.ofDaemon(clock.millis(), ProcessHandle.current().pid(), reason, actor.toString())));
    }

    /**
     * What the scheduler did: a task run, a drain, a maintenance window. Waited for like an
     * operator's event when an operator asked (a run, a pause, a window set by hand).
     */
    @Override
    public void onEvent(SchedulerEvent event) {
        long sequence = append(HistoryEvent.ofScheduler(event.at().toEpochMilli(), event.site(), event.task(), event.pid(),
                event.kind().verb(), event.exitCode(), event.reason(), event.actor().toString(), event.durationMillis()));
        if (event.actor().isOperator()) awaitCommitted(sequence);
    }

    private long append(HistoryEvent row) {
        History attached = history;
        if (attached != null) return attached.append(row);
        synchronized (this) {
            if (history != null) return history.append(row);
            held.add(row);
            return HELD;
        }
    }

    private void awaitCommitted(long sequence) {
        History attached = history;
        if (sequence == HELD || attached == null || attached.health().failing()) return;
        if (attached.awaitCommitted(sequence, OPERATOR_WAIT)) {
            if (waitFailed.compareAndSet(true, false)) log.info("history: events are committed again");
        } else if (waitFailed.compareAndSet(false, true)) {
            log.error("history: an event was not committed within {} ms ({}); supervision goes on, the events wait in memory",
                    OPERATOR_WAIT.toMillis(), attached.health());
        }
    }

    static HistoryEvent row(LifecycleEvent event) {
        boolean transition = event.kind() == LifecycleEvent.Kind.TRANSITION;
        return new HistoryEvent(0, event.at().toEpochMilli(), event.site(), event.instance(), event.pid(), event.verb(),
                transition ? event.from().name() : "", transition ? event.to().name() : "",
                event.exitCode(), event.signal(), event.reason(), event.actor().toString(), event.durationMillis(), "");
    }
}
