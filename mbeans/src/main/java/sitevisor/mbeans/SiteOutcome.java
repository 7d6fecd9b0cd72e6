package sitevisor.mbeans;

import javax.management.ConstructorParameters;

/**
 * What one operation did to one instance, as a row of {@link SupervisorMXBean#startAll()} and the
 * others that act on many instances at once: a CompositeData to JMX clients. A refusal is a row
 * with {@code ok} false and the reason, never an exception, so one refused instance does not hide
 * what happened to the rest.
 */
public final class SiteOutcome {
    private final String site;
    private final int instance;
    private final boolean ok;
    private final String state;
    private final String message;

    @ConstructorParameters({"site", "instance", "ok", "state", "message"})
    public SiteOutcome(String site, int instance, boolean ok, String state, String message) {
        this.site = site;
        this.instance = instance;
        this.ok = ok;
        this.state = state;
        this.message = message;
    }

    /** The site's name. */
    public String getSite() {
        return site;
    }

    /** The instance number, from 0. */
    public int getInstance() {
        return instance;
    }

    /** Whether the instance is where the operation was to bring it (RUNNING after a start, STOPPED after a stop). */
    public boolean isOk() {
        return ok;
    }

    /** A {@link SiteState} name: the instance's state once the operation was done or refused. */
    public String getState() {
        return state;
    }

    /** What happened, or why it was refused, in words for the operator. */
    public String getMessage() {
        return message;
    }

    @Override
    public String toString() {
        return site + "[" + instance + "] " + (ok ? "ok " : "failed ") + state + ": " + message;
    }
}
