package sitevisor.scheduler;

import sitevisor.mbeans.Actor;
import sitevisor.mbeans.Durations;
import sitevisor.mbeans.SiteNames;
import sitevisor.mbeans.SiteState;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The sites' task runs: each run started, timed out and ended, the runs owed to a site that was
 * not running, and the drain before a graceful stop. Whether a run may start is decided under its
 * site's lock, where a drain also counts the running ones, and only while the site is
 * {@code RUNNING}: a stop first moves the site out of it, so a trigger that fires as a drain begins
 * either started its run before the drain counted, or starts nothing. Nothing here needs Quartz:
 * the schedule ({@link QuartzSchedule}) only says when a task falls due.
 */
public final class TaskRuns implements TaskGate, AutoCloseable {
    /** How long a drain that ran out waits for the task processes it stopped to be gone. */
    private static final Duration STOPPED_TASKS_WAIT = Duration.ofSeconds(30);

    private final SiteLifecycle sites;
    private final Reports reports;
    private final Clock clock;
    private final ZoneId zone;
    private final Map<String, SiteTasks> bySite = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor timers;
    private final ExecutorService workers;
    private final HttpTasks http;

    /** How the runs tell what they did, and their clock and zone: the schedule that feeds them tells with the same. */
    Reports reports() {
        return reports;
    }

