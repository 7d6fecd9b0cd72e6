package sitevisor.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.config.Config;
import sitevisor.db.History;
import sitevisor.db.Retention;
import sitevisor.history.HistoryRecorder;
import sitevisor.http.HttpAgent;
import sitevisor.jmx.JmxRegistry;
import sitevisor.jmx.RemoteJmx;
import sitevisor.security.Credentials;
import sitevisor.supervise.EventListener;
import sitevisor.supervise.LifecycleEvent;
import sitevisor.supervise.SitesListener;
import sitevisor.supervise.Supervisor;
import sitevisor.jmx.SchedulerAccess;
import sitevisor.scheduler.StoredTriggers;
import sitevisor.scheduler.QuartzSchedule;

import javax.management.MBeanServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the daemon opens beside its sites' start: the history, the scheduler, the MBeans, remote
 * JMX and the HTTP agent, in that order, on a thread of their own. Together they are slow to load
 * in a cold JVM (H2, Quartz, Jolokia); the sites need none of them to start, so the first
 * spawn no longer waits for them. The doors (remote JMX, HTTP) open last, so an operator never
 * acts before the history can record it.
 * <p>
 * The scheduler opens only when there is something to schedule: a task or a window in the config,
 * or a trigger an earlier run stored. Otherwise it opens on the first need, when a reload brings
 * a schedule or an operator acts on tasks or sets a window. Quartz on its JDBC store is the
 * dearest of the services, in RSS and in CPU at start.
 */
