package sitevisor.jmx;

import sitevisor.mbeans.HistoryEntry;
import sitevisor.mbeans.HistoryTimes;
import sitevisor.mbeans.InstanceInfo;
import sitevisor.mbeans.ReloadResult;
import sitevisor.mbeans.SiteNames;
import sitevisor.mbeans.SiteOutcome;
import sitevisor.mbeans.SupervisorMXBean;
import sitevisor.security.Callers;
import sitevisor.supervise.Outcome;
import sitevisor.supervise.ReloadReport;
import sitevisor.supervise.StopMode;
import sitevisor.supervise.Supervisor;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.ZoneId;
import java.util.OptionalLong;
import java.util.List;

/** Adapts the supervisor as a whole to {@link SupervisorMXBean}. */
final class SupervisorBean implements SupervisorMXBean {
    private final Supervisor supervisor;
    private final Clock clock;
    private final HistoryView history;
    private final SchedulerAccess scheduler;

    SupervisorBean(Supervisor supervisor, Clock clock, HistoryView history, SchedulerAccess scheduler) {
        this.supervisor = supervisor;
        this.history = history;
        this.clock = clock;
        this.scheduler = scheduler;
    }

    @Override
    public String[] getSites() {
        return supervisor.config().siteNames().toArray(String[]::new);
    }

    @Override
    public HistoryEntry[] history(int limit) {
        return history.rows(null, OptionalLong.empty(), limit);
    }

    @Override
    public HistoryEntry[] queryHistory(String site, String since, int limit) {
        String siteOrAll = site == null || site.isBlank() ? null : site.trim();
        if (siteOrAll != null && !supervisor.config().sites().containsKey(siteOrAll) && history.rows(siteOrAll, OptionalLong.empty(), 1).length == 0) {
            // a removed site's history stays readable; a name that never was is a mistake
            throw new IllegalArgumentException(SiteNames.unknown(siteOrAll, supervisor.config().siteNames()));
        }
        return history.rows(siteOrAll, HistoryTimes.sinceMillis(since, clock, ZoneId.systemDefault()), limit);
    }

    @Override
    public String getHistoryHealth() {
        return history.health();
    }

    @Override
    public InstanceInfo[] getInstances() {
        java.util.Map<String, String> nextMaintenance = new java.util.HashMap<>();
        return supervisor.status().stream()
                .map(s -> SiteBean.info(s, clock, nextMaintenance.computeIfAbsent(s.site(), site -> SiteBean.nextMaintenance(scheduler, site))))
                .toArray(InstanceInfo[]::new);
    }

    @Override
    public String getConfigFile() {
        return supervisor.config().file().toString();
    }

    @Override
    public long getPid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public long getUptime() {
        return ManagementFactory.getRuntimeMXBean().getUptime();
    }

    @Override
    public SiteOutcome[] startAll() {
        return rows(supervisor.startAll(Callers.current()));
    }

    @Override
    public SiteOutcome[] stopAll() {
        return rows(supervisor.stopAll(Callers.current()));
    }

    @Override
    public SiteOutcome[] restartAll() {
        return rows(supervisor.restartAll(Callers.current()));
    }

    @Override
    public SiteOutcome[] forceStopAll() {
        return rows(supervisor.stopAll(Callers.current().via("--force"), StopMode.FORCE));
    }

    @Override
    public SiteOutcome[] forceRestartAll() {
        return rows(supervisor.restartAll(Callers.current().via("--force"), StopMode.FORCE));
    }

    @Override
    public ReloadResult reload() {
        ReloadReport report = supervisor.reload(Callers.current());
        return new ReloadResult(names(report.added()), names(report.removed()), names(report.changed()), names(report.retuned()),
                names(report.unchanged()),
                rows(report.outcomes()));
    }

    private static SiteOutcome[] rows(List<Outcome> outcomes) {
        return outcomes.stream().map(o -> new SiteOutcome(o.site(), o.instance(), o.ok(), o.state().name(), o.message()))
                .toArray(SiteOutcome[]::new);
    }

    private static String[] names(List<String> sites) {
        return sites.toArray(String[]::new);
    }
}
