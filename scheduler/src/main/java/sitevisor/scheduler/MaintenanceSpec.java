package sitevisor.scheduler;

import java.time.Duration;

/**
 * A site's recurring maintenance window: a graceful restart at these times, after draining its tasks.
 *
 * @param drainTimeout how long the window's restart waits for running tasks; null for the site's own {@code drainTimeout}
 */
public record MaintenanceSpec(CronSchedule schedule, Duration drainTimeout) {}
