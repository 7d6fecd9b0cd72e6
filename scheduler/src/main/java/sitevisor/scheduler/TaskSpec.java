package sitevisor.scheduler;

import java.time.Duration;

/**
 * One scheduled task of a site, as its config describes it.
 *
 * @param name     matches {@code [a-z0-9][a-z0-9._-]*}, unique within its site
 * @param schedule when it falls due
 * @param timeout  a run still going after this long is stopped and recorded as timed out
 * @param missed   what happens to runs that fell due while it could not run
 */
public record TaskSpec(String name, CronSchedule schedule, TaskAction action, Duration timeout, MissedPolicy missed) {}
