package sitevisor.mbeans;

import javax.management.ConstructorParameters;

/** One instance of a site, as a row of {@link SiteMXBean#getInstances()}: a CompositeData to JMX clients. */
public final class InstanceInfo {
    private final String site;
    private final int instance;
    private final String state;
    private final long pid;
    private final long uptimeMillis;
    private final int port;
    private final int restarts;
    private final String lastExit;
    private final String reason;
    private final long memoryBytes;
    private final long memoryPeakBytes;
    private final long memoryWarnBytes;
    private final long memoryRestartBytes;
    private final String nextMaintenance;
    private final String changedAt;
    private final String changedBy;

    @ConstructorParameters({"site", "instance", "state", "pid", "uptimeMillis", "port", "restarts", "lastExit", "reason", "memoryBytes",
            "memoryPeakBytes", "memoryWarnBytes", "memoryRestartBytes", "nextMaintenance", "changedAt", "changedBy"})
    public InstanceInfo(String site, int instance, String state, long pid, long uptimeMillis, int port, int restarts, String lastExit, String reason,
                        long memoryBytes, long memoryPeakBytes, long memoryWarnBytes, long memoryRestartBytes, String nextMaintenance,
                        String changedAt, String changedBy) {
        this.site = site;
        this.instance = instance;
        this.state = state;
        this.pid = pid;
        this.uptimeMillis = uptimeMillis;
        this.port = port;
        this.restarts = restarts;
        this.lastExit = lastExit;
        this.reason = reason;
        this.memoryBytes = memoryBytes;
        this.memoryPeakBytes = memoryPeakBytes;
        this.memoryWarnBytes = memoryWarnBytes;
        this.memoryRestartBytes = memoryRestartBytes;
        this.nextMaintenance = nextMaintenance;
        this.changedAt = changedAt;
        this.changedBy = changedBy;
    }

    /** The site's name. */
    public String getSite() {
        return site;
    }

    /** The instance number, from 0. */
    public int getInstance() {
        return instance;
    }

    /** A {@link SiteState} name. */
    public String getState() {
        return state;
    }

    /** The main process, 0 when none runs. */
    public long getPid() {
        return pid;
    }

    /** Since the process started, 0 when none runs. */
    public long getUptimeMillis() {
        return uptimeMillis;
    }

    /** The instance's port, 0 when the site has none. */
    public int getPort() {
        return port;
    }

    /** Restarts since the daemon started: by the crash policy, by retries and by operators. */
    public int getRestarts() {
        return restarts;
    }

    /** How the last process ended ("exited with code 1", "killed by SIGKILL"), empty when none has. */
    public String getLastExit() {
        return lastExit;
    }

    /** Why the instance is in its state, in words. */
    public String getReason() {
        return reason;
    }

    /**
     * What the instance's processes cost the host, in bytes: the proportional set size and swap
     * share of each process in its cgroup (else of its main process and those it forked), so pages
     * its processes share count once; sampled at most once a second; 0 when none runs.
     */
    public long getMemoryBytes() {
        return memoryBytes;
    }

    /** The most {@link #getMemoryBytes()} was when read since the instance's main process started, in bytes; 0 when none runs. */
    public long getMemoryPeakBytes() {
        return memoryPeakBytes;
    }

    /** The site's {@code memory.warn} for each instance, in bytes; 0 when it has none. */
    public long getMemoryWarnBytes() {
        return memoryWarnBytes;
    }

    /** The site's {@code memory.restart} for each instance, in bytes; 0 when it has none. */
    public long getMemoryRestartBytes() {
        return memoryRestartBytes;
    }

    /** The site's next maintenance window, ISO-8601 with the daemon's offset; "" when none. */
    public String getNextMaintenance() {
        return nextMaintenance;
    }

    /** When the instance entered its state, ISO-8601 with the daemon's offset; "" before its first change. */
    public String getChangedAt() {
        return changedAt;
    }

    /** Who moved the instance into its state: an operator (and through which door), a policy, the daemon. */
    public String getChangedBy() {
        return changedBy;
    }
}
