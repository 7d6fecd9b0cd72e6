package sitevisor.client;

import sitevisor.mbeans.ObjectNames;
import sitevisor.mbeans.SupervisorMXBean;

import javax.management.ObjectName;
import java.util.List;
import java.util.Map;

/**
 * The daemon's MBean ({@code sitevisor:type=Supervisor}) as the client reaches it over Jolokia:
 * one method per method of {@link SupervisorMXBean}, of the same name and parameters, each making
 * the {@link Call} that reads that attribute or runs that operation. What each does is said on
 * {@link SupervisorMXBean}. CallsTest fails when the two disagree.
 */
public final class SupervisorCalls {
    private static final ObjectName MBEAN = ObjectNames.SUPERVISOR;
    private static final SupervisorCalls CALLS = new SupervisorCalls();

    private SupervisorCalls() {}

    /** The calls to the daemon's Supervisor MBean. */
    public static SupervisorCalls of() {
        return CALLS;
    }

    /** @see SupervisorMXBean#getSites() */
    public Call<List<String>> getSites() {
        return Call.read(MBEAN, "Sites", Call::texts);
    }

    /** @see SupervisorMXBean#getInstances() */
    public Call<List<Map<String, Object>>> getInstances() {
        return Call.read(MBEAN, "Instances", Call::rows);
    }

    /** @see SupervisorMXBean#getConfigFile() */
    public Call<String> getConfigFile() {
        return Call.read(MBEAN, "ConfigFile", Call::text);
    }

    /** @see SupervisorMXBean#getPid() */
    public Call<Long> getPid() {
        return Call.read(MBEAN, "Pid", Call::longNumber);
    }

    /** @see SupervisorMXBean#getUptime() */
    public Call<Long> getUptime() {
        return Call.read(MBEAN, "Uptime", Call::longNumber);
    }

    /** @see SupervisorMXBean#startAll() */
    public Call<List<Map<String, Object>>> startAll() {
        return Call.exec(MBEAN, "startAll", Call::rows);
    }

    /** @see SupervisorMXBean#stopAll() */
    public Call<List<Map<String, Object>>> stopAll() {
        return Call.exec(MBEAN, "stopAll", Call::rows);
    }

    /** @see SupervisorMXBean#forceStopAll() */
    public Call<List<Map<String, Object>>> forceStopAll() {
        return Call.exec(MBEAN, "forceStopAll", Call::rows);
    }

    /** @see SupervisorMXBean#restartAll() */
    public Call<List<Map<String, Object>>> restartAll() {
        return Call.exec(MBEAN, "restartAll", Call::rows);
    }

    /** @see SupervisorMXBean#forceRestartAll() */
    public Call<List<Map<String, Object>>> forceRestartAll() {
        return Call.exec(MBEAN, "forceRestartAll", Call::rows);
    }

    /** @see SupervisorMXBean#reload() */
    public Call<Map<String, Object>> reload() {
        return Call.exec(MBEAN, "reload", Call::row);
    }

    /** @see SupervisorMXBean#history(int) */
    public Call<List<Map<String, Object>>> history(int limit) {
        return Call.exec(MBEAN, "history", Call::rows, limit);
    }

    /** @see SupervisorMXBean#queryHistory(String, String, int) */
    public Call<List<Map<String, Object>>> queryHistory(String site, String since, int limit) {
        return Call.exec(MBEAN, "queryHistory", Call::rows, site, since, limit);
    }

    /** @see SupervisorMXBean#getHistoryHealth() */
    public Call<String> getHistoryHealth() {
        return Call.read(MBEAN, "HistoryHealth", Call::text);
    }
}