final class Services implements EventListener, SchedulerAccess, SitesListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Services.class);
    // the remote connector listens on loopback; another address is a later, explicit setting
    static final String REMOTE_JMX_HOST = "127.0.0.1";
    /** The scheduler's rows in the database carry this name: it never changes. */
    static final String SCHEDULER_NAME = "sitevisor";

    private final Config config;
    private final Clock clock;
    private final HistoryRecorder recorder;
    private final Credentials credentials;
    private volatile Supervisor supervisor;
    private volatile History history;
    /** The sites' schedule on Quartz, once open. */
    private volatile QuartzSchedule schedule;
    /** Guards opening the schedule, {@link #tasksStarted} and {@link #closing}. */
    private final Object schedulingLock = new Object();
    private boolean tasksStarted;
    private boolean closing;
    private volatile JmxRegistry jmx;
    private volatile RemoteJmx remote;
    private volatile HttpAgent agent;
    private CompletableFuture<Void> opening = CompletableFuture.completedFuture(null);

    /** The port the HTTP agent listens on, once open. */
    int agentPort() {
        return agent.port();
    }

    /** @param credentials the doors' user and password, written before the sites start so that a client finds them at once */
    Services(Config config, Clock clock, HistoryRecorder recorder, Credentials credentials) {
        this.config = config;
        this.clock = clock;
        this.recorder = recorder;
        this.credentials = credentials;
    }

    /** Opens everything on a thread of its own; the future fails with the first that cannot open. */
    CompletableFuture<Void> openBeside(Supervisor supervisor) {
        CompletableFuture<Void> opened = new CompletableFuture<>();
        opening = opened;
        Thread thread = new Thread(() -> {
            try {
                open(supervisor);
                opened.complete(null);
            } catch (IOException | RuntimeException e) {
                opened.completeExceptionally(e);
            }
        }, "opening");
        thread.setDaemon(true);
        thread.start();
        return opened;
    }

    private void open(Supervisor supervisor) throws IOException {
        this.supervisor = supervisor;
        History opened = History.open(config.dbDir(), new Retention(config.history().keep(), config.history().maxRows()), clock);
        history = opened;
        recorder.attach(opened);
        // followed first: a reload from now on that brings a schedule opens the scheduler itself
        supervisor.followSites(this);
        Config current = supervisor.config();
        if (schedules(current)) {
            openScheduling(current, "the config has tasks or windows");
        } else if (StoredTriggers.exist(SCHEDULER_NAME, opened.sharedConnections())) {
            openScheduling(current, "an earlier run stored tasks or windows");
        } else {
            log.info("deferred: the scheduler, as nothing is scheduled; it opens when a reload or an operator schedules something");
        }
        MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
        JmxRegistry registry = new JmxRegistry(platform);
        jmx = registry;
        registry.register(supervisor, clock, opened, this);
        if (config.jmxPort() != 0) {
            remote = RemoteJmx.start(platform, REMOTE_JMX_HOST, config.jmxPort(), credentials);
            log.info("listening: remote JMX on {} (user {})", remote.url(), credentials.user());
        }
        agent = HttpAgent.start(config.jolokia().host(), config.jolokia().port(), () -> supervisor.config().httpAccess(), credentials);
        log.info("listening: HTTP agent on {} (user {}, password in {})", agent.url(), credentials.user(), config.credentialsFile());
    }

    private static boolean schedules(Config config) {
        return config.allSchedules().stream().anyMatch(schedule -> !schedule.isEmpty());
    }

    /**
     * Opens the scheduler with this config's schedules, unless it is open; starts it when the daemon
     * has started its tasks. Takes no lock of the supervisor's: a reload, which holds one, may call it.
     */
    private QuartzSchedule openScheduling(Config current, String why) throws IOException {
        synchronized (schedulingLock) {
            if (schedule != null) return schedule;
            if (closing) throw new IllegalStateException("the daemon is stopping");
            long began = System.nanoTime();
            QuartzSchedule opened = QuartzSchedule.open(SCHEDULER_NAME, history.sharedConnections(), supervisor.taskRuns(), supervisor);
            try {
                opened.apply(current.allSchedules(), current.maintenanceMaxConcurrent());
                if (tasksStarted) opened.start();
            } catch (IllegalStateException e) {
                opened.close();
                throw new IOException("cannot apply the config's tasks and windows: " + e.getMessage(), e);
            } catch (IOException | RuntimeException e) {
                opened.close();
                throw e;
            }
            schedule = opened;
            log.info("opened: the scheduler in {} ms ({})", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), why);
            return opened;
        }
    }

    /** The scheduler, once open: it fires nothing before this. One that opens later starts at once. */
    void startTasks() throws IOException {
        synchronized (schedulingLock) {
            tasksStarted = true;
            if (schedule != null) schedule.start();
        }
    }

    @Override
    public QuartzSchedule ifOpen() {
        return schedule;
    }

    /** For an operator's action on tasks or windows: opens the scheduler with the config in force. */
    @Override
    public QuartzSchedule open() {
        try {
            return openScheduling(supervisor.config(), "an operator acts on tasks or windows");
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Applies the reloaded schedules to the open scheduler; a reload that brings the first task or
     * window opens it. Under the lock of the opening, so a reload during it is applied after it.
     */
    @Override
    public void configApplied(Config applied) {
        synchronized (schedulingLock) {
            try {
                if (schedule != null) {
                    schedule.apply(applied.allSchedules(), applied.maintenanceMaxConcurrent());
                } else if (schedules(applied)) {
                    openScheduling(applied, "a reload brought tasks or windows");
                }
            } catch (IOException | IllegalStateException e) {
                throw new IllegalStateException("the sites were reloaded, but not their tasks and windows: " + e.getMessage(), e);
            }
        }
    }

    /** Tells the MBeans' listeners, once they are registered; before, there is nobody to tell. */
    @Override
    public void onEvent(LifecycleEvent event) {
        JmxRegistry registry = jmx;
        if (registry != null) registry.onEvent(event);
    }

    /**
     * Closes the doors and the scheduler, once the opening has ended: before the supervisor's threads
     * go, so nothing asks it for work meanwhile. Again, it does nothing.
     */
    void closeDoorsAndTasks() {
        opening.handle((done, failed) -> null).join();
        HttpAgent openAgent = agent;
        agent = null;
        if (openAgent != null) openAgent.close();
        RemoteJmx openRemote = remote;
        remote = null;
        if (openRemote != null) {
            try {
                openRemote.close();
            } catch (IOException e) {
                log.warn("cannot close remote JMX: {}", e.getMessage());
            }
        }
        QuartzSchedule open;
        synchronized (schedulingLock) {
            closing = true;
            open = schedule;
            schedule = null;
        }
        if (open != null) open.close();
        Supervisor followed = supervisor;
        if (followed != null) followed.unfollowSites(this);
    }

    /** Unregisters the MBeans and closes the history last: the events of the shutdown are written before it closes. */
    @Override
    public void close() {
        closeDoorsAndTasks();
        JmxRegistry registry = jmx;
        if (registry != null) registry.close();
        History openHistory = history;
        if (openHistory != null) openHistory.close();
    }
}
