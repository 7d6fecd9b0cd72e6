package sitevisor.jmx;

import sitevisor.mbeans.HistoryEntry;
import sitevisor.mbeans.InstanceInfo;
import sitevisor.mbeans.SiteMXBean;
import sitevisor.mbeans.SiteState;
import sitevisor.supervise.Actor;
import sitevisor.supervise.Instance;
import sitevisor.supervise.Supervisor;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Adapts one site of the supervisor to {@link SiteMXBean}; the domain code never sees JMX. */
final class SiteBean implements SiteMXBean {
    // the least settled state wins when instances differ: an operator must see trouble first
    private static final List<SiteState> ATTENTION_ORDER = List.of(SiteState.UNKNOWN, SiteState.FATAL, SiteState.BACKOFF,
            SiteState.STOPPING, SiteState.DRAINING, SiteState.STARTING, SiteState.EXITED, SiteState.STOPPED, SiteState.RUNNING);

    private final Supervisor supervisor;
    private final String site;
    private final Clock clock;
    private final HistoryView history;

    SiteBean(Supervisor supervisor, String site, Clock clock, HistoryView history) {
        this.supervisor = supervisor;
        this.history = history;
        this.site = site;
        this.clock = clock;
    }

    private List<Instance.Status> statuses() {
        return supervisor.instances(site).stream().map(Instance::status).toList();
    }

    private Instance.Status first() {
        return supervisor.instances(site).get(0).status();
    }

    @Override
    public String getState() {
        return statuses().stream().map(Instance.Status::state)
                .min((a, b) -> Integer.compare(ATTENTION_ORDER.indexOf(a), ATTENTION_ORDER.indexOf(b)))
                .orElse(SiteState.STOPPED).name();
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
        return statuses().stream().mapToLong(Instance.Status::residentBytes).sum();
    }

    @Override
    public String getLastExit() {
        Instance.Status status = first();
        return status.lastExit() == null ? "" : status.lastExit().toString();
    }

    @Override
    public InstanceInfo[] getInstances() {
        return statuses().stream().map(s -> info(s, clock)).toArray(InstanceInfo[]::new);
    }

    static InstanceInfo info(Instance.Status s, Clock clock) {
        return new InstanceInfo(s.site(), s.instance(), s.state().name(), s.pid(), uptimeMillis(s, clock), s.port(),
                s.restarts(), s.lastExit() == null ? "" : s.lastExit().toString(), s.reason(), s.residentBytes());
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
