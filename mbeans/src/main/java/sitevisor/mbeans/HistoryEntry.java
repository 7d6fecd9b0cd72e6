package sitevisor.mbeans;

import javax.management.ConstructorParameters;

/**
 * One event of the history, as a row of {@link SiteMXBean#history(int)} and
 * {@link SupervisorMXBean#history(int)}: a CompositeData to JMX clients, a table in JConsole.
 */
public final class HistoryEntry {
    private final long id;
    private final long atMillis;
    private final String time;
    private final String site;
    private final int instance;
    private final long pid;
    private final String kind;
    private final String from;
    private final String to;
    private final int exitCode;
    private final int signal;
    private final String reason;
    private final String actor;
    private final long durationMillis;
    private final String details;

    @ConstructorParameters({"id", "atMillis", "time", "site", "instance", "pid", "kind", "from", "to", "exitCode", "signal", "reason", "actor", "durationMillis", "details"})
    public HistoryEntry(long id, long atMillis, String time, String site, int instance, long pid, String kind, String from, String to, int exitCode, int signal, String reason, String actor, long durationMillis, String details) {
        this.id = id;
        this.atMillis = atMillis;
        this.time = time;
        this.site = site;
        this.instance = instance;
        this.pid = pid;
        this.kind = kind;
        this.from = from;
        this.to = to;
        this.exitCode = exitCode;
        this.signal = signal;
        this.reason = reason;
        this.actor = actor;
        this.durationMillis = durationMillis;
        this.details = details;
    }

    /** The event's number in the history, rising with time. */
    public long getId() {
        return id;
    }

    /** When it happened: UTC, milliseconds since the epoch. */
    public long getAtMillis() {
        return atMillis;
    }

    /** When it happened, as an ISO-8601 UTC timestamp (2026-11-22T08:11:10.276Z). */
    public String getTime() {
        return time;
    }

    /** The site; empty for an event of the daemon itself. */
    public String getSite() {
        return site;
    }

    /** The instance number, from 0. */
    public int getInstance() {
        return instance;
    }

    /** The instance's process, 0 when none. */
    public long getPid() {
        return pid;
    }

    /** What happened, in the verb of the daemon's log: spawned, ready, adopted, stopping, stopped, exited, backoff, gave up, refused, stale, warning, daemon. */
    public String getKind() {
        return kind;
    }

    /** The state before; empty when the event changed no state. */
    public String getFrom() {
        return from;
    }

    /** The state after; empty when the event changed no state. */
    public String getTo() {
        return to;
    }

    /** The exit code of a process that ended with one, else -1. */
    public int getExitCode() {
        return exitCode;
    }

    /** The signal that ended the process or that was sent, 0 when none. */
    public int getSignal() {
        return signal;
    }

    /** One line an operator can act on. */
    public String getReason() {
        return reason;
    }

    /** Who asked: an operator (through which door, as which user, from where), the daemon, or a policy. */
    public String getActor() {
        return actor;
    }

    /** For a change of state, how long the instance was in the state it left (a start's time to ready, a stop's time to stopped, a run's uptime); -1 when none applies. */
    public long getDurationMillis() {
        return durationMillis;
    }

    /** Anything more, empty when nothing. */
    public String getDetails() {
        return details;
    }
}
