package sitevisor.scheduler;

import java.time.Instant;

/**
 * How a task's last run went.
 *
 * @param result in words: {@code exit 0}, {@code HTTP 200}, {@code timed out after 2m (killed by SIGTERM)}
 * @param ok     whether it succeeded
 */
public record LastRun(Instant startedAt, long durationMillis, String result, boolean ok) {}
