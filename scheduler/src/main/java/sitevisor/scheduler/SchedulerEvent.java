package sitevisor.scheduler;

import sitevisor.mbeans.Actor;

import java.time.Instant;

/**
 * Something the scheduler did or declined to do, for the history and the daemon's log.
 *
 * @param task           the task's name, "" for a drain or a maintenance window
 * @param pid            the task's process, 0 when none
 * @param exitCode       the task's exit code, -1 when none
 * @param reason         one line an operator can act on
 * @param actor          who or what asked: {@code scheduler task sitemap}, {@code operator …}
 * @param durationMillis how long the run, drain or window took; -1 when none applies
 */
public record SchedulerEvent(Instant at, String site, String task, Kind kind, long pid, int exitCode, String reason, Actor actor,
                             long durationMillis) {

    public enum Kind {
        TASK_STARTED("task started"),
        TASK_SUCCEEDED("task done"),
        TASK_FAILED("task failed"),
        TASK_TIMED_OUT("task timed out"),
        /** A run that fell due and did not start: the site was not running (a drain, too), or the previous run had not ended. */
        TASK_MISSED("task missed"),
        TASKS_PAUSED("tasks paused"),
        TASKS_RESUMED("tasks resumed"),
        /** The end of a drain, which began with the site's move to DRAINING: what it waited for, and for how long. */
        DRAINED("drained"),
        DRAIN_TIMED_OUT("drain timed out"),
        MAINTENANCE_SCHEDULED("maintenance set"),
        MAINTENANCE_WAITING("maintenance waits"),
        MAINTENANCE_BEGAN("maintenance"),
        MAINTENANCE_DONE("maintenance done"),
        MAINTENANCE_FAILED("maintenance failed"),
        MAINTENANCE_SKIPPED("maintenance skipped");

        private final String verb;

        Kind(String verb) {
            this.verb = verb;
        }

        /** The word a log line and a history row start with. */
        public String verb() {
            return verb;
        }
    }
}
