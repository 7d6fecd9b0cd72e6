package sitevisor.mbeans;

/**
 * The state of one instance of a site, as an operator sees it in {@code sitevisor status},
 * JConsole and Jolokia. The names follow supervisord's, so operators coming from it read them
 * without a manual.
 */
public enum SiteState {
    /** No process runs, and none is wanted: stopped by an operator, or never started. */
    STOPPED,
    /** A process was spawned and is not ready yet: its port does not accept connections, or its health URL does not answer 2xx. */
    STARTING,
    /** The process is ready and supervised. */
    RUNNING,
    /** A start failed; another attempt follows after a growing, jittered delay. */
    BACKOFF,
    /** The process runs, takes no new scheduled work, and waits for its running tasks before it is stopped. */
    DRAINING,
    /** The stop signal was sent; the process group is SIGKILLed when the stop timeout runs out. */
    STOPPING,
    /** The process ended on its own and, by the site's restart policy, stays down. */
    EXITED,
    /** Supervision gave up: the start kept failing, or the site kept crashing. Only an operator's start leaves it. */
    FATAL,
    /** A process exists whose state sitevisor could not settle (a stop that could not finish, a pid file being checked). */
    UNKNOWN;

    /** Whether a process of the instance is expected to be alive in this state. */
    public boolean isAlive() {
        return this == STARTING || this == RUNNING || this == DRAINING || this == STOPPING;
    }
}
