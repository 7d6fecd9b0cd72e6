package sitevisor.supervise;

import sitevisor.config.Config;
import sitevisor.config.ConfigLoader;
import sitevisor.mbeans.Actor;
import sitevisor.posix.Cgroups;
import sitevisor.posix.ProcessTable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * A real supervisor over a config written for one test, in a temporary folder. Closing it stops
 * every site, and then kills anything the test's processes left behind.
 */
public final class Fixture implements AutoCloseable {
    final Path dir;
    final TestProcesses processes = new TestProcesses();
    final EventRecorder events = new EventRecorder();
    private final java.util.List<EventListener> alsoTold = new java.util.concurrent.CopyOnWriteArrayList<>();
    Supervisor supervisor;
    /** Which cgroups the supervisor makes: as {@code -Dsitevisor.cgroups} chooses for a daemon. */
    private String cgroups = "auto";

    public Fixture(Path dir) {
        this.dir = dir;
    }

    /** Makes the next supervisor use this kind of cgroup: auto, v1, v2 or off. */
    Fixture useCgroups(String choice) {
        cgroups = choice;
        return this;
    }

    /** Writes {@code sitevisor.yml} with these sites (YAML under {@code sites:}, indented by 2) and loads it. */
    Config config(String sitesYaml) throws Exception {
        rewrite(sitesYaml);
        return ConfigLoader.load(configFile());
    }

    /** The config file the supervisor runs. */
    public Path configFile() {
        return dir.resolve("sitevisor.yml");
    }

    /** Writes {@code sitevisor.yml} again with these sites, as an operator edits it before a reload. */
    public void rewrite(String sitesYaml) throws java.io.IOException {
        Files.writeString(configFile(), "home: var\njolokia: { port: 18778 }\nsites:\n" + sitesYaml.stripIndent().indent(2));
    }

    public Supervisor supervise(String sitesYaml) throws Exception {
        return supervise(sitesYaml, new ProcessTable(Group.MARKER_VARIABLE));
    }

    /** {@link #supervise(String)}, with the instances looking for their processes in this table. */
    Supervisor supervise(String sitesYaml, ProcessTable table) throws Exception {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.put(TestProcesses.VARIABLE, processes.runId);
        Config config = config(sitesYaml);
        supervisor = new Supervisor(config, event -> {
            events.onEvent(event);
            alsoTold.forEach(listener -> listener.onEvent(event));
        }, taskEvent -> { }, Clock.systemUTC(), environment, table, Cgroups.forHome(config.runDir(), cgroups));
        return supervisor;
    }

    /** Passes every event on to this listener too, as the daemon passes them to JMX. */
    public void alsoTell(EventListener listener) {
        alsoTold.add(listener);
    }

    /** The live processes this test started. */
    public int processesAlive() {
        return processes.alive().size();
    }

    Instance instance(String site) {
        return supervisor.instances(site).get(0);
    }

    @Override
    public void close() {
        try {
            if (supervisor != null) {
                supervisor.shutdown(Actor.daemon("test end"));
                supervisor.close();
            }
        } finally {
            processes.killAll();
            try {
                sitevisor.testing.SiteCgroups.killAndRemove(dir.resolve("var/run"));
            } catch (Exception e) {
                throw new IllegalStateException("processes left in the test's cgroups: " + e.getMessage(), e);
            }
        }
    }
}
