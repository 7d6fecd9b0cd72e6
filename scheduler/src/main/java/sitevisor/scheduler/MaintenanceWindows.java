package sitevisor.scheduler;

import sitevisor.mbeans.Actor;
import sitevisor.mbeans.Durations;
import sitevisor.mbeans.SiteState;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The sites' maintenance windows once they fall due: each waits its turn ({@link Maintenance}),
 * then restarts its site through the supervisor, drain first, if the site is running. Knows each
 * site's next window, recurring or one-off, without reading the database.
 */
final class MaintenanceWindows implements AutoCloseable {
    private final SiteLifecycle sites;
    private final Reports reports;
    private final Map<String, SiteWindows> bySite = new ConcurrentHashMap<>();
    private final ExecutorService workers;
    private final Maintenance order;

    MaintenanceWindows(SiteLifecycle sites, Reports reports) {
        this.sites = sites;
        this.reports = reports;
        workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), TaskRuns.threads("maintenance"));
        order = new Maintenance(workers, new Maintenance.Callbacks() {
            @Override
            public void run(String site, String which) {
                runWindow(site, which);
            }

            @Override
            public void waits(String site, String which, String why) {
                reports.site(site, SchedulerEvent.Kind.MAINTENANCE_WAITING, which + ": waiting: " + why, Actor.scheduler(which), -1);
            }

            @Override
            public void overlaps(String site, String which, String other) {
                reports.site(site, SchedulerEvent.Kind.MAINTENANCE_SKIPPED, which + " skipped: the " + other
                        + " of this site is waiting or under way", Actor.scheduler(which), -1);
            }
        });
    }

    void setMaxConcurrent(int maxConcurrent) {
        order.setMaxConcurrent(maxConcurrent);
    }

    /** The site's window as the schedule now has it, and the one-off windows the job store holds. */
    void apply(SiteSchedule schedule, TreeSet<Instant> oneOffs) {
        SiteWindows site = bySite.computeIfAbsent(schedule.site(), name -> new SiteWindows());
        synchronized (site) {
            site.schedule = schedule;
            site.nextWindow = null;
            site.oneOffs = oneOffs;
        }
    }

    /** Forgets every site but these. */
    void retain(Set<String> configured) {
        bySite.keySet().removeIf(site -> !configured.contains(site));
    }

    boolean has(String site) {
        return bySite.containsKey(site);
    }

    /** A window of the site fell due: it runs when its turn comes. */
    void due(String site, String which) {
        order.due(site, which);
    }

    void addOneOff(String siteName, Instant at) {
        SiteWindows site = bySite.get(siteName);
        if (site == null) return;
        synchronized (site) {
            site.oneOffs.add(at);
        }
    }

    void forgetOneOff(String siteName, Instant at) {
        SiteWindows site = bySite.get(siteName);
        if (site == null) return;
        synchronized (site) {
            site.oneOffs.remove(at);
        }
    }

    /** How long the site's maintenance restart drains its tasks. */
    Duration drainTimeout(String siteName) {
        SiteWindows site = bySite.get(siteName);
        if (site == null) return SiteSchedule.DEFAULT_DRAIN_TIMEOUT;
        synchronized (site) {
            return site.schedule.maintenanceDrainTimeout();
        }
    }

    /** The site's next maintenance window, recurring or one-off; empty when none. Cheap: no database read. */
    Optional<Instant> next(String siteName) {
        SiteWindows site = bySite.get(siteName);
        if (site == null) return Optional.empty();
        Instant now = reports.clock().instant();
        Instant next = null;
        synchronized (site) {
            for (Instant oneOff : site.oneOffs) {
                if (oneOff.isAfter(now)) {
                    next = oneOff;
                    break;
                }
            }
            MaintenanceSpec spec = site.schedule == null ? null : site.schedule.maintenance();
            if (spec != null) {
                // status reads this for every site; a cron expression is parsed anew for each look-up
                if (site.nextWindow == null || !site.nextWindow.isAfter(now)) site.nextWindow = spec.schedule().nextAfter(now, reports.zone()).orElse(null);
                Instant recurring = site.nextWindow;
                if (recurring != null && (next == null || recurring.isBefore(next))) next = recurring;
            }
        }
        return Optional.ofNullable(next);
    }

    private void runWindow(String site, String which) {
        if (!bySite.containsKey(site)) return;
        Actor actor = Actor.scheduler(which);
        SiteState state = sites.state(site);
        if (state != SiteState.RUNNING) {
            reports.site(site, SchedulerEvent.Kind.MAINTENANCE_SKIPPED, which + " skipped: the site is "
                    + (state == null ? "not configured" : state.name()) + "; a maintenance window restarts only a running site, it never starts one", actor, -1);
            return;
        }
        Duration drainTimeout = drainTimeout(site);
        long began = System.nanoTime();
        reports.site(site, SchedulerEvent.Kind.MAINTENANCE_BEGAN, which + ": restarting the site, drain up to " + Durations.format(drainTimeout), actor, -1);
        try {
            String outcome = sites.restartForMaintenance(site, drainTimeout, actor);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            reports.site(site, SchedulerEvent.Kind.MAINTENANCE_DONE, which + ": " + outcome + " in " + Durations.formatElapsedMillis(millis), actor, millis);
        } catch (RuntimeException e) {
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            reports.site(site, SchedulerEvent.Kind.MAINTENANCE_FAILED, which + ": " + e.getMessage(), actor, millis);
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }

    private static final class SiteWindows {
        SiteSchedule schedule;
        TreeSet<Instant> oneOffs = new TreeSet<>();
        /** The recurring window's next time, kept until it has passed; null until looked up, or after the schedule changed. */
        Instant nextWindow;
    }
}
