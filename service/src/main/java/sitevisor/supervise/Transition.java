package sitevisor.supervise;

import sitevisor.mbeans.SiteState;

import java.util.EnumSet;
import java.util.Set;

import static sitevisor.mbeans.SiteState.*;

/**
 * Every change of an instance's state, named by what brings it about: the one table the state
 * door ({@code Instance.moveTo}) checks, and the one docs/states.md shows. Any other change is a
 * bug, refused where it would happen.
 */
public enum Transition {
    /** At start-up, a pid file, a marker or a cgroup names a live process of the instance. */
    FOUND(EnumSet.of(STOPPED), UNKNOWN),
    /** The process found is taken over. */
    ADOPTED(EnumSet.of(UNKNOWN), RUNNING),
    /** A process is spawned: a start, a retry after back-off, or a restart after a lone crash. */
    SPAWNED(EnumSet.of(STOPPED, BACKOFF, EXITED, FATAL), STARTING),
    /** The process, or the daemon it left behind, answers as the site says ready. */
    READY(EnumSet.of(STARTING), RUNNING),
    /** A start failed with retries left, or the site crashed again soon: the next try waits. */
    BACKED_OFF(EnumSet.of(STARTING, EXITED), BACKOFF),
    /** Supervision stops trying until an operator starts the site; a policy that stopped it for good (memory) says so too. */
    GAVE_UP(EnumSet.of(STARTING, BACKOFF, EXITED, STOPPED), FATAL),
    /** A graceful stop of a site with tasks: no new run starts, the running ones finish. */
    DRAIN_BEGAN(EnumSet.of(RUNNING), DRAINING),
    /** The stop signal is sent. */
    STOP_BEGAN(EnumSet.of(STARTING, RUNNING, DRAINING, UNKNOWN), STOPPING),
    /** No process of the instance is left and its port is free. */
    STOP_FINISHED(EnumSet.of(STOPPING), STOPPED),
    /** A stop of an instance that runs nothing. */
    STOPPED_WHILE_DOWN(EnumSet.of(BACKOFF, EXITED, FATAL), STOPPED),
    /** Processes outlived SIGKILL, or the stop was interrupted. */
    STUCK(EnumSet.of(STOPPING), UNKNOWN),
    /** The process ended on its own. */
    ENDED_ON_ITS_OWN(EnumSet.of(RUNNING, DRAINING, UNKNOWN), EXITED);

    private final Set<SiteState> from;
    private final SiteState to;

    Transition(Set<SiteState> from, SiteState to) {
        this.from = java.util.Collections.unmodifiableSet(from);
        this.to = to;
    }

    public Set<SiteState> from() {
        return from;
    }

    public SiteState to() {
        return to;
    }

    /** How the docs and the history name it: {@code stopped while down}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** Whether some transition goes from {@code from} to {@code to}. */
    public static boolean allowed(SiteState from, SiteState to) {
        for (Transition t : values()) {
            if (t.to == to && t.from.contains(from)) return true;
        }
        return false;
    }
}
