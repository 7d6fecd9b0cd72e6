package sitevisor.scheduler;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.mbeans.Actor;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** How the scheduler's parts tell what they did, and write a time as the operator reads it. */
final class Reports {
    private static final Logger log = LoggerFactory.getLogger(Reports.class);

    private final SchedulerEvents events;
    private final Clock clock;
    private final ZoneId zone;

    Reports(SchedulerEvents events, Clock clock, ZoneId zone) {
        this.events = events;
        this.clock = clock;
        this.zone = zone;
    }

    Clock clock() {
        return clock;
    }

    ZoneId zone() {
        return zone;
    }

    /** An event of a site as a whole (a drain, a window), of no task and no process. */
    void site(String site, SchedulerEvent.Kind kind, String reason, Actor actor, long durationMillis) {
        emit(site, "", kind, 0, -1, reason, actor, durationMillis);
    }

    void emit(String site, String task, SchedulerEvent.Kind kind, long pid, int exitCode, String reason, Actor actor, long durationMillis) {
        try {
            events.onEvent(new SchedulerEvent(clock.instant(), site, task, kind, pid, exitCode, reason, actor, durationMillis));
        } catch (RuntimeException e) {
            log.error("event listener failed on {} {}: {}", kind, reason, e.getMessage(), e);
        }
    }

    /** A time as the operator reads it: local, to the second. */
    String local(Instant instant) {
        return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(instant.atZone(zone).toLocalDateTime().withNano(0)).replace('T', ' ');
    }
}
