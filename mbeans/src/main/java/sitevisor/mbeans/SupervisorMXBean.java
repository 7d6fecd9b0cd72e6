package sitevisor.mbeans;

/** The daemon as a whole, registered as {@code sitevisor:type=Supervisor}. */
@Description("The sitevisor daemon: its sites and its own process")
public interface SupervisorMXBean {
    @Description("The configured sites, in the config file's order")
    String[] getSites();

    @Description("The config file the daemon runs")
    String getConfigFile();

    @Description("The daemon's own pid")
    long getPid();

    @Description("Milliseconds since the daemon started")
    long getUptime();
}
