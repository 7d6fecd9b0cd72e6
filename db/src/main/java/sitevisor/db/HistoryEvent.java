package sitevisor.db;

/**
 * One row of the history: something that happened to one instance of a site, or to the daemon.
 *
 * @param id             the row's key, 0 for an event not yet written; ids grow in the order events are written
 * @param atMillis       when it happened, UTC epoch milliseconds
 * @param site           the site's name; {@link #DAEMON_SITE} for the daemon and the history store themselves
 * @param instance       the instance number, from 0
 * @param pid            the instance's process, 0 when none
 * @param kind           what happened, as the daemon's log line starts: {@code spawned}, {@code ready},
 *                       {@code exited}, {@code refused}, {@code task done}, {@code drain}, {@code daemon}, … and
 *                       {@link #WARNING} for the store's own; free text of at most {@value #KIND_MAX_LENGTH}
 *                       characters (longer is cut when written)
 * @param fromState      the state before, "" when none
 * @param toState        the state after, "" when none
 * @param exitCode       the exit code of a process that ended with one, -1 when none
 * @param signal         the signal that ended the process or that was sent, 0 when none
 * @param reason         one line an operator can act on
 * @param actor          who asked, e.g. {@code operator cli user alice (jolokia user sitevisor from 127.0.0.1)}
 * @param durationMillis how long the step took or the state lasted, -1 when none applies
 * @param details        anything longer that helps, "" when none
 */
public record HistoryEvent(long id, long atMillis, String site, int instance, long pid, String kind,
                           String fromState, String toState, int exitCode, int signal,
                           String reason, String actor, long durationMillis, String details) {

    /** The site name of events about the daemon itself: no site can be named "" (site names start with [a-z0-9]). */
    public static final String DAEMON_SITE = "";
    /** The kind of the store's own events (a corrupt file moved aside, events dropped). */
    public static final String WARNING = "WARNING";
    /** The actor of the store's own events. */
    public static final String STORE_ACTOR = "daemon history store";

    public static final int KIND_MAX_LENGTH = 32;
    // the column widths of V1__events.sql; texts are cut to them so one odd event can never make a batch fail forever
    static final int SITE_MAX_LENGTH = 200;
    static final int STATE_MAX_LENGTH = 32;
    static final int REASON_MAX_LENGTH = 4_000;
    static final int ACTOR_MAX_LENGTH = 1_000;
    static final int DETAILS_MAX_LENGTH = 100_000;

    /** {@code exitCode} when no process ended with one. */
    public static final int NO_EXIT_CODE = -1;
    /** {@code signal} when none ended the process or was sent. */
    public static final int NO_SIGNAL = 0;
    /** {@code durationMillis} when nothing lasted. */
    public static final long NO_DURATION = -1;

    /** A warning of the history store itself, about the daemon as a whole. */
    static HistoryEvent storeWarning(long atMillis, String reason, String details) {
        return new HistoryEvent(0, atMillis, DAEMON_SITE, 0, ProcessHandle.current().pid(), WARNING, "", "", NO_EXIT_CODE, NO_SIGNAL,
                reason, STORE_ACTOR, NO_DURATION, details);
    }

    /** Something the daemon itself did (started, stopping, exiting), not yet written. */
    public static HistoryEvent ofDaemon(long atMillis, long pid, String reason, String actor) {
        return new HistoryEvent(0, atMillis, DAEMON_SITE, 0, pid, "daemon", "", "", NO_EXIT_CODE, NO_SIGNAL, reason, actor, NO_DURATION, "");
    }

    /**
     * Something the scheduler did for a site (a task run, a drain, a window), not yet written.
     *
     * @param task the task's name, kept as the row's details; empty for the site's drains and windows
     */
    public static HistoryEvent ofScheduler(long atMillis, String site, String task, long pid, String kind, int exitCode, String reason,
                                           String actor, long durationMillis) {
        return new HistoryEvent(0, atMillis, site, 0, pid, kind, "", "", exitCode, NO_SIGNAL, reason, actor, durationMillis, task);
    }

    HistoryEvent withId(long newId) {
        return new HistoryEvent(newId, atMillis, site, instance, pid, kind, fromState, toState, exitCode, signal,
                reason, actor, durationMillis, details);
    }

    /** The event as the table takes it: no nulls, no text longer than its column. */
    HistoryEvent storable() {
        return new HistoryEvent(id, atMillis, fit(site, SITE_MAX_LENGTH), instance, pid, fit(kind, KIND_MAX_LENGTH),
                fit(fromState, STATE_MAX_LENGTH), fit(toState, STATE_MAX_LENGTH), exitCode, signal,
                fit(reason, REASON_MAX_LENGTH), fit(actor, ACTOR_MAX_LENGTH), durationMillis, fit(details, DETAILS_MAX_LENGTH));
    }

    private static String fit(String text, int maxLength) {
        if (text == null) return "";
        return text.length() <= maxLength ? text : text.substring(0, maxLength);
    }
}
