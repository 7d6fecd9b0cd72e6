package sitevisor.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.daemon.config.Config;
import sitevisor.history.HistoryRecorder;
import sitevisor.mbeans.SiteState;
import sitevisor.scheduler.SchedulerEvent;
import sitevisor.scheduler.SiteLifecycle;
import sitevisor.scheduler.TaskProcess;
import sitevisor.scheduler.TaskScheduler;
import sitevisor.mbeans.Actor;
import sitevisor.supervise.EventListener;
import sitevisor.supervise.Instance;
import sitevisor.supervise.LifecycleEvent;
import sitevisor.supervise.SitesListener;
import sitevisor.supervise.StopMode;
import sitevisor.supervise.Supervisor;
import sitevisor.supervise.TaskDrain;

import javax.sql.DataSource;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * Connects the scheduler and the supervisor both ways: the scheduler restarts sites and starts
 * task programs through the supervisor ({@link SiteLifecycle}); every graceful stop drains
 * through the scheduler ({@link TaskDrain}); a site that is running again resumes its tasks; a
 * reload applies the new schedules; and what the scheduler does goes into the log and the history.
 */
final class Scheduling implements SiteLifecycle, TaskDrain, SitesListener, EventListener, AutoCloseable {
    /** The scheduler's rows carry this name: it never changes. */
    static final String SCHEDULER_NAME = "sitevisor";
    private static final Logger events = LoggerFactory.getLogger("sitevisor.events");

    private final Supervisor supervisor;
    private final HistoryRecorder recorder;
    private final Executor background;
    private volatile TaskScheduler scheduler;

    Scheduling(Supervisor supervisor, HistoryRecorder recorder, Executor background) {
        this.supervisor = supervisor;
        this.recorder = recorder;
        this.background = background;
    }

    /**
     * Opens the scheduler on the history's database, applies the config's schedules, and from then
     * on drains every graceful stop. Nothing fires before {@link #start}. Reloads reach it through
     * {@link #configApplied}, from whoever follows the supervisor's sites (the daemon's
     * {@link Services}): it takes no lock of the supervisor's, so it may open during a reload.
     */
    void open(String name, DataSource connections, Config config, Clock clock, ZoneId zone) throws IOException {
        TaskScheduler opened = TaskScheduler.open(name, connections, this, this::record, clock, zone);
        try {
            opened.apply(config.allSchedules(), config.maintenanceMaxConcurrent());
        } catch (IllegalStateException e) {
            opened.close();
            throw new IOException("cannot apply the config's tasks and windows: " + e.getMessage(), e);
        }
        scheduler = opened;
        supervisor.useTasks(this);
    }

    /** Once the sites are adopted or started: records what fell due while the daemon was down, and lets tasks fire. */
    void start() throws IOException {
        scheduler.start();
    }

    TaskScheduler scheduler() {
        return scheduler;
    }

    @Override
    public SiteState state(String site) {
        return supervisor.config().site(site).isPresent() ? supervisor.siteState(site) : null;
    }

    @Override
    public String restartForMaintenance(String site, Duration drainTimeout, String why) {
        List<Instance.Result> results = supervisor.restart(site, Actor.scheduler(why), StopMode.drainingUpTo(drainTimeout));
        StringBuilder text = new StringBuilder();
        for (Instance.Result result : results) {
            if (!text.isEmpty()) text.append("; ");
            text.append(result.state()).append(": ").append(result.message());
        }
        return text.toString();
    }

    @Override
    public TaskProcess launch(String site, String task, List<String> command) throws IOException {
        return supervisor.launchTask(site, task, command);
    }

    @Override
    public boolean hasTasks(String site) {
        TaskScheduler current = scheduler;
        return current != null && current.hasTasks(site);
    }

    @Override
    public String drain(String site, Duration timeout, Actor by, BooleanSupplier cutShort) {
        return scheduler.drain(site, timeout, by, cutShort).orElse("no tasks to drain");
    }

    @Override
    public void stopRunning(String site, String why) {
        scheduler.stopRunning(site, why);
    }

    /** A site whose every instance is ready again resumes its tasks (on another thread: this one holds the instance's lock). */
    @Override
    public void onEvent(LifecycleEvent event) {
        TaskScheduler current = scheduler;
        if (current == null || event.kind() != LifecycleEvent.Kind.TRANSITION || event.to() != SiteState.RUNNING) return;
        background.execute(() -> {
            if (supervisor.config().site(event.site()).isPresent() && supervisor.siteState(event.site()) == SiteState.RUNNING) {
                current.siteRunning(event.site());
            }
        });
    }

    /** A site's schedule comes and goes with the whole config, here: not in siteAdded or siteRemoved. */
    @Override
    public void configApplied(Config config) {
        try {
            scheduler.apply(config.allSchedules(), config.maintenanceMaxConcurrent());
        } catch (IllegalStateException e) {
            throw notApplied(e);
        }
    }

    /** What a reload reports when it applied the sites but not their schedules. */
    static IllegalStateException notApplied(Exception cause) {
        return new IllegalStateException("the sites were reloaded, but not their tasks and windows: " + cause.getMessage(), cause);
    }

    private void record(SchedulerEvent event) {
        String line = event.kind().verb() + ": " + event.site() + ": " + event.reason() + " [" + event.actor() + "]";
        switch (event.kind()) {
            case TASK_FAILED, TASK_TIMED_OUT, DRAIN_TIMED_OUT, MAINTENANCE_FAILED, MAINTENANCE_SKIPPED, TASK_MISSED -> events.warn(line);
            default -> events.info(line);
        }
        recorder.schedulerEvent(event);
    }

    @Override
    public void close() {
        TaskScheduler current = scheduler;
        if (current != null) current.close();
    }
}
