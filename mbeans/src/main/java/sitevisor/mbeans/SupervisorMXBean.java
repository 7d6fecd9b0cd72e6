package sitevisor.mbeans;

/**
 * The daemon as a whole, registered as {@code sitevisor:type=Supervisor}. The operations over
 * every site run all instances at once, block until each is done, and answer one row per
 * instance: a refused or failed instance is a row with {@code ok} false, never an exception, so
 * the others are reported too.
 */
@Description("The sitevisor daemon: its sites and its own process; start, stop, restart all sites at once; reload the config")
public interface SupervisorMXBean {
    @Description("The configured sites, in the config file's order (after a reload, the reloaded file's)")
    String[] getSites();

    @Description("Every instance of every site, in the config file's order: what sitevisor status shows, in one read")
    InstanceInfo[] getInstances();

    @Description("The config file the daemon runs")
    String getConfigFile();

    @Description("The daemon's own pid")
    long getPid();

    @Description("Milliseconds since the daemon started")
    @Units("ms")
    long getUptime();

    /**
     * Starts every instance of every site in parallel and waits until each is ready or has failed.
     * A no-op row for an instance that is already running; ok is true only for instances that end
     * RUNNING.
     */
    @Description("Starts every instance of every site at once and waits for all; one row per instance (site, instance, ok, state, message). "
            + "A refusal, such as a held port, is a row with ok false, never an exception; a running instance is a no-op row")
    SiteOutcome[] startAll();

    /**
     * Stops every instance of every site in parallel, each gracefully within its own stop timeout.
     * A no-op row for an instance that is already stopped; ok is true only for instances that end
     * STOPPED.
     */
    @Description("Stops every instance of every site at once, gracefully (each site's drain, stop signal, SIGKILL after stopTimeout), and waits for all; "
            + "one row per instance. A stopped instance is a no-op row")
    SiteOutcome[] stopAll();

    @Description("stopAll() without the drains: running task runs are stopped at once, beside their sites")
    SiteOutcome[] forceStopAll();

    /** Restarts every instance of every site in parallel, stopped ones included; ok is true only for instances that end RUNNING. */
    @Description("Stops, then starts every instance of every site at once (stopped ones are started), and waits for all; one row per instance. "
            + "A refusal is a row with ok false, never an exception")
    SiteOutcome[] restartAll();

    @Description("restartAll() without the drains: running task runs are stopped at once, beside their sites")
    SiteOutcome[] forceRestartAll();

    /**
     * Re-reads the config file the daemon runs, with the checks of start-up, and applies only what
     * changed: removed and changed sites are stopped first (in parallel, freeing their ports), then
     * changed sites that were meant to run and added sites with {@code autostart} are started (in
     * parallel). Sites whose settings are the same are not touched. Blocks until done; one reload
     * runs at a time.
     *
     * @throws IllegalStateException when the file has errors (every one is named, and nothing
     *                               changes), or when it changes {@code home}, {@code jolokia} or
     *                               {@code jmx}, which only a daemon restart can apply
     */
    @Description("Re-reads the config file and applies only what changed: removed sites are stopped and unregistered, changed sites are "
            + "stopped and started again with their new settings (if they were meant to run), added sites are registered and started "
            + "if autostart; unchanged sites are not touched. Refused whole, naming every problem, when the file has errors or changes "
            + "home, jolokia, jmx or history (those need a daemon restart)")
    ReloadResult reload();

    @Description("The history of every site and of the daemon itself, newest first")
    HistoryEntry[] history(@Description("How many events at most (1 to 10000)") int limit);

    @Description("The history, newest first, of one site or of all, from a time on")
    HistoryEntry[] queryHistory(
            @Description("A site's name, or empty for every site and the daemon") String site,
            @Description("Events from this time on, empty for all: 2h or 30m ago, 2026-11-22T03:00 (local time), 2026-11-22 or an ISO instant") String since,
            @Description("How many events at most (1 to 10000)") int limit);

    @Description("Whether the history is being written: ok, or how many events wait or were dropped, and the last error")
    String getHistoryHealth();
}
