package sitevisor.scheduler;

import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.mbeans.Actor;
import sitevisor.mbeans.Durations;
import sitevisor.mbeans.SiteNames;
import sitevisor.mbeans.SiteState;

import javax.sql.DataSource;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The sites' tasks and maintenance windows on Quartz, and the drain that comes before every
 * graceful stop.
 * <p>
 * Quartz keeps the schedule (in the daemon's H2 database) and says when something falls due; a
 * firing only hands the work to this class and returns. Whether a task may start is decided here,
 * under its site's lock — the same lock under which a drain closes the site to new runs — so a
 * trigger that fires while a stop begins either started its run before the drain counted the
 * running ones, or starts nothing (Quartz's own pause cannot promise that: a trigger can fire just
 * after it returns).
 */
public final class TaskScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskScheduler.class);
    private static final String TASKS_GROUP = "tasks.";
    private static final String MAINTENANCE_GROUP = "maintenance.";
    private static final String MAINTENANCE_JOB = "restart";
    private static final String WINDOW_TRIGGER = "window";
    private static final String ONE_OFF_TRIGGER = "once-";
    private static final int STORE_BATCH = 100;
    /** How long a drain that ran out waits for the task processes it stopped to be gone. */
    private static final Duration STOPPED_TASKS_WAIT = Duration.ofSeconds(30);

    private final Scheduler quartz;
    private final SiteLifecycle sites;
    private final SchedulerEvents events;
    private final Clock clock;
    private final ZoneId zone;
    private final Map<String, SiteTasks> bySite = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor timers;
    private final ExecutorService workers;
    private final Maintenance maintenance;
    private final HttpTasks http;

    private TaskScheduler(Scheduler quartz, SiteLifecycle sites, SchedulerEvents events, Clock clock, ZoneId zone) {
        this.quartz = quartz;
        this.sites = sites;
        this.events = events;
        this.clock = clock;
        this.zone = zone;
        timers = new ScheduledThreadPoolExecutor(1, threads("task-timer"));
        timers.setRemoveOnCancelPolicy(true);
        timers.setKeepAliveTime(1, TimeUnit.MINUTES);
        timers.allowCoreThreadTimeOut(true);
        workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), threads("task"));
        maintenance = new Maintenance(workers, new Maintenance.Callbacks() {
            @Override
            public void run(String site, String which) {
                runWindow(site, which);
            }

            @Override
            public void waits(String site, String which, String why) {
                emit(site, "", SchedulerEvent.Kind.MAINTENANCE_WAITING, 0, -1, which + ": waiting: " + why, Actor.scheduler(which), -1);
            }

            @Override
            public void overlaps(String site, String which, String other) {
                emit(site, "", SchedulerEvent.Kind.MAINTENANCE_SKIPPED, 0, -1, which + " skipped: the " + other
                        + " of this site is waiting or under way", Actor.scheduler(which), -1);
            }
        });
        http = new HttpTasks(workers);
    }

    /**
     * Opens the scheduler on the database's connections (creating Quartz's tables when missing), in
     * standby: nothing fires before {@link #start}.
     *
     * @param name the scheduler's name; the daemon always uses the same, as its rows carry it
     */
    public static TaskScheduler open(String name, DataSource connections, SiteLifecycle sites, SchedulerEvents events,
                                     Clock clock, ZoneId zone) throws IOException {
        try {
            Scheduler quartz = QuartzStore.create(name, connections);
            TaskScheduler scheduler = new TaskScheduler(quartz, sites, events, clock, zone);
            quartz.setJobFactory((bundle, ignored) -> scheduler.new Firing());
            return scheduler;
        } catch (SchedulerException e) {
            throw new IOException("cannot open the scheduler: " + e.getMessage(), e);
        }
    }

    /**
     * Makes the stored schedule match the config: adds, replaces and removes task triggers and
     * maintenance windows, and forgets sites no longer configured (their one-off windows too). A
     * trigger whose schedule did not change is kept as it is, so what it missed while the daemon was
     * down is still known. Called at start-up and by every reload.
     *
     * @throws IllegalStateException when the job store cannot be read or written
     */
    public synchronized void apply(List<SiteSchedule> schedules, int maintenanceMaxConcurrent) {
        try {
            applyStored(schedules, maintenanceMaxConcurrent);
        } catch (SchedulerException e) {
            throw new IllegalStateException("the scheduler's job store: " + e.getMessage());
        }
    }

    private void applyStored(List<SiteSchedule> schedules, int maintenanceMaxConcurrent) throws SchedulerException {
        // new and changed jobs are stored STORE_BATCH at a time: one by one, each with its own commit and
        // CHECKPOINT, many tasks slowed a first start; all in one transaction, they raised the daemon's RSS
        Map<JobDetail, Set<? extends Trigger>> changed = new LinkedHashMap<>();
        maintenance.setMaxConcurrent(maintenanceMaxConcurrent);
        Set<String> configured = new HashSet<>();
        for (SiteSchedule schedule : schedules) {
            configured.add(schedule.site());
            SiteTasks site = bySite.computeIfAbsent(schedule.site(), SiteTasks::new);
            applyTasks(site, schedule, changed);
            applyMaintenance(site, schedule, changed);
            if (changed.size() >= STORE_BATCH) {
                quartz.scheduleJobs(changed, true);
                changed.clear();
            }
        }
        if (!changed.isEmpty()) quartz.scheduleJobs(changed, true);
        for (String group : quartz.getJobGroupNames()) {
            String site = siteOf(group);
            if (site != null && !configured.contains(site)) {
                for (JobKey job : quartz.getJobKeys(GroupMatcher.jobGroupEquals(group))) quartz.deleteJob(job);
            }
        }
        bySite.keySet().removeIf(site -> !configured.contains(site));
    }

    private void applyTasks(SiteTasks site, SiteSchedule schedule, Map<JobDetail, Set<? extends Trigger>> changed) throws SchedulerException {
        String group = TASKS_GROUP + site.name;
        for (JobKey job : quartz.getJobKeys(GroupMatcher.jobGroupEquals(group))) {
            if (!schedule.tasks().containsKey(job.getName())) quartz.deleteJob(job);
        }
        boolean paused = quartz.getPausedTriggerGroups().contains(group);
        synchronized (site) {
            site.schedule = schedule;
            site.nextWindow = null;
            site.paused = paused;
            site.tasks.keySet().removeIf(task -> !schedule.tasks().containsKey(task));
            for (TaskSpec spec : schedule.tasks().values()) site.tasks.computeIfAbsent(spec.name(), name -> new TaskState()).spec = spec;
        }
        for (TaskSpec spec : schedule.tasks().values()) {
            TriggerKey key = TriggerKey.triggerKey(spec.name(), group);
            Trigger existing = quartz.getTrigger(key);
            int misfire = spec.missed() == MissedPolicy.RUN_ONCE
                    ? CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW : CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING;
            if (existing instanceof CronTrigger cron && cron.getCronExpression().equals(spec.schedule().quartzExpression())
                    && cron.getMisfireInstruction() == misfire && cron.getTimeZone().getID().equals(zone.getId())) {
                continue;
            }
            CronScheduleBuilder cron = CronScheduleBuilder.cronSchedule(spec.schedule().expression(zone)).inTimeZone(TimeZone.getTimeZone(zone));
            cron = spec.missed() == MissedPolicy.RUN_ONCE ? cron.withMisfireHandlingInstructionFireAndProceed() : cron.withMisfireHandlingInstructionDoNothing();
            JobDetail job = JobBuilder.newJob(Firing.class).withIdentity(spec.name(), group).storeDurably().build();
            Trigger trigger = TriggerBuilder.newTrigger().withIdentity(key).forJob(job).withSchedule(cron).build();
            changed.put(job, Set.of(trigger));
        }
    }

    private void applyMaintenance(SiteTasks site, SiteSchedule schedule, Map<JobDetail, Set<? extends Trigger>> changed) throws SchedulerException {
        String group = MAINTENANCE_GROUP + site.name;
        JobKey jobKey = JobKey.jobKey(MAINTENANCE_JOB, group);
        TriggerKey window = TriggerKey.triggerKey(WINDOW_TRIGGER, group);
        Optional<MaintenanceSpec> spec = schedule.maintenanceWindow();
        // a window missed while the daemon was down is skipped: a restart at an hour nobody chose is worse than none
        Optional<Trigger> wanted = spec.map(s -> TriggerBuilder.newTrigger().withIdentity(window).forJob(jobKey)
                .withSchedule(CronScheduleBuilder.cronSchedule(s.schedule().expression(zone))
                        .inTimeZone(TimeZone.getTimeZone(zone)).withMisfireHandlingInstructionDoNothing()).build());
        TreeSet<Instant> oneOffs = new TreeSet<>();
        if (quartz.getJobDetail(jobKey) == null) {
            changed.put(JobBuilder.newJob(Firing.class).withIdentity(jobKey).storeDurably().build(), wanted.map(Set::of).orElse(Set.of()));
        } else {
            Trigger existing = quartz.getTrigger(window);
            if (spec.isEmpty()) {
                if (existing != null) quartz.unscheduleJob(window);
            } else if (!(existing instanceof CronTrigger cron && cron.getCronExpression().equals(spec.get().schedule().quartzExpression())
                    && cron.getTimeZone().getID().equals(zone.getId()))) {
                if (existing == null) quartz.scheduleJob(wanted.get());
                else quartz.rescheduleJob(window, wanted.get());
            }
            for (Trigger trigger : quartz.getTriggersOfJob(jobKey)) {
                if (trigger.getKey().getName().startsWith(ONE_OFF_TRIGGER) && trigger.getNextFireTime() != null) {
                    oneOffs.add(trigger.getNextFireTime().toInstant());
                }
            }
        }
        synchronized (site) {
            site.oneOffWindows = oneOffs;
        }
    }

    /**
     * Records what fell due while the daemon was down (each task's missed runs, each maintenance
     * window skipped), then lets Quartz fire. Call it once the sites are started or adopted: a task
     * that missed runs with {@code run-once} then runs at once.
     */
    public void start() throws IOException {
        try {
            recordMissedAndStart();
        } catch (SchedulerException e) {
            throw new IOException("cannot start the scheduler: " + e.getMessage(), e);
        }
    }

    private void recordMissedAndStart() throws SchedulerException {
        Instant now = clock.instant();
        Instant missedBefore = now.minus(QuartzStore.MISFIRE_THRESHOLD);
        Set<String> pausedGroups = new HashSet<>(quartz.getPausedTriggerGroups());
        for (SiteTasks site : bySite.values()) {
            if (!pausedGroups.contains(TASKS_GROUP + site.name)) {
                for (Map.Entry<String, TaskState> entry : taskEntries(site)) {
                    Trigger trigger = quartz.getTrigger(TriggerKey.triggerKey(entry.getKey(), TASKS_GROUP + site.name));
                    if (trigger == null || trigger.getNextFireTime() == null) continue;
                    Instant due = trigger.getNextFireTime().toInstant();
                    if (!due.isBefore(missedBefore)) continue;
                    TaskSpec spec = entry.getValue().spec;
                    int missed = runsDueSince(spec, due, now);
                    synchronized (site) {
                        entry.getValue().missedRuns += missed;
                    }
                    emit(site.name, spec.name(), SchedulerEvent.Kind.TASK_MISSED, 0, -1, spec.name() + ": " + missed + " run"
                                    + (missed == 1 ? "" : "s") + " fell due while the daemon was down, the first at " + local(due) + "; "
                                    + (spec.missed() == MissedPolicy.RUN_ONCE ? "run-once: it runs once now" : "skip: next run at " + nextRunText(spec, now)),
                            Actor.scheduler("task " + spec.name()), -1);
                }
            }
            for (Trigger trigger : quartz.getTriggersOfJob(JobKey.jobKey(MAINTENANCE_JOB, MAINTENANCE_GROUP + site.name))) {
                if (trigger.getNextFireTime() == null) continue;
                Instant due = trigger.getNextFireTime().toInstant();
                if (!due.isBefore(missedBefore)) continue;
                boolean oneOff = trigger.getKey().getName().startsWith(ONE_OFF_TRIGGER);
                emit(site.name, "", SchedulerEvent.Kind.MAINTENANCE_SKIPPED, 0, -1, "the " + (oneOff ? "one-off " : "") + "maintenance window of "
                        + local(due) + " fell while the daemon was down; skipped: a restart at an hour nobody chose is worse than none"
                        + (oneOff ? "" : "; next window at " + nextMaintenance(site.name).map(this::local).orElse("none")), Actor.scheduler("maintenance"), -1);
                if (oneOff) {
                    synchronized (site) {
                        site.oneOffWindows.remove(due);
                    }
                }
            }
        }
        quartz.start();
    }

    /** What Quartz runs for every trigger: hands the work over and returns. */
    public final class Firing implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            JobKey job = context.getJobDetail().getKey();
            Instant scheduledFor = context.getScheduledFireTime().toInstant();
            String group = job.getGroup();
            try {
                if (group.startsWith(TASKS_GROUP)) {
                    fire(group.substring(TASKS_GROUP.length()), job.getName(), scheduledFor);
                } else if (group.startsWith(MAINTENANCE_GROUP)) {
                    String site = group.substring(MAINTENANCE_GROUP.length());
                    boolean oneOff = context.getTrigger().getKey().getName().startsWith(ONE_OFF_TRIGGER);
                    if (oneOff) forgetOneOff(site, scheduledFor);
                    maintenance.due(site, (oneOff ? "one-off maintenance window of " : "maintenance window of ") + local(scheduledFor));
                }
            } catch (RuntimeException e) {
                log.error("failed: firing {} of {}: {}", job.getName(), group, e.getMessage(), e);
            }
        }
    }

    private void fire(String siteName, String task, Instant scheduledFor) {
        SiteTasks site = bySite.get(siteName);
        if (site == null) return;
        Actor actor = Actor.scheduler("task " + task);
        synchronized (site) {
            TaskState state = site.tasks.get(task);
            if (state == null) return;
            if (state.running != null) {
                state.missedRuns++;
                emit(siteName, task, SchedulerEvent.Kind.TASK_MISSED, state.running.pid, -1, task + ": the run of " + local(scheduledFor)
                        + " did not start: the previous run, since " + local(state.running.startedAt) + ", has not ended", actor, -1);
                return;
            }
            Optional<String> blocked = whyNoRunCanStart(site);
            if (blocked.isPresent()) {
                state.missedRuns++;
                state.catchUpDue = state.spec.missed() == MissedPolicy.RUN_ONCE;
                emit(siteName, task, SchedulerEvent.Kind.TASK_MISSED, 0, -1, task + ": the run of " + local(scheduledFor) + " did not start: "
                        + blocked.get() + "; " + (state.catchUpDue ? "run-once: it runs once when the site is running again" : "skip"), actor, -1);
                return;
            }
            startRun(site, state, actor);
        }
    }

    /** Why no run may start now, or empty when one may. Under the site's lock. */
    private Optional<String> whyNoRunCanStart(SiteTasks site) {
        if (site.draining) return Optional.of("the site is draining for a stop");
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
        try {
            if (spec.action() instanceof TaskAction.Command command) {
                TaskProcess process = sites.launch(site.name, spec.name(), command.command());
                run.pid = process.pid();
                run.stopper = process::stop;
                emit(site.name, spec.name(), SchedulerEvent.Kind.TASK_STARTED, run.pid, -1, spec.name() + ": pid " + run.pid + ": "
                        + command.describe() + (state.missedRuns > 0 ? " (after " + state.missedRuns + " missed)" : ""), actor, -1);
                process.ended().whenComplete((ended, failure) -> finish(site, run, ended == null
                        ? new Result(false, -1, "ended unseen: " + failure) : new Result(ended.succeeded(), ended.exitCode(), ended.description())));
            } else if (spec.action() instanceof TaskAction.Http request) {
                emit(site.name, spec.name(), SchedulerEvent.Kind.TASK_STARTED, 0, -1, spec.name() + ": " + request.describe()
                        + (state.missedRuns > 0 ? " (after " + state.missedRuns + " missed)" : ""), actor, -1);
                run.stopper = http.send(request, spec.timeout(), (ok, timedOut, what) -> {
                    if (timedOut) stopRun(site, run, timedOut(spec));
                    finish(site, run, new Result(ok, -1, what));
                });
            }
        } catch (Exception e) {
            state.running = null;
            state.last = new LastRun(run.startedAt, 0, "could not start: " + e.getMessage(), false);
            emit(site.name, spec.name(), SchedulerEvent.Kind.TASK_FAILED, 0, -1, spec.name() + ": could not start: " + e.getMessage(), actor, 0);
            run.done.complete(null);
            return;
        }
        state.missedRuns = 0;
        run.timeout = timers.schedule(() -> stopRun(site, run, timedOut(spec)),
                spec.timeout().toMillis(), TimeUnit.MILLISECONDS);
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
        emit(site.name, run.task, kind, run.pid, result.exitCode(), run.task + ": " + (stoppedBecause != null ? stoppedBecause + ": " : "")
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

    /** Whether a graceful stop of the site has tasks to drain. */
    public boolean hasTasks(String site) {
        SiteTasks tasks = bySite.get(site);
        if (tasks == null) return false;
        synchronized (tasks) {
            return !tasks.tasks.isEmpty();
        }
    }

    /**
     * Closes the site to new task runs and waits for the running ones to end, at most the timeout
     * (the site's {@code drainTimeout} when null); when it runs out, stops the ones still running and
     * waits for them to be gone. Runs that fall due meanwhile are missed and follow their policy once
     * the site is running again ({@link #siteRunning}). Several callers for one site (its instances
     * stopping together) share one drain.
     *
     * @param cutShort polled while waiting: when it turns true (an emergency kill), the running tasks
     *                 are stopped at once
     * @return what the drain did, in words; empty when the site has no tasks
     */
    public Optional<String> drain(String siteName, Duration timeout, Actor actor, BooleanSupplier cutShort) {
        SiteTasks site = bySite.get(siteName);
        if (site == null) return Optional.empty();
        DrainWork work;
        boolean leader = false;
        synchronized (site) {
            if (site.tasks.isEmpty()) return Optional.empty();
            site.draining = true;
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
        if (leader) {
            work.result.complete(runDrain(site, work, actor, cutShort));
        }
        while (true) {
            try {
                return Optional.of(work.result.get(50, TimeUnit.MILLISECONDS));
            } catch (java.util.concurrent.TimeoutException stillDraining) {
                if (cutShort.getAsBoolean()) stopAll(site, work.runs, "stopped: an emergency kill cut the drain short");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("drain interrupted");
            } catch (java.util.concurrent.ExecutionException e) {
                return Optional.of("drain failed: " + e.getCause());
            }
        }
    }

    private String runDrain(SiteTasks site, DrainWork work, Actor actor, BooleanSupplier cutShort) {
        long began = System.nanoTime();
        String waitedFor = work.runs.isEmpty() ? "no task was running"
                : work.runs.size() + " running task" + (work.runs.size() == 1 ? "" : "s") + ": " + describe(work.runs);
        emit(site.name, "", SchedulerEvent.Kind.DRAIN_BEGAN, 0, -1, "no new task runs; waiting for " + waitedFor
                + (work.runs.isEmpty() ? "" : ", up to " + Durations.format(work.timeout)), actor, -1);
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
            String summary = work.runs.isEmpty() ? "no task was running" : "waited " + Durations.formatElapsedMillis(waitedMillis) + " for "
                    + describeNames(work.runs) + " to finish";
            emit(site.name, "", SchedulerEvent.Kind.DRAINED, 0, -1, summary, actor, waitedMillis);
            return summary;
        }
        List<Run> left = work.runs.stream().filter(run -> !run.done.isDone()).toList();
        String why = cut ? "stopped: an emergency kill cut the drain short" : "stopped: the drain ran out after " + Durations.format(work.timeout);
        stopAll(site, left, why);
        boolean gone = awaitAll(left, STOPPED_TASKS_WAIT);
        String summary = (cut ? "cut short by an emergency kill after " + Durations.formatElapsedMillis(waitedMillis)
                : "timed out after " + Durations.format(work.timeout)) + ": stopped " + describeNames(left)
                + (gone ? "" : "; still not ended " + Durations.format(STOPPED_TASKS_WAIT) + " later");
        emit(site.name, "", SchedulerEvent.Kind.DRAIN_TIMED_OUT, 0, -1, summary, actor, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        return summary;
    }

    /** Stops the site's running task runs without waiting: a forced stop or a kill of the site. */
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
            java.util.concurrent.CompletableFuture.anyOf(runs.stream().filter(r -> !r.done.isDone()).map(r -> r.done)
                    .toArray(java.util.concurrent.CompletableFuture[]::new)).get(millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException notYet) {
            // the caller looks again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean awaitAll(List<Run> runs, Duration timeout) {
        try {
            java.util.concurrent.CompletableFuture.allOf(runs.stream().map(r -> r.done).toArray(java.util.concurrent.CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String describe(List<Run> runs) {
        StringBuilder text = new StringBuilder();
        for (Run run : runs) {
            if (!text.isEmpty()) text.append(", ");
            text.append(run.task).append(" (since ").append(local(run.startedAt)).append(run.pid != 0 ? ", pid " + run.pid : "").append(')');
        }
        return text.toString();
    }

    private static String describeNames(List<Run> runs) {
        return String.join(", ", runs.stream().map(run -> run.task + (run.pid != 0 ? " (pid " + run.pid + ")" : "")).toList());
    }

    /**
     * The site is running again (every instance ready): its tasks may run, and each that missed a
     * run with {@code run-once} runs once now.
     */
    public void siteRunning(String siteName) {
        SiteTasks site = bySite.get(siteName);
        if (site == null) return;
        synchronized (site) {
            site.draining = false;
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
     * @throws IllegalStateException    when the site is not running or is draining, or the task is running already
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
                        + local(state.running.startedAt) + (state.running.pid != 0 ? " (pid " + state.running.pid + ")" : ""));
            }
            Optional<String> blocked = whyNoRunCanStart(site);
            if (blocked.isPresent()) throw new IllegalStateException("site '" + siteName + "': cannot run task " + task + ": " + blocked.get());
            startRun(site, state, actor);
            Run run = state.running;
            return run == null ? "task " + task + " " + state.last.result() : "task " + task + " started" + (run.pid != 0 ? ": pid " + run.pid : "");
        }
    }

    /** Stops the site's tasks from falling due until {@link #resumeTasks}; kept across daemon restarts. A no-op when paused. */
    public String pauseTasks(String siteName, Actor actor) {
        SiteTasks site = site(siteName);
        synchronized (site) {
            if (site.tasks.isEmpty()) return "site '" + siteName + "' has no tasks";
            if (site.paused) return "the tasks of site '" + siteName + "' are paused already";
            site.paused = true;
        }
        stored(() -> quartz.pauseTriggers(GroupMatcher.triggerGroupEquals(TASKS_GROUP + siteName)));
        String message = "paused the tasks of site '" + siteName + "'; running ones go on to their end";
        emit(siteName, "", SchedulerEvent.Kind.TASKS_PAUSED, 0, -1, message, actor, -1);
        return message;
    }

    /** Lets the site's tasks fall due again; what fell due while paused follows each task's {@code missed} policy. A no-op when not paused. */
    public String resumeTasks(String siteName, Actor actor) {
        SiteTasks site = site(siteName);
        Instant now = clock.instant();
        List<String> missed = new ArrayList<>();
        synchronized (site) {
            if (!site.paused) return "the tasks of site '" + siteName + "' are not paused";
            for (TaskState state : site.tasks.values()) {
                Trigger trigger = stored(() -> quartz.getTrigger(TriggerKey.triggerKey(state.spec.name(), TASKS_GROUP + siteName)));
                if (trigger == null || trigger.getNextFireTime() == null) continue;
                Instant due = trigger.getNextFireTime().toInstant();
                if (due.isAfter(now)) continue;
                int count = runsDueSince(state.spec, due, now);
                state.missedRuns += count;
                // on resume Quartz fires a run-once task once (its misfire policy), and a skip task only if it is
                // less late than the misfire threshold, as it would any late trigger
                missed.add(state.spec.name() + " missed " + count + " (" + state.spec.missed().configName() + ")");
            }
            site.paused = false;
        }
        stored(() -> quartz.resumeTriggers(GroupMatcher.triggerGroupEquals(TASKS_GROUP + siteName)));
        String message = "resumed the tasks of site '" + siteName + "'" + (missed.isEmpty() ? "" : "; " + String.join(", ", missed));
        emit(siteName, "", SchedulerEvent.Kind.TASKS_RESUMED, 0, -1, message, actor, -1);
        siteRunning(siteName);
        return message;
    }

    /**
     * Schedules a one-off maintenance restart of the site at that time; kept across daemon restarts.
     *
     * @throws IllegalArgumentException when the time is not in the future
     */
    public String scheduleMaintenance(String siteName, Instant at, Actor actor) {
        SiteTasks site = site(siteName);
        if (!at.isAfter(clock.instant())) throw new IllegalArgumentException("maintenance of site '" + siteName + "': " + local(at) + " is not in the future");
        JobKey job = JobKey.jobKey(MAINTENANCE_JOB, MAINTENANCE_GROUP + siteName);
        TriggerKey key = TriggerKey.triggerKey(ONE_OFF_TRIGGER + at.toEpochMilli(), MAINTENANCE_GROUP + siteName);
        if (stored(() -> quartz.getTrigger(key)) != null) return "a maintenance window of site '" + siteName + "' is set for " + local(at) + " already";
        stored(() -> quartz.scheduleJob(TriggerBuilder.newTrigger().withIdentity(key).forJob(job).startAt(Date.from(at))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionNextWithRemainingCount()).build()));
        synchronized (site) {
            site.oneOffWindows.add(at);
        }
        String message = "maintenance restart of site '" + siteName + "' set for " + local(at) + " (drain up to "
                + Durations.format(site.schedule.maintenanceDrainTimeout()) + ")";
        emit(siteName, "", SchedulerEvent.Kind.MAINTENANCE_SCHEDULED, 0, -1, message, actor, -1);
        return message;
    }

    private void forgetOneOff(String siteName, Instant at) {
        SiteTasks site = bySite.get(siteName);
        if (site == null) return;
        synchronized (site) {
            site.oneOffWindows.remove(at);
        }
    }

    /** The site's next maintenance window, recurring or one-off; empty when none. Cheap: no database read. */
    public Optional<Instant> nextMaintenance(String siteName) {
        SiteTasks site = bySite.get(siteName);
        if (site == null) return Optional.empty();
        Instant now = clock.instant();
        Instant next = null;
        synchronized (site) {
            for (Instant oneOff : site.oneOffWindows) {
                if (oneOff.isAfter(now)) {
                    next = oneOff;
                    break;
                }
            }
            MaintenanceSpec spec = site.schedule == null ? null : site.schedule.maintenance();
            if (spec != null) {
                // status reads this for every site; a cron expression is parsed anew for each look-up
                if (site.nextWindow == null || !site.nextWindow.isAfter(now)) site.nextWindow = spec.schedule().nextAfter(now, zone).orElse(null);
                Instant recurring = site.nextWindow;
                if (recurring != null && (next == null || recurring.isBefore(next))) next = recurring;
            }
        }
        return Optional.ofNullable(next);
    }

    private void runWindow(String siteName, String which) {
        SiteTasks site = bySite.get(siteName);
        Actor actor = Actor.scheduler(which);
        if (site == null) return;
        SiteState state = sites.state(siteName);
        if (state != SiteState.RUNNING) {
            emit(siteName, "", SchedulerEvent.Kind.MAINTENANCE_SKIPPED, 0, -1, which + " skipped: the site is "
                    + (state == null ? "not configured" : state.name()) + "; a maintenance window restarts only a running site, it never starts one", actor, -1);
            return;
        }
        Duration drainTimeout;
        synchronized (site) {
            drainTimeout = site.schedule.maintenanceDrainTimeout();
        }
        long began = System.nanoTime();
        emit(siteName, "", SchedulerEvent.Kind.MAINTENANCE_BEGAN, 0, -1, which + ": restarting the site, drain up to " + Durations.format(drainTimeout), actor, -1);
        try {
            String outcome = sites.restartForMaintenance(siteName, drainTimeout, which);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            emit(siteName, "", SchedulerEvent.Kind.MAINTENANCE_DONE, 0, -1, which + ": " + outcome + " in " + Durations.formatElapsedMillis(millis), actor, millis);
        } catch (RuntimeException e) {
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            emit(siteName, "", SchedulerEvent.Kind.MAINTENANCE_FAILED, 0, -1, which + ": " + e.getMessage(), actor, millis);
        }
    }

    private interface StoreCall<T> {
        T call() throws SchedulerException;
    }

    private interface StoreAction {
        void run() throws SchedulerException;
    }

    /** A job store call for an operation: its failure becomes a refusal with the reason (and no Quartz class, which a JMX client lacks). */
    private static <T> T stored(StoreCall<T> call) {
        try {
            return call.call();
        } catch (SchedulerException e) {
            throw new IllegalStateException("the scheduler's job store: " + e.getMessage());
        }
    }

    private static void stored(StoreAction action) {
        stored(() -> {
            action.run();
            return null;
        });
    }

    private SiteTasks site(String siteName) {
        SiteTasks site = bySite.get(siteName);
        if (site == null) throw new IllegalArgumentException(SiteNames.unknown(siteName, new TreeSet<>(bySite.keySet())));
        return site;
    }

    private static List<Map.Entry<String, TaskState>> taskEntries(SiteTasks site) {
        synchronized (site) {
            return new ArrayList<>(new LinkedHashMap<>(site.tasks).entrySet());
        }
    }

    /** How many runs fell due from {@code due} (the trigger's next time when it stopped firing) up to now, at most 10,000. */
    private int runsDueSince(TaskSpec spec, Instant due, Instant now) {
        return 1 + spec.schedule().countBetween(due, now, zone, 10_000);
    }

    private String nextRunText(TaskSpec spec, Instant now) {
        return spec.schedule().nextAfter(now, zone).map(this::local).orElse("never");
    }

    /** A time as the operator reads it: local, to the second. */
    String local(Instant instant) {
        return java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(instant.atZone(zone).toLocalDateTime().withNano(0)).replace('T', ' ');
    }

    private void emit(String site, String task, SchedulerEvent.Kind kind, long pid, int exitCode, String reason, Actor actor, long millis) {
        try {
            events.onEvent(new SchedulerEvent(clock.instant(), site, task, kind, pid, exitCode, reason, actor, millis));
        } catch (RuntimeException e) {
            log.error("event listener failed on {} {}: {}", kind, reason, e.getMessage(), e);
        }
    }

    private static String siteOf(String group) {
        if (group.startsWith(TASKS_GROUP)) return group.substring(TASKS_GROUP.length());
        if (group.startsWith(MAINTENANCE_GROUP)) return group.substring(MAINTENANCE_GROUP.length());
        return null;
    }

    /** Stops firing; running task processes go on (as sites do when the daemon stops), HTTP requests are abandoned. */
    @Override
    public void close() {
        try {
            quartz.shutdown(false);
        } catch (SchedulerException e) {
            log.warn("closing: Quartz: {}", e.getMessage());
        }
        timers.shutdownNow();
        workers.shutdownNow();
    }

    static java.util.concurrent.ThreadFactory threads(String prefix) {
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
        boolean draining;
        boolean paused;
        DrainWork drain;
        TreeSet<Instant> oneOffWindows = new TreeSet<>();
        /** The recurring window's next time, kept until it has passed; null until looked up, or after the schedule changed. */
        Instant nextWindow;

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
        final java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        long pid;
        Runnable stopper;
        java.util.concurrent.ScheduledFuture<?> timeout;
        /** Why the scheduler stopped it (timeout, drain), null when it ended on its own. */
        volatile String stoppedBecause;

        Run(String task, Instant startedAt) {
            this.task = task;
            this.startedAt = startedAt;
        }
    }

    private static final class DrainWork {
        final List<Run> runs;
        final Duration timeout;
        final java.util.concurrent.CompletableFuture<String> result = new java.util.concurrent.CompletableFuture<>();

        DrainWork(List<Run> runs, Duration timeout) {
            this.runs = runs;
            this.timeout = timeout;
        }
    }
}
