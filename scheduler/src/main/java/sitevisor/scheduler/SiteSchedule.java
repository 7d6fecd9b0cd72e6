package sitevisor.scheduler;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the scheduler does for one site: its tasks, its maintenance window, and how long a
 * graceful stop waits for running tasks. Kept apart from the site's process settings, so that a
 * reload that changes only these applies them without restarting the site.
 *
 * @param tasks        by name, in the config's order
 * @param maintenance  the recurring window; null when the site has none
 * @param drainTimeout how long a graceful stop or restart waits for running task runs before it stops them
 */
public record SiteSchedule(String site, Duration drainTimeout, Map<String, TaskSpec> tasks, MaintenanceSpec maintenance) {
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofMinutes(5);

    public SiteSchedule {
        tasks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
    }

    /** A site with no tasks and no window. */
    public static SiteSchedule none(String site) {
        return new SiteSchedule(site, DEFAULT_DRAIN_TIMEOUT, Map.of(), null);
    }

    /** Whether the site has neither a task nor a maintenance window. */
    public boolean isEmpty() {
        return tasks.isEmpty() && maintenance == null;
    }

    public Optional<MaintenanceSpec> maintenanceWindow() {
        return Optional.ofNullable(maintenance);
    }

    /** The drain timeout of a maintenance restart: the window's own, else the site's. */
    public Duration maintenanceDrainTimeout() {
        return maintenance != null && maintenance.drainTimeout() != null ? maintenance.drainTimeout() : drainTimeout;
    }
}
