package sitevisor.daemon;

import sitevisor.config.Config;
import sitevisor.config.ConfigLoader;
import sitevisor.db.History;
import sitevisor.db.HistoryEvent;
import sitevisor.db.HistoryQuery;
import sitevisor.db.Retention;
import sitevisor.history.HistoryRecorder;
import sitevisor.scheduler.QuartzSchedule;
import sitevisor.scheduler.TaskRuns;
import sitevisor.mbeans.Actor;
import sitevisor.supervise.Supervisor;
import sitevisor.supervise.TestProcesses;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The daemon's parts as {@link Main} connects them — the history on a real H2 file, the
 * supervisor over real processes, the scheduler on a real Quartz with its job store in that H2 —
 * without the HTTP and JMX doors. The daemon opens the history and the scheduler beside the sites'
 * start ({@link Services}); here they open first, one after the other. {@link #crash} drops the daemon's side and leaves the sites
 * running, as a daemon that died would; {@link #start} again adopts them. Closing stops every
 * site, then kills whatever the test's processes left.
 */
final class Assembly implements AutoCloseable {
    final Path dir;
    final TestProcesses processes = new TestProcesses();
    /** One name per test: a JVM holds one Quartz scheduler per name, and its rows carry the name. */
    final String schedulerName = "test-" + UUID.randomUUID();
    History history;
    Supervisor supervisor;
    QuartzSchedule schedule;

    Assembly(Path dir) {
        this.dir = dir;
    }

    Path configFile() {
        return dir.resolve("sitevisor.yml");
    }

    /** Writes the config: {@code top} (YAML at the top level, may be "") and the sites (YAML under {@code sites:}). */
    void write(String top, String sitesYaml) throws Exception {
        Files.writeString(configFile(), "home: var\njolokia: { port: 18779 }\n" + top.stripIndent()
                + "sites:\n" + sitesYaml.stripIndent().indent(2));
    }

    Path log(String site) {
        return dir.resolve("var/logs/" + site + "/" + site + ".log");
    }

    /** Opens the history, supervises (adopting what runs), applies the schedules and lets Quartz fire. */
    Assembly start() throws Exception {
        Config config = ConfigLoader.load(configFile());
        Clock clock = Clock.systemUTC();
        history = History.open(config.dbDir(), Retention.DEFAULT, clock);
        HistoryRecorder recorder = new HistoryRecorder(history, clock);
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.put(TestProcesses.VARIABLE, processes.runId);
        supervisor = new Supervisor(config, recorder, recorder, clock, environment);
        schedule = QuartzSchedule.open(schedulerName, history.sharedConnections(), supervisor.taskRuns(), supervisor);
        schedule.apply(config.allSchedules(), config.maintenanceMaxConcurrent());
        supervisor.startUp();
        schedule.start();
        return this;
    }

    QuartzSchedule schedule() {
        return schedule;
    }

    TaskRuns runs() {
        return supervisor.taskRuns();
    }

    /** Drops the daemon's side as a crash would: the sites (and task programs) run on. */
    void crash() {
        schedule.close();
        supervisor.close();
        history.close();
        schedule = null;
        supervisor = null;
        history = null;
    }

    /** The site's recorded events, oldest first. */
    List<HistoryEvent> recorded(String site) {
        List<HistoryEvent> oldestFirst = new java.util.ArrayList<>(history.query(HistoryQuery.latest(site, 10_000)));
        java.util.Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    boolean wasRecorded(String site, String kind, Predicate<String> reason) {
        return recorded(site).stream().anyMatch(e -> e.kind().equals(kind) && reason.test(e.reason()));
    }

    @Override
    public void close() {
        try {
            if (supervisor != null) supervisor.shutdown(Actor.daemon("test end"));
        } finally {
            try {
                if (schedule != null) schedule.close();
                if (supervisor != null) supervisor.close();
                if (history != null) history.close();
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
}
