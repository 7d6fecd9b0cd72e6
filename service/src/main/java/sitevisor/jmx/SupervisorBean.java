package sitevisor.jmx;

import sitevisor.mbeans.SupervisorMXBean;
import sitevisor.supervise.Supervisor;

import java.lang.management.ManagementFactory;

/** Adapts the supervisor as a whole to {@link SupervisorMXBean}. */
final class SupervisorBean implements SupervisorMXBean {
    private final Supervisor supervisor;

    SupervisorBean(Supervisor supervisor) {
        this.supervisor = supervisor;
    }

    @Override
    public String[] getSites() {
        return supervisor.config().siteNames().toArray(String[]::new);
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
}
