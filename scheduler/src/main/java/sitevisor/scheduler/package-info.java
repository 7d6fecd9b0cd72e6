/**
 * Site tasks, the drain before a graceful stop, and maintenance windows, on Quartz with its job
 * store in the history's H2 file. The daemon is reached only through {@link
 * sitevisor.scheduler.SiteLifecycle}: the states of the sites, the maintenance restart, and the
 * spawning of a task's program.
 */
package sitevisor.scheduler;
