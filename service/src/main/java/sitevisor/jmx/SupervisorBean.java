package sitevisor.jmx;

import sitevisor.mbeans.InstanceInfo;
import sitevisor.mbeans.ReloadResult;
import sitevisor.mbeans.SiteOutcome;
import sitevisor.mbeans.SupervisorMXBean;
import sitevisor.supervise.Outcome;
import sitevisor.supervise.ReloadReport;
import sitevisor.supervise.Supervisor;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.List;

/** Adapts the supervisor as a whole to {@link SupervisorMXBean}. */
final class SupervisorBean implements SupervisorMXBean {
    private final Supervisor supervisor;
    private final Clock clock;

    SupervisorBean(Supervisor supervisor, Clock clock) {
        this.supervisor = supervisor;
        this.clock = clock;
    }

    @Override
    public String[] getSites() {
        return supervisor.config().siteNames().toArray(String[]::new);
    }

    @Override
    public InstanceInfo[] getInstances() {
        return supervisor.status().stream().map(s -> SiteBean.info(s, clock)).toArray(InstanceInfo[]::new);
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
    public ReloadResult reload() {
        ReloadReport report = supervisor.reload(Callers.current());
        return new ReloadResult(names(report.added()), names(report.removed()), names(report.changed()), names(report.unchanged()),
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
