package sitevisor.scheduler;

import java.util.Locale;

/** What happens to the runs of a task that fell due while its site, or the daemon, was not running, or while it was paused or draining. */
public enum MissedPolicy {
    /** However many were missed, the task runs once as soon as the site is running again. */
    RUN_ONCE,
    /** Missed runs are counted and recorded, never run; the task waits for its next time. */
    SKIP;

    /** As the config writes it: the name in lower case, words joined by hyphens. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The policy a config names, or null when it names none of them. */
    public static MissedPolicy fromConfig(String name) {
        for (MissedPolicy policy : values()) if (policy.configName().equals(name)) return policy;
        return null;
    }
}
