package sitevisor.mbeans;

import javax.management.ConstructorParameters;

/** One scheduled task of a site, as a row of {@link SiteMXBean#tasks()}: a CompositeData to JMX clients. Times are ISO-8601 with the daemon's offset, "" for none. */
public final class TaskInfo {
    private final String site;
    private final String name;
    private final String schedule;
    private final String action;
    private final long timeoutMillis;
    private final String missed;
    private final boolean paused;
    private final String nextRun;
    private final String lastRunStart;
    private final long lastRunMillis;
    private final String lastResult;
    private final boolean lastOk;
    private final String runningSince;
    private final long runningPid;
    private final int missedRuns;

    @ConstructorParameters({"site", "name", "schedule", "action", "timeoutMillis", "missed", "paused", "nextRun", "lastRunStart",
            "lastRunMillis", "lastResult", "lastOk", "runningSince", "runningPid", "missedRuns"})
    public TaskInfo(String site, String name, String schedule, String action, long timeoutMillis, String missed, boolean paused, String nextRun,
                    String lastRunStart, long lastRunMillis, String lastResult, boolean lastOk, String runningSince, long runningPid, int missedRuns) {
        this.site = site;
        this.name = name;
        this.schedule = schedule;
        this.action = action;
        this.timeoutMillis = timeoutMillis;
        this.missed = missed;
        this.paused = paused;
        this.nextRun = nextRun;
        this.lastRunStart = lastRunStart;
        this.lastRunMillis = lastRunMillis;
        this.lastResult = lastResult;
        this.lastOk = lastOk;
        this.runningSince = runningSince;
        this.runningPid = runningPid;
        this.missedRuns = missedRuns;
    }

    public String getSite() {
        return site;
    }

    /** The task's name in the config. */
    public String getName() {
        return name;
    }

    /** When it falls due, as the config writes it. */
    public String getSchedule() {
        return schedule;
    }

    /** What it does: {@code GET http://…} or its command. */
    public String getAction() {
        return action;
    }

    /** A run still going after this long is stopped. */
    public long getTimeoutMillis() {
        return timeoutMillis;
    }

    /** What happens to runs that fell due while it could not run: run-once or skip. */
    public String getMissed() {
        return missed;
    }

    /** Whether the site's tasks are paused. */
    public boolean isPaused() {
        return paused;
    }

    /** When it falls due next; "" while paused. */
    public String getNextRun() {
        return nextRun;
    }

    /** When its last run began; "" when it has not run since the daemon started. */
    public String getLastRunStart() {
        return lastRunStart;
    }

    /** How long its last run took, -1 when none. */
    public long getLastRunMillis() {
        return lastRunMillis;
    }

    /** How its last run ended: "exit 0", "HTTP 200", "timed out after 2m (killed by SIGTERM)"; "" when none. */
    public String getLastResult() {
        return lastResult;
    }

    /** Whether its last run succeeded. */
    public boolean isLastOk() {
        return lastOk;
    }

    /** When the run going now began; "" when none is running. */
    public String getRunningSince() {
        return runningSince;
    }

    /** The running program's pid; 0 when none (or an HTTP task). */
    public long getRunningPid() {
        return runningPid;
    }

    /** Runs that fell due and did not start since the last run began. */
    public int getMissedRuns() {
        return missedRuns;
    }
}
