/**
 * Site tasks, the drain before a graceful stop, and maintenance windows, on Quartz. Filled in
 * by the tasks issue; the module exists so the layout and the direction of dependencies are
 * fixed from the start.
 */
package sitevisor.scheduler;
