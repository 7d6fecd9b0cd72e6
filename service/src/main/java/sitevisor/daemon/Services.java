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
import sitevisor.supervise.Supervisor;

import javax.management.MBeanServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.ZoneId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

/**
 * What the daemon opens beside its sites' start: the history, the scheduler, the MBeans, remote
 * JMX and the HTTP agent, in that order, on a thread of their own. Together they take a second or
 * two of a cold JVM (H2, Quartz, Jolokia); the sites need none of them to start, so the first
 * spawn no longer waits for them. The doors (remote JMX, HTTP) open last, so an operator never
 * acts before the history can record it.
 */
final class Services implements EventListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Services.class);
    // the remote connector listens on loopback; another address is a later, explicit setting
    static final String REMOTE_JMX_HOST = "127.0.0.1";

    private final Config config;
    private final Clock clock;
    private final HistoryRecorder recorder;
    private final Credentials credentials;
    private volatile History history;
    private volatile Scheduling scheduling;
    private volatile JmxRegistry jmx;
    private volatile RemoteJmx remote;
    private volatile HttpAgent agent;
    private CompletableFuture<Void> opening = CompletableFuture.completedFuture(null);

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
        History opened = History.open(config.dbDir(), new Retention(config.history().keep(), config.history().maxRows()), clock);
        history = opened;
        recorder.attach(opened);
        Scheduling tasks = new Scheduling(supervisor, recorder, ForkJoinPool.commonPool());
        try {
            tasks.open(Scheduling.SCHEDULER_NAME, opened.sharedConnections(), config, clock, ZoneId.systemDefault());
        } catch (IOException | RuntimeException e) {
            tasks.close();
            throw e;
        }
        scheduling = tasks;
        MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
        JmxRegistry registry = new JmxRegistry(platform);
        jmx = registry;
        registry.register(supervisor, clock, opened, tasks.scheduler());
        if (config.jmxPort() != 0) {
            remote = RemoteJmx.start(platform, REMOTE_JMX_HOST, config.jmxPort(), credentials);
            log.info("listening: remote JMX on {} (user {})", remote.url(), credentials.user());
        }
        agent = HttpAgent.start(config.jolokia().host(), config.jolokia().port(), credentials);
        log.info("listening: HTTP agent on {} (user {}, password in {})", agent.url(), credentials.user(), config.credentialsFile());
    }

    /** The scheduler, once open: it fires nothing before this. */
    void startTasks() throws IOException {
        scheduling.start();
    }

    /** Tells the MBeans' listeners and the scheduler, once they are open; before, there is nobody to tell. */
    @Override
    public void onEvent(LifecycleEvent event) {
        JmxRegistry registry = jmx;
        if (registry != null) registry.onEvent(event);
        Scheduling tasks = scheduling;
        if (tasks != null) tasks.onEvent(event);
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
        Scheduling tasks = scheduling;
        scheduling = null;
        if (tasks != null) tasks.close();
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
