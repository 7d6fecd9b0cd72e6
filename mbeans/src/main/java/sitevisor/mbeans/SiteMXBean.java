package sitevisor.mbeans;

/**
 * One site, registered as {@code sitevisor:type=Site,name=<site>}. Attributes are cheap
 * snapshots; operations block until they are done and return what happened in words. Operations
 * throw only JDK exceptions, so any JMX client shows the reason without sitevisor's classes:
 * {@link IllegalStateException} when refused (the message names the state that blocked it), and
 * {@link IllegalArgumentException} for an argument that names nothing (an unknown task, a time
 * that is not one or is past).
 */
@Description("A site supervised by sitevisor: its state, its processes, and start, stop, restart and kill")
public interface SiteMXBean {
    @Description("The site's state: the instances' common state, or the least settled one among several (a SiteState name)")
    String getState();

    @Description("The main process of instance 0, 0 when none runs")
    long getPid();

    @Description("Milliseconds since instance 0's process started, 0 when none runs")
    @Units("ms")
    long getUptime();

    @Description("Restarts of all instances since the daemon started")
    int getRestarts();

    @Description("The port of instance 0 (instance i listens on Port + i), 0 when the site has none")
    int getPort();

    @Description("What the site's processes cost the host in bytes: the proportional set size and swap share of every process of every instance (its cgroup, else its process and those it forked), so shared pages count once; sampled at most once a second")
    @Units("bytes")
    long getMemoryBytes();

    @Description("The sum of each instance's highest MemoryBytes, as read since its process started, in bytes")
    @Units("bytes")
    long getMemoryPeakBytes();

    @Description("memory.warn: over this, an instance's MemoryBytes is reported once per crossing (notification sitevisor.site.memory); 0 when none")
    @Units("bytes")
    long getMemoryWarnBytes();

    @Description("memory.restart: over this for memory.for, an instance is restarted gracefully; 0 when none")
    @Units("bytes")
    long getMemoryRestartBytes();

    @Description("In a host memory emergency, sites of lower priority are stopped first")
    int getPriority();

    @Description("How the last process of instance 0 ended, empty when none has")
    String getLastExit();

    @Description("Every instance: state, pid, uptime, port, restarts, last exit, reason, memory, next maintenance")
    InstanceInfo[] getInstances();

    @Description("Task runs going now, plus runs owed by run-once tasks for when the site is running again")
    int getPendingTasks();

    @Description("The next maintenance window, recurring or one-off, ISO-8601 with the daemon's offset; empty when none")
    String getNextMaintenance();

    @Description("Starts every instance and waits until each is ready or has failed. A no-op for a running site; refused while its port is held by another process")
    String start();

    @Description("Stops every instance gracefully: first the drain (no new task runs, the running ones finish, up to drainTimeout), then the stop signal, SIGKILL after stopTimeout; done when no process remains and the port is free. A no-op for a stopped site")
    String stop();

    @Description("Stops, draining first, then starts every instance; never starts while the old process or its port is still there; tasks resume once it is ready")
    String restart();

    @Description("stop() without the drain: running task runs are stopped at once, beside the site")
    String forceStop();

    @Description("restart() without the drain: running task runs are stopped at once, beside the site")
    String forceRestart();

    @Description("Emergency stop: SIGKILL to every process of every instance at once; the site stays stopped")
    String kill();

    @Description("Every scheduled task: schedule, next run, last run (start, duration, result), running now (since when), paused, missed runs")
    TaskInfo[] tasks();

    @Description("Starts a run of the task now, paused or not, and returns at once; refused while the site is not RUNNING or the task runs already")
    String runTask(@Description("The task's name in the config") String name);

    @Description("No task of the site falls due until resumeTasks(); running runs go on. Kept across daemon restarts. A no-op when paused")
    String pauseTasks();

    @Description("The site's tasks fall due again; what fell due while paused follows each task's missed policy. A no-op when not paused")
    String resumeTasks();

    @Description("Schedules a one-off maintenance restart (drain, graceful stop, start); kept across daemon restarts. Returns when it is set")
    String scheduleMaintenance(@Description("HH:MM or HH:MM:SS (its next occurrence), or an ISO date-time such as 2026-12-01T03:30 (the daemon's zone) or with an offset") String at);

    @Description("The site's history, newest first: every state change, refusal, signal and warning of its instances, with who asked")
    HistoryEntry[] history(@Description("How many events at most (1 to 10000)") int limit);
}
