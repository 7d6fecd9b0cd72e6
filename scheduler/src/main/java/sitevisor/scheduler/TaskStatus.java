package sitevisor.scheduler;

import java.time.Duration;
import java.time.Instant;

/**
 * One task of a site, as {@code sitevisor tasks} shows it.
 *
 * @param schedule     as the config writes it
 * @param nextRun      when it falls due next; null while paused or when it never will
 * @param lastRun      null when it has not run since the daemon started
 * @param runningSince null when it is not running
 * @param runningPid   the running program's pid; 0 when none (or an HTTP task)
 * @param missedRuns   runs that fell due and did not start since the last run began
 */
public record TaskStatus(String site, String name, String schedule, String action, Duration timeout, MissedPolicy missed,
                         Instant nextRun, LastRun lastRun, Instant runningSince, long runningPid, boolean paused, int missedRuns) {}