    public TaskRuns(SiteLifecycle sites, SchedulerEvents events, Clock clock, ZoneId zone) {
        this.sites = sites;
        this.reports = new Reports(events, clock, zone);
        this.clock = clock;
        this.zone = zone;
        timers = new ScheduledThreadPoolExecutor(1, threads("task-timer"));
        timers.setRemoveOnCancelPolicy(true);
        timers.setKeepAliveTime(1, TimeUnit.MINUTES);
        timers.allowCoreThreadTimeOut(true);
        workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), threads("task"));
        http = new HttpTasks(workers);
    }

    /** The site's tasks as the schedule now has them; a run under way goes on to its end. */
    void apply(SiteSchedule schedule, boolean paused) {
        SiteTasks site = bySite.computeIfAbsent(schedule.site(), SiteTasks::new);
        synchronized (site) {
            site.schedule = schedule;
            site.paused = paused;
            site.tasks.keySet().removeIf(task -> !schedule.tasks().containsKey(task));
            for (TaskSpec spec : schedule.tasks().values()) site.tasks.computeIfAbsent(spec.name(), name -> new TaskState()).spec = spec;
        }
    }

    /** Forgets every site but these. */
    void retain(Set<String> configured) {
        bySite.keySet().removeIf(site -> !configured.contains(site));
    }

    Set<String> sites() {
        return Set.copyOf(bySite.keySet());
    }

    /** The site's tasks, in the config's order. */
    List<TaskSpec> specs(String siteName) {
        SiteTasks site = bySite.get(siteName);
        if (site == null) return List.of();
        synchronized (site) {
            List<TaskSpec> specs = new ArrayList<>();
            for (TaskState state : site.tasks.values()) specs.add(state.spec);
            return specs;
        }
    }

    /** Counts runs of the task that fell due and did not run (the daemon was down, or its tasks paused). */
    void addMissed(String siteName, String task, int count) {
        SiteTasks site = bySite.get(siteName);
        if (site == null) return;
        synchronized (site) {
            TaskState state = site.tasks.get(task);
            if (state != null) state.missedRuns += count;
        }
    }

    /**
     * Pauses or resumes the site's runs as the schedule's triggers are.
     *
     * @return false when they were so already, or the site has no tasks
     * @throws IllegalArgumentException for a site the daemon does not run
     */
    boolean setPaused(String siteName, boolean paused) {
        SiteTasks site = site(siteName);
        synchronized (site) {
            if (site.tasks.isEmpty() || site.paused == paused) return false;
            site.paused = paused;
            return true;
        }
    }

    boolean paused(String siteName) {
        SiteTasks site = site(siteName);
        synchronized (site) {
            return site.paused;
        }
    }

    /** The schedule says the task falls due: it runs now, or the run is missed and recorded with why. */
    void fire(String siteName, String task, Instant scheduledFor) {
        SiteTasks site = bySite.get(siteName);
        if (site == null) return;
        Actor actor = Actor.scheduler("task " + task);
        synchronized (site) {
            TaskState state = site.tasks.get(task);
            if (state == null) return;
            if (state.running != null) {
                state.missedRuns++;
                reports.emit(siteName, task, SchedulerEvent.Kind.TASK_MISSED, state.running.pid, -1, task + ": the run of "
                        + reports.local(scheduledFor) + " did not start: the previous run, since " + reports.local(state.running.startedAt)
                        + ", has not ended", actor, -1);
                return;
            }
            Optional<String> blocked = whyNoRunCanStart(site);
            if (blocked.isPresent()) {
                state.missedRuns++;
                state.catchUpDue = state.spec.missed() == MissedPolicy.RUN_ONCE;
                reports.emit(siteName, task, SchedulerEvent.Kind.TASK_MISSED, 0, -1, task + ": the run of " + reports.local(scheduledFor)
                        + " did not start: " + blocked.get() + "; " + (state.catchUpDue ? "run-once: it runs once when the site is running again" : "skip"),
                        actor, -1);
                return;
            }
            startRun(site, state, actor);
        }
    }

    /** Why no run may start now, or empty when one may. Under the site's lock. */
    private Optional<String> whyNoRunCanStart(SiteTasks site) {
        SiteState state = sites.state(site.name);
        if (state != SiteState.RUNNING) return Optional.of("the site is " + (state == null ? "not configured" : state.name()));
        return Optional.empty();
    }

    /** Under the site's lock. */
    private void startRun(SiteTasks site, TaskState state, Actor actor) {
        TaskSpec spec = state.spec;
        Run run = new Run(spec.name(), clock.instant());
        state.running = run;
        state.catchUpDue = false;
        String afterMissed = state.missedRuns > 0 ? " (after " + state.missedRuns + " missed)" : "";
        try {
            if (spec.action() instanceof TaskAction.Command command) {
                TaskProcess process = sites.launch(site.name, spec.name(), command.command());
                run.pid = process.pid();
                run.stopper = process::stop;
                reports.emit(site.name, spec.name(), SchedulerEvent.Kind.TASK_STARTED, run.pid, -1, spec.name() + ": pid " + run.pid + ": "
                        + command.describe() + afterMissed, actor, -1);
                process.ended().whenComplete((ended, failure) -> finish(site, run, ended == null
                        ? new Result(false, -1, "ended unseen: " + failure) : new Result(ended.succeeded(), ended.exitCode(), ended.description())));
            } else if (spec.action() instanceof TaskAction.Http request) {
                reports.emit(site.name, spec.name(), SchedulerEvent.Kind.TASK_STARTED, 0, -1, spec.name() + ": " + request.describe() + afterMissed, actor, -1);
                run.stopper = http.send(request, spec.timeout(), (ok, timedOut, what) -> {
                    if (timedOut) stopRun(site, run, timedOut(spec));
                    finish(site, run, new Result(ok, -1, what));
                });
            }
        } catch (IOException | RuntimeException e) {
            state.running = null;
            state.last = new LastRun(run.startedAt, 0, "could not start: " + e.getMessage(), false);
            reports.emit(site.name, spec.name(), SchedulerEvent.Kind.TASK_FAILED, 0, -1, spec.name() + ": could not start: " + e.getMessage(), actor, 0);
            run.done.complete(null);
            return;
        }
        state.missedRuns = 0;
        run.timeout = timers.schedule(() -> stopRun(site, run, timedOut(spec)), spec.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private record Result(boolean ok, int exitCode, String description) {}

    private static String timedOut(TaskSpec spec) {
        return "timed out after " + Durations.format(spec.timeout());
    }

    private void finish(SiteTasks site, Run run, Result result) {
        long millis = Duration.between(run.startedAt, clock.instant()).toMillis();
        String stoppedBecause;
        synchronized (site) {
            TaskState state = site.tasks.get(run.task);
            stoppedBecause = run.stoppedBecause;
            String outcome = stoppedBecause != null ? stoppedBecause + " (" + result.description() + ")" : result.description();
            if (state != null && state.running == run) {
                state.running = null;
                state.last = new LastRun(run.startedAt, millis, outcome, result.ok() && stoppedBecause == null);
            }
        }
        if (run.timeout != null) run.timeout.cancel(false);
        SchedulerEvent.Kind kind = stoppedBecause != null && stoppedBecause.startsWith("timed out") ? SchedulerEvent.Kind.TASK_TIMED_OUT
                : result.ok() && stoppedBecause == null ? SchedulerEvent.Kind.TASK_SUCCEEDED : SchedulerEvent.Kind.TASK_FAILED;
        reports.emit(site.name, run.task, kind, run.pid, result.exitCode(), run.task + ": " + (stoppedBecause != null ? stoppedBecause + ": " : "")
                + result.description() + " after " + Durations.formatElapsedMillis(millis), Actor.scheduler("task " + run.task), millis);
        run.done.complete(null);
    }

    private void stopRun(SiteTasks site, Run run, String why) {
        Runnable stopper;
        synchronized (site) {
            if (run.done.isDone() || run.stoppedBecause != null) return;
            run.stoppedBecause = why;
            stopper = run.stopper;
        }
        if (stopper != null) stopper.run();
    }

    @Override
    public boolean hasTasks(String siteName) {
        SiteTasks site = bySite.get(siteName);
        if (site == null) return false;
        synchronized (site) {
            return !site.tasks.isEmpty();
        }
    }

    /** {@inheritDoc} Runs that fall due meanwhile are missed and follow their policy once the site is running again ({@link #reopen}). */
    @Override
    public String drain(String siteName, Duration timeout, Actor actor, BooleanSupplier cutShort) {
        SiteTasks site = bySite.get(siteName);
        if (site == null) return "no tasks to drain";
        DrainWork work;
        boolean leader = false;
        synchronized (site) {
            if (site.tasks.isEmpty()) return "no tasks to drain";
            if (site.drain != null && !site.drain.result.isDone()) {
                work = site.drain;
            } else {
                List<Run> running = new ArrayList<>();
                for (TaskState state : site.tasks.values()) if (state.running != null) running.add(state.running);
                work = new DrainWork(running, timeout != null ? timeout : site.schedule.drainTimeout());
                site.drain = work;
                leader = true;
            }
        }
        if (leader) work.result.complete(runDrain(site, work, actor, cutShort));
        while (true) {
            try {
                return work.result.get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillDraining) {
                if (cutShort.getAsBoolean()) stopAll(site, work.runs, "stopped: an emergency kill cut the drain short");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "drain interrupted";
            } catch (ExecutionException e) {
                return "drain failed: " + e.getCause();
            }
        }
    }

    /** Waits, then records the drain once: its end says what it waited for and how it ended. */
    private String runDrain(SiteTasks site, DrainWork work, Actor actor, BooleanSupplier cutShort) {
        long began = System.nanoTime();
        long deadline = began + work.timeout.toNanos();
        boolean cut = false;
        while (!allDone(work.runs)) {
            if (cutShort.getAsBoolean()) {
                cut = true;
                break;
            }
            if (System.nanoTime() >= deadline) break;
            awaitAny(work.runs, Math.min(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1, 50));
        }
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        if (allDone(work.runs)) {
            String summary = work.runs.isEmpty() ? "no task was running"
                    : "waited " + Durations.formatElapsedMillis(waitedMillis) + " for " + describe(work.runs) + " to finish";
            reports.site(site.name, SchedulerEvent.Kind.DRAINED, summary, actor, waitedMillis);
            return summary;
        }
        List<Run> left = work.runs.stream().filter(run -> !run.done.isDone()).toList();
        String why = cut ? "stopped: an emergency kill cut the drain short" : "stopped: the drain ran out after " + Durations.format(work.timeout);
        stopAll(site, left, why);
        boolean gone = awaitAll(left, STOPPED_TASKS_WAIT);
        String summary = (cut ? "cut short by an emergency kill after " + Durations.formatElapsedMillis(waitedMillis)
                : "timed out after " + Durations.format(work.timeout)) + ": stopped " + describe(left)
                + (gone ? "" : "; still not ended " + Durations.format(STOPPED_TASKS_WAIT) + " later");
        reports.site(site.name, SchedulerEvent.Kind.DRAIN_TIMED_OUT, summary, actor, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        return summary;
    }

    @Override
    public Duration drainTimeout(String siteName) {
        SiteTasks site = bySite.get(siteName);
        if (site == null) return SiteSchedule.DEFAULT_DRAIN_TIMEOUT;
        synchronized (site) {
            return site.schedule.drainTimeout();
        }
    }

    @Override
    public void stopRunning(String siteName, String why) {
        SiteTasks site = bySite.get(siteName);
        if (site == null) return;
        List<Run> running = new ArrayList<>();
        synchronized (site) {
            for (TaskState state : site.tasks.values()) if (state.running != null) running.add(state.running);
        }
        stopAll(site, running, why);
    }

    private void stopAll(SiteTasks site, List<Run> runs, String why) {
        for (Run run : runs) stopRun(site, run, why);
    }

    private static boolean allDone(List<Run> runs) {
        for (Run run : runs) if (!run.done.isDone()) return false;
        return true;
    }

    private static void awaitAny(List<Run> runs, long millis) {
        try {
            CompletableFuture.anyOf(runs.stream().filter(r -> !r.done.isDone()).map(r -> r.done).toArray(CompletableFuture[]::new))
                    .get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException notYet) {
            // the caller looks again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean awaitAll(List<Run> runs, Duration timeout) {
        try {
            CompletableFuture.allOf(runs.stream().map(r -> r.done).toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String describe(List<Run> runs) {
        List<String> described = new ArrayList<>();
        for (Run run : runs) {
            described.add(run.task + " (since " + reports.local(run.startedAt) + (run.pid != 0 ? ", pid " + run.pid : "") + ")");
        }
        return String.join(", ", described);
    }

    @Override
    public void reopen(String siteName) {
        SiteTasks site = bySite.get(siteName);
        if (site == null) return;
        synchronized (site) {
            if (site.paused) return;
            for (TaskState state : site.tasks.values()) {
                if (state.catchUpDue && state.running == null && whyNoRunCanStart(site).isEmpty()) {
                    startRun(site, state, Actor.scheduler("task " + state.spec.name() + " (run-once after " + state.missedRuns + " missed)"));
                }
            }
        }
    }

    /** Each task of the site: schedule, next and last run, running now, paused, missed runs. */
    public List<TaskStatus> tasks(String siteName) {
        SiteTasks site = site(siteName);
        List<TaskStatus> statuses = new ArrayList<>();
        Instant now = clock.instant();
        synchronized (site) {
            for (TaskState state : site.tasks.values()) {
                TaskSpec spec = state.spec;
                Run run = state.running;
                statuses.add(new TaskStatus(site.name, spec.name(), spec.schedule().written(), spec.action().describe(), spec.timeout(),
                        spec.missed(), site.paused ? null : spec.schedule().nextAfter(now, zone).orElse(null),
                        state.last, run == null ? null : run.startedAt, run == null ? 0 : run.pid, site.paused, state.missedRuns));
            }
        }
        return statuses;
    }

    /** Runs currently going plus runs owed by {@code run-once} for when the site is running again. */
    public int pendingTasks(String siteName) {
        SiteTasks site = bySite.get(siteName);
        if (site == null) return 0;
        int pending = 0;
        synchronized (site) {
            for (TaskState state : site.tasks.values()) if (state.running != null || state.catchUpDue) pending++;
        }
        return pending;
    }

    /**
     * Starts a run of the task now, whether or not its tasks are paused; returns at once.
     *
     * @throws IllegalArgumentException for a task the site does not have
     * @throws IllegalStateException    when the site is not running, or the task is running already
     */
    public String runTask(String siteName, String task, Actor actor) {
        SiteTasks site = site(siteName);
        synchronized (site) {
            TaskState state = site.tasks.get(task);
            if (state == null) {
                throw new IllegalArgumentException("site '" + siteName + "' has no task named '" + task + "' (known: "
                        + (site.tasks.isEmpty() ? "none" : String.join(", ", site.tasks.keySet())) + ")");
            }
            if (state.running != null) {
                throw new IllegalStateException("site '" + siteName + "': task " + task + " is running already, since "
                        + reports.local(state.running.startedAt) + (state.running.pid != 0 ? " (pid " + state.running.pid + ")" : ""));
            }
            Optional<String> blocked = whyNoRunCanStart(site);
            if (blocked.isPresent()) throw new IllegalStateException("site '" + siteName + "': cannot run task " + task + ": " + blocked.get());
            startRun(site, state, actor);
            Run run = state.running;
            return run == null ? "task " + task + " " + state.last.result() : "task " + task + " started" + (run.pid != 0 ? ": pid " + run.pid : "");
        }
    }

    private SiteTasks site(String siteName) {
        SiteTasks site = bySite.get(siteName);
        if (site == null) throw new IllegalArgumentException(SiteNames.unknown(siteName, new TreeSet<>(bySite.keySet())));
        return site;
    }

    /** Stops the timers; running task processes go on (as sites do when the daemon stops), HTTP requests are abandoned. */
    @Override
    public void close() {
        timers.shutdownNow();
        workers.shutdownNow();
    }

    static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static final class SiteTasks {
        final String name;
        SiteSchedule schedule;
        final Map<String, TaskState> tasks = new LinkedHashMap<>();
        boolean paused;
        DrainWork drain;

        SiteTasks(String name) {
            this.name = name;
        }
    }

    private static final class TaskState {
        TaskSpec spec;
        Run running;
        LastRun last;
        int missedRuns;
        /** A run-once task missed a run while the site could not run it: it runs when the site is running again. */
        boolean catchUpDue;
    }

    private static final class Run {
        final String task;
        final Instant startedAt;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        long pid;
        Runnable stopper;
        ScheduledFuture<?> timeout;
        /** Why it was stopped (timeout, drain), null when it ended on its own. */
        volatile String stoppedBecause;

        Run(String task, Instant startedAt) {
            this.task = task;
            this.startedAt = startedAt;
        }
    }

    private static final class DrainWork {
        final List<Run> runs;
        final Duration timeout;
        final CompletableFuture<String> result = new CompletableFuture<>();

        DrainWork(List<Run> runs, Duration timeout) {
            this.runs = runs;
            this.timeout = timeout;
        }
    }
}
