package sitevisor.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.mbeans.SiteState;
import sitevisor.supervise.EventListener;
import sitevisor.supervise.LifecycleEvent;

/** Writes every lifecycle event as one log line that starts with a verb an operator can grep for. */
final class EventLog implements EventListener {
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
}
