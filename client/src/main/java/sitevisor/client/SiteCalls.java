package sitevisor.client;

import sitevisor.mbeans.ObjectNames;
import sitevisor.mbeans.SiteMXBean;

import javax.management.ObjectName;
import java.util.List;
import java.util.Map;

/**
 * One site's MBean ({@code sitevisor:type=Site,name=SITE}) as the client reaches it over Jolokia:
 * one method per method of {@link SiteMXBean}, of the same name and parameters, each making the
 * {@link Call} that reads that attribute or runs that operation. What each does, whether it blocks
 * and when it is a no-op is said on {@link SiteMXBean}. CallsTest fails when the two disagree.
 */
public final class SiteCalls {
    private final ObjectName mbean;

    private SiteCalls(String site) {
        this.mbean = ObjectNames.site(site);
    }

    /** The calls to {@code site}'s MBean; the name must be a valid site name ({@code SiteNames.isValid}). */
    public static SiteCalls of(String site) {
        return new SiteCalls(site);
    }

    /** @see SiteMXBean#getState() */
    public Call<String> getState() {
        return Call.read(mbean, "State", Call::text);
    }

    /** @see SiteMXBean#getPid() */
    public Call<Long> getPid() {
        return Call.read(mbean, "Pid", Call::longNumber);
    }

    /** @see SiteMXBean#getUptime() */
    public Call<Long> getUptime() {
        return Call.read(mbean, "Uptime", Call::longNumber);
    }

    /** @see SiteMXBean#getRestarts() */
    public Call<Integer> getRestarts() {
        return Call.read(mbean, "Restarts", Call::intNumber);
    }

    /** @see SiteMXBean#getPort() */
    public Call<Integer> getPort() {
        return Call.read(mbean, "Port", Call::intNumber);
    }

    /** @see SiteMXBean#getMemoryBytes() */
    public Call<Long> getMemoryBytes() {
        return Call.read(mbean, "MemoryBytes", Call::longNumber);
    }

    /** @see SiteMXBean#getMemoryPeakBytes() */
    public Call<Long> getMemoryPeakBytes() {
        return Call.read(mbean, "MemoryPeakBytes", Call::longNumber);
    }

    /** @see SiteMXBean#getMemoryWarnBytes() */
    public Call<Long> getMemoryWarnBytes() {
        return Call.read(mbean, "MemoryWarnBytes", Call::longNumber);
    }

    /** @see SiteMXBean#getMemoryRestartBytes() */
    public Call<Long> getMemoryRestartBytes() {
        return Call.read(mbean, "MemoryRestartBytes", Call::longNumber);
    }

    /** @see SiteMXBean#getPriority() */
    public Call<Integer> getPriority() {
        return Call.read(mbean, "Priority", Call::intNumber);
    }

    /** @see SiteMXBean#getLastExit() */
    public Call<String> getLastExit() {
        return Call.read(mbean, "LastExit", Call::text);
    }

    /** @see SiteMXBean#getInstances() */
    public Call<List<Map<String, Object>>> getInstances() {
        return Call.read(mbean, "Instances", Call::rows);
    }

    /** @see SiteMXBean#getPendingTasks() */
    public Call<Integer> getPendingTasks() {
        return Call.read(mbean, "PendingTasks", Call::intNumber);
    }

    /** @see SiteMXBean#getNextMaintenance() */
    public Call<String> getNextMaintenance() {
        return Call.read(mbean, "NextMaintenance", Call::text);
    }

    /** @see SiteMXBean#start() */
    public Call<String> start() {
        return Call.exec(mbean, "start", Call::text);
    }

    /** @see SiteMXBean#stop() */
    public Call<String> stop() {
        return Call.exec(mbean, "stop", Call::text);
    }

    /** @see SiteMXBean#restart() */
    public Call<String> restart() {
        return Call.exec(mbean, "restart", Call::text);
    }

    /** @see SiteMXBean#forceStop() */
    public Call<String> forceStop() {
        return Call.exec(mbean, "forceStop", Call::text);
    }

    /** @see SiteMXBean#forceRestart() */
    public Call<String> forceRestart() {
        return Call.exec(mbean, "forceRestart", Call::text);
    }

    /** @see SiteMXBean#kill() */
    public Call<String> kill() {
        return Call.exec(mbean, "kill", Call::text);
    }

    /** @see SiteMXBean#tasks() */
    public Call<List<Map<String, Object>>> tasks() {
        return Call.exec(mbean, "tasks", Call::rows);
    }

    /** @see SiteMXBean#runTask(String) */
    public Call<String> runTask(String name) {
        return Call.exec(mbean, "runTask", Call::text, name);
    }

    /** @see SiteMXBean#pauseTasks() */
    public Call<String> pauseTasks() {
        return Call.exec(mbean, "pauseTasks", Call::text);
    }

    /** @see SiteMXBean#resumeTasks() */
    public Call<String> resumeTasks() {
        return Call.exec(mbean, "resumeTasks", Call::text);
    }

    /** @see SiteMXBean#scheduleMaintenance(String) */
    public Call<String> scheduleMaintenance(String at) {
        return Call.exec(mbean, "scheduleMaintenance", Call::text, at);
    }

    /** @see SiteMXBean#history(int) */
    public Call<List<Map<String, Object>>> history(int limit) {
        return Call.exec(mbean, "history", Call::rows, limit);
    }
}
