/**
 * Site tasks, the drain before a graceful stop, and maintenance windows. {@link
 * sitevisor.scheduler.TaskRuns} runs the tasks and answers the supervisor's {@link
 * sitevisor.scheduler.TaskGate}; {@link sitevisor.scheduler.QuartzSchedule} keeps the triggers on
 * Quartz, with its job store in the history's H2 file, and hands each firing to the runs or to the
 * maintenance windows. The daemon is reached only through {@link sitevisor.scheduler.SiteLifecycle}:
 * the states of the sites, the maintenance restart, and the spawning of a task's program.
 */
package sitevisor.scheduler;
