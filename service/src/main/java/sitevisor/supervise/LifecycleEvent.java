package sitevisor.supervise;

import sitevisor.mbeans.Actor;
import sitevisor.mbeans.SiteState;

import java.time.Instant;

/**
 * Something that happened to one instance of a site, published the moment it happens, for the
 * daemon's log, the history and the JMX notifications.
 *
 * @param name     the instance as files and messages name it: {@code blog}, or {@code blog-2} among several
 * @param pid      the instance's process, 0 when none
 * @param from     the state before; equal to {@code to} for events that change no state
 * @param exitCode the exit code when a process ended with one, else -1
 * @param signal   the signal that ended the process or that was sent, 0 when none
 * @param reason   one line an operator can act on
 * @param durationMillis for a transition, how long the instance was in {@code from} (a start's
 *                 time to ready, a stop's time to stopped, a run's uptime); -1 when none applies
 * @param waits    where a listener leaves what the operation that published the event must wait for
 *                 before it returns (an operator's event being committed); {@link DeferredWaits#NONE}
 *                 for an event outside an operation, which runs such a wait at once
 */
public record LifecycleEvent(
        Instant at,
        String site,
        int instance,
        String name,
        long pid,
        Kind kind,
        SiteState from,
        SiteState to,
        int exitCode,
        int signal,
        String reason,
        Actor actor,
        long durationMillis,
        DeferredWaits waits) {

    /** {@code exitCode} when no process ended with one. */
    public static final int NO_EXIT_CODE = -1;
    /** {@code signal} when none ended the process or was sent. */
    public static final int NO_SIGNAL = 0;
    /** {@code durationMillis} when no state was left. */
    public static final long NO_DURATION = -1;

    public enum Kind {
        /** The state changed from {@code from} to {@code to}. */
        TRANSITION,
        /** A start was refused before anything was spawned: the port is held, the program is missing. */
        REFUSED,
        /** A pid file that names no live process of ours was found and removed; nothing was signalled. */
        STALE_PID_FILE,
        /** Something the operator should know that changes no state. */
        WARNING,
        /** What the memory watch saw and did: a limit crossed, a restart or stop it asked for and why. */
        MEMORY
    }

    /** The verb a log line starts with, so an operator can grep for it. */
    public String verb() {
        return switch (kind) {
            case REFUSED -> "refused";
            case STALE_PID_FILE -> "stale";
            case WARNING -> "warning";
            case MEMORY -> "memory";
            case TRANSITION -> switch (to) {
                case STARTING -> "spawned";
                case RUNNING -> from == SiteState.UNKNOWN ? "adopted" : "ready";
                case BACKOFF -> "backoff";
                case DRAINING -> "draining";
                case STOPPING -> "stopping";
                case STOPPED -> "stopped";
                case EXITED -> "exited";
                case FATAL -> "gave up";
                // from STOPPED, a process of the site found at start-up, on its way to adoption
                case UNKNOWN -> from == SiteState.STOPPED ? "found" : "unknown";
            };
        };
    }
}
