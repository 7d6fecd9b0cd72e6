package sitevisor.jmx;

import sitevisor.mbeans.HistoryEntry;
import sitevisor.mbeans.InstanceInfo;
import sitevisor.mbeans.MaintenanceTime;
import sitevisor.mbeans.SiteMXBean;
import sitevisor.mbeans.TaskInfo;
import sitevisor.scheduler.LastRun;
import sitevisor.scheduler.QuartzSchedule;
import sitevisor.scheduler.TaskStatus;
import sitevisor.security.Callers;
import sitevisor.mbeans.Actor;
import sitevisor.config.SiteConfig;
import sitevisor.supervise.Instance;
import sitevisor.supervise.StopMode;
import sitevisor.supervise.Supervisor;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Adapts one site of the supervisor to {@link SiteMXBean}; the domain code never sees JMX. */
final class SiteBean implements SiteMXBean {
    private final Supervisor supervisor;
    private final String site;
    private final Clock clock;
    private final HistoryView history;
    private final SchedulerAccess scheduler;

    /** @param scheduler the sites' tasks and windows; {@link SchedulerAccess#NONE} for a daemon without them (tests of the core) */
    SiteBean(Supervisor supervisor, String site, Clock clock, HistoryView history, SchedulerAccess scheduler) {
        this.supervisor = supervisor;
        this.history = history;
        this.site = site;
        this.clock = clock;
        this.scheduler = scheduler;
    }

    private List<Instance.Status> statuses() {
        return supervisor.instances(site).stream().map(Instance::status).toList();
    }

    private Instance.Status first() {
        return supervisor.instances(site).get(0).status();
    }

    @Override
    public String getState() {
        return supervisor.siteState(site).name();
    }

    @Override
    public long getPid() {
        return first().pid();
    }

    @Override
    public long getUptime() {
        return uptimeMillis(first());
    }

    @Override
    public int getRestarts() {
        return statuses().stream().mapToInt(Instance.Status::restarts).sum();
    }

    @Override
    public int getPort() {
        return first().port();
    }

    @Override
    public long getMemoryBytes() {
        return statuses().stream().mapToLong(Instance.Status::memoryBytes).sum();
    }

    @Override
    public long getMemoryPeakBytes() {
        return statuses().stream().mapToLong(Instance.Status::memoryPeakBytes).sum();
    }

    @Override
    public long getMemoryWarnBytes() {
        return siteConfig().memory().warnBytes();
    }

    @Override
    public long getMemoryRestartBytes() {
        return siteConfig().memory().restartBytes();
    }

    @Override
    public int getPriority() {
        return siteConfig().priority();
    }

    /** The site's settings in force: those of its instances, which a reload replaces together. */
    private SiteConfig siteConfig() {
        return supervisor.instances(site).get(0).site();
    }

    @Override
    public String getLastExit() {
        Instance.Status status = first();
        return status.lastExit() == null ? "" : status.lastExit().toString();
    }

    @Override
    public InstanceInfo[] getInstances() {
        String nextMaintenance = getNextMaintenance();
        return statuses().stream().map(s -> info(s, clock, nextMaintenance)).toArray(InstanceInfo[]::new);
    }

    static InstanceInfo info(Instance.Status s, Clock clock, String nextMaintenance) {
        String changedAt = s.changedAt() == null ? ""
                : java.time.OffsetDateTime.ofInstant(s.changedAt(), java.time.ZoneId.systemDefault()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        return new InstanceInfo(s.site(), s.instance(), s.state().name(), s.pid(), uptimeMillis(s, clock), s.port(),
                s.restarts(), s.lastExit() == null ? "" : s.lastExit().toString(), s.reason(), s.memoryBytes(), s.memoryPeakBytes(),
                s.memoryWarnBytes(), s.memoryRestartBytes(), nextMaintenance,
                changedAt, s.changedBy().toString());
    }

    @Override
    public int getPendingTasks() {
        QuartzSchedule open = scheduler.ifOpen();
        return open == null ? 0 : open.runs().pendingTasks(site);
    }

    @Override
    public String getNextMaintenance() {
        return nextMaintenance(scheduler, site);
    }

    static String nextMaintenance(SchedulerAccess scheduler, String site) {
        QuartzSchedule open = scheduler.ifOpen();
        return open == null ? "" : open.nextMaintenance(site).map(Times::iso).orElse("");
    }

    @Override
    public TaskInfo[] tasks() {
        QuartzSchedule open = scheduler.ifOpen();
        if (open == null) return new TaskInfo[0];
        return open.runs().tasks(site).stream().map(SiteBean::taskInfo).toArray(TaskInfo[]::new);
    }

    private static TaskInfo taskInfo(TaskStatus t) {
        LastRun last = t.lastRun();
        return new TaskInfo(t.site(), t.name(), t.schedule(), t.action(), t.timeout().toMillis(), t.missed().configName(), t.paused(),
                Times.iso(t.nextRun()), last == null ? "" : Times.iso(last.startedAt()), last == null ? -1 : last.durationMillis(),
                last == null ? "" : last.result(), last != null && last.ok(), Times.iso(t.runningSince()), t.runningPid(), t.missedRuns());
    }

    @Override
    public String runTask(String name) {
        return scheduler.open().runs().runTask(site, name, Callers.current());
    }

    @Override
    public String pauseTasks() {
        return scheduler.open().pauseTasks(site, Callers.current());
    }

    @Override
    public String resumeTasks() {
        return scheduler.open().resumeTasks(site, Callers.current());
    }

    @Override
    public String scheduleMaintenance(String at) {
        java.time.Instant when = MaintenanceTime.parse(at, clock, java.time.ZoneId.systemDefault());
        return scheduler.open().scheduleMaintenance(site, when, Callers.current());
    }

    @Override
    public HistoryEntry[] history(int limit) {
        return history.rows(site, java.util.OptionalLong.empty(), limit);
    }

    @Override
    public String start() {
        return run(Supervisor::start);
    }

    @Override
    public String stop() {
        return run(Supervisor::stop);
    }

    @Override
    public String restart() {
        return run(Supervisor::restart);
    }

    @Override
    public String forceStop() {
        return run((supervisor, site, by) -> supervisor.stop(site, by.via("--force"), StopMode.FORCE));
    }

    @Override
    public String forceRestart() {
        return run((supervisor, site, by) -> supervisor.restart(site, by.via("--force"), StopMode.FORCE));
    }

    @Override
    public String kill() {
        return run(Supervisor::kill);
    }

    private String run(TriFunction operation) {
        List<Instance.Result> results = operation.apply(supervisor, site, Callers.current());
        return results.stream().map(r -> r.state() + ": " + r.message()).collect(Collectors.joining("; "));
    }

    @FunctionalInterface
    private interface TriFunction {
        List<Instance.Result> apply(Supervisor supervisor, String site, Actor by);
    }

    private long uptimeMillis(Instance.Status status) {
        return uptimeMillis(status, clock);
    }

    private static long uptimeMillis(Instance.Status status, Clock clock) {
        if (status.pid() == 0 || status.startedAt() == null) return 0;
        return Math.max(0, Duration.between(status.startedAt(), clock.instant()).toMillis());
    }
}
