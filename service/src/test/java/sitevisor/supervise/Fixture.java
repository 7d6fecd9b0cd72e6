package sitevisor.supervise;

import sitevisor.config.Config;
import sitevisor.config.ConfigLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * A real supervisor over a config written for one test, in a temporary folder. Closing it stops
 * every site, and then kills anything the test's processes left behind.
 */
final class Fixture implements AutoCloseable {
    final Path dir;
    final TestProcesses processes = new TestProcesses();
    final EventRecorder events = new EventRecorder();
    Supervisor supervisor;

    Fixture(Path dir) {
        this.dir = dir;
    }

    /** Writes {@code sitevisor.yml} with these sites (YAML under {@code sites:}, indented by 2) and loads it. */
    Config config(String sitesYaml) throws Exception {
        Path file = dir.resolve("sitevisor.yml");
        Files.writeString(file, "home: var\njolokia: { port: 18778 }\nsites:\n" + sitesYaml.stripIndent().indent(2));
        return ConfigLoader.load(file);
    }

    Supervisor supervise(String sitesYaml) throws Exception {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.put(TestProcesses.VARIABLE, processes.runId);
        supervisor = new Supervisor(config(sitesYaml), events, Clock.systemUTC(), environment);
        return supervisor;
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
        }
    }
}
