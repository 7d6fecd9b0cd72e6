package sitevisor.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.mbeans.SiteState;
import sitevisor.scheduler.SchedulerEvent;
import sitevisor.scheduler.SchedulerEvents;
import sitevisor.supervise.EventListener;
import sitevisor.supervise.LifecycleEvent;

/** Writes every lifecycle and scheduler event as one log line that starts with a verb an operator can grep for. */
final class EventLog implements EventListener, SchedulerEvents {
    private static final Logger log = LoggerFactory.getLogger("sitevisor.events");

    @Override
    public void onEvent(LifecycleEvent event) {
        String line = event.verb() + ": " + event.name() + ": " + event.reason() + " [" + event.actor() + "]";
        boolean bad = event.kind() == LifecycleEvent.Kind.REFUSED || event.kind() == LifecycleEvent.Kind.WARNING
                || event.kind() == LifecycleEvent.Kind.STALE_PID_FILE
                || (event.kind() == LifecycleEvent.Kind.TRANSITION && (event.to() == SiteState.FATAL || event.to() == SiteState.BACKOFF
                        || event.to() == SiteState.UNKNOWN && event.from() != SiteState.STOPPED));
        if (bad) log.warn(line);
        else log.info(line);
    }

    @Override
    public void onEvent(SchedulerEvent event) {
        String line = event.kind().verb() + ": " + event.site() + ": " + event.reason() + " [" + event.actor() + "]";
        switch (event.kind()) {
            case TASK_FAILED, TASK_TIMED_OUT, DRAIN_TIMED_OUT, MAINTENANCE_FAILED, MAINTENANCE_SKIPPED, TASK_MISSED -> log.warn(line);
            default -> log.info(line);
        }
    }
}
