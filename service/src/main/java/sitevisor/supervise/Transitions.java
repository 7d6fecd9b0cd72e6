package sitevisor.supervise;

import sitevisor.mbeans.SiteState;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static sitevisor.mbeans.SiteState.*;

/** The transitions an instance may make; everything else is a bug. */
public final class Transitions {
    private static final Map<SiteState, Set<SiteState>> ALLOWED = new EnumMap<>(SiteState.class);

    static {
        ALLOWED.put(STOPPED, EnumSet.of(STARTING, UNKNOWN));
        ALLOWED.put(STARTING, EnumSet.of(RUNNING, BACKOFF, FATAL, STOPPING));
        ALLOWED.put(RUNNING, EnumSet.of(DRAINING, STOPPING, EXITED));
        ALLOWED.put(BACKOFF, EnumSet.of(STARTING, STOPPED, FATAL));
        ALLOWED.put(DRAINING, EnumSet.of(STOPPING, EXITED));
        ALLOWED.put(STOPPING, EnumSet.of(STOPPED, UNKNOWN));
        ALLOWED.put(EXITED, EnumSet.of(STARTING, BACKOFF, STOPPED, FATAL));
        ALLOWED.put(FATAL, EnumSet.of(STARTING, STOPPED));
        ALLOWED.put(UNKNOWN, EnumSet.of(RUNNING, STOPPING, STOPPED, EXITED));
    }

    private Transitions() {}

    public static boolean allowed(SiteState from, SiteState to) {
        return ALLOWED.get(from).contains(to);
    }
}
