package sitevisor.history;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.db.History;
import sitevisor.db.HistoryEvent;
import sitevisor.scheduler.SchedulerEvent;
import sitevisor.supervise.Actor;
import sitevisor.supervise.EventListener;
import sitevisor.supervise.LifecycleEvent;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes every lifecycle event into the history. An operator's operation returns only once its
 * events are committed, so what an operator was told happened is never lost; events of the
 * daemon and its policies (a crash restart) are queued without waiting, so a slow disk never
 * delays a recovery. A failing database is waited for a bounded time, then supervision goes on
 * and the events stay queued.
 */
public final class HistoryRecorder implements EventListener {
    private static final Logger log = LoggerFactory.getLogger(HistoryRecorder.class);
    private static final Duration OPERATOR_WAIT = Duration.ofSeconds(2);

    private final History history;
    private final Clock clock;
    private final AtomicBoolean waitFailed = new AtomicBoolean();

    public HistoryRecorder(History history, Clock clock) {
        this.history = history;
        this.clock = clock;
    }

    @Override
    public void onEvent(LifecycleEvent event) {
        long sequence = history.append(row(event));
        // while writes fail, each wait would only slow the operator's operation by the timeout
        if (event.actor().isOperator() && !history.health().failing()) awaitCommitted(sequence);
    }

    /** An event of the daemon itself (started, stopping, exiting), under the site "". */
    public void daemonEvent(String reason, Actor actor) {
        long sequence = history.append(new HistoryEvent(0, clock.millis(), "", 0, ProcessHandle.current().pid(), "daemon",
                "", "", -1, 0, reason, actor.toString(), -1, ""));
        if (!history.health().failing()) awaitCommitted(sequence);
    }

    /**
     * What the scheduler did: a task run, a drain, a maintenance window. Waited for like an
     * operator's event when an operator asked (a run, a pause, a window set by hand).
     */
    public void schedulerEvent(SchedulerEvent event) {
        long sequence = history.append(new HistoryEvent(0, event.at().toEpochMilli(), event.site(), 0, event.pid(), event.kind().verb(),
                "", "", event.exitCode(), 0, event.reason(), event.actor(), event.durationMillis(), event.task()));
        if (event.actor().startsWith("operator") && !history.health().failing()) awaitCommitted(sequence);
    }

    private void awaitCommitted(long sequence) {
        if (history.awaitCommitted(sequence, OPERATOR_WAIT)) {
            if (waitFailed.compareAndSet(true, false)) log.info("history: events are committed again");
        } else if (waitFailed.compareAndSet(false, true)) {
            log.error("history: an event was not committed within {} ms ({}); supervision goes on, the events wait in memory",
                    OPERATOR_WAIT.toMillis(), history.health());
        }
    }

    static HistoryEvent row(LifecycleEvent event) {
        boolean transition = event.kind() == LifecycleEvent.Kind.TRANSITION;
        return new HistoryEvent(0, event.at().toEpochMilli(), event.site(), event.instance(), event.pid(), event.verb(),
                transition ? event.from().name() : "", transition ? event.to().name() : "",
                event.exitCode(), event.signal(), event.reason(), event.actor().toString(), event.durationMillis(), "");
    }
}
