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

import javax.sql.DataSource;
import java.io.IOException;
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

/**
 * The schedule on Quartz: it keeps the sites' task triggers and maintenance windows in the daemon's
 * H2 database, makes them match the config at start-up and at every reload, accounts for what fell
 * due while the daemon was down, and pauses, resumes and sets windows for operators. A firing only
 * hands the work over and returns: a task to {@link TaskRuns}, which decides whether it may start;
 * a window to {@link MaintenanceWindows}, which restarts the site when its turn comes.
 */
public final class QuartzSchedule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QuartzSchedule.class);
    private static final String TASKS_GROUP = "tasks.";
    private static final String MAINTENANCE_GROUP = "maintenance.";
    private static final String MAINTENANCE_JOB = "restart";
    private static final String WINDOW_TRIGGER = "window";
    private static final String ONE_OFF_TRIGGER = "once-";
    private static final int STORE_BATCH = 100;

    private final Scheduler quartz;
    private final TaskRuns runs;
    private final MaintenanceWindows windows;
    private final Reports reports;
    private final ZoneId zone;

    private QuartzSchedule(Scheduler quartz, TaskRuns runs, MaintenanceWindows windows, Reports reports) {
        this.quartz = quartz;
        this.runs = runs;
        this.windows = windows;
        this.reports = reports;
        this.zone = reports.zone();
    }

    /**
     * Opens the schedule on the database's connections (creating Quartz's tables when missing), in
     * standby: nothing fires before {@link #start}.
     *
     * @param name  the scheduler's name; the daemon always uses the same, as its rows carry it
     * @param runs  where a task that falls due goes; the schedule tells what it did, and keeps time, as they do
     * @param sites what a maintenance window restarts
     */
    public static QuartzSchedule open(String name, DataSource connections, TaskRuns runs, SiteLifecycle sites) throws IOException {
        try {
            Scheduler quartz = QuartzStore.create(name, connections, Firing.class);
            Reports reports = runs.reports();
            QuartzSchedule schedule = new QuartzSchedule(quartz, runs, new MaintenanceWindows(sites, reports), reports);
            quartz.setJobFactory((bundle, ignored) -> schedule.new Firing());
            return schedule;
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
        windows.setMaxConcurrent(maintenanceMaxConcurrent);
        Set<String> configured = new HashSet<>();
        for (SiteSchedule schedule : schedules) {
            configured.add(schedule.site());
            applyTasks(schedule, changed);
            applyMaintenance(schedule, changed);
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
        runs.retain(configured);
        windows.retain(configured);
    }

    private void applyTasks(SiteSchedule schedule, Map<JobDetail, Set<? extends Trigger>> changed) throws SchedulerException {
        String group = TASKS_GROUP + schedule.site();
        for (JobKey job : quartz.getJobKeys(GroupMatcher.jobGroupEquals(group))) {
            if (!schedule.tasks().containsKey(job.getName())) quartz.deleteJob(job);
        }
        runs.apply(schedule, quartz.getPausedTriggerGroups().contains(group));
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

    private void applyMaintenance(SiteSchedule schedule, Map<JobDetail, Set<? extends Trigger>> changed) throws SchedulerException {
        String group = MAINTENANCE_GROUP + schedule.site();
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
        windows.apply(schedule, oneOffs);
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
        Instant now = reports.clock().instant();
        Instant missedBefore = now.minus(QuartzStore.MISFIRE_THRESHOLD);
        Set<String> pausedGroups = new HashSet<>(quartz.getPausedTriggerGroups());
        for (String site : runs.sites()) {
            if (pausedGroups.contains(TASKS_GROUP + site)) continue;
            for (TaskSpec spec : runs.specs(site)) {
                Trigger trigger = quartz.getTrigger(TriggerKey.triggerKey(spec.name(), TASKS_GROUP + site));
                if (trigger == null || trigger.getNextFireTime() == null) continue;
                Instant due = trigger.getNextFireTime().toInstant();
                if (!due.isBefore(missedBefore)) continue;
                int missed = runsDueSince(spec, due, now);
                runs.addMissed(site, spec.name(), missed);
                reports.emit(site, spec.name(), SchedulerEvent.Kind.TASK_MISSED, 0, -1, spec.name() + ": " + missed + " run"
                                + (missed == 1 ? "" : "s") + " fell due while the daemon was down, the first at " + reports.local(due) + "; "
                                + (spec.missed() == MissedPolicy.RUN_ONCE ? "run-once: it runs once now" : "skip: next run at " + nextRunText(spec, now)),
                        Actor.scheduler("task " + spec.name()), -1);
            }
        }
        for (String group : quartz.getJobGroupNames()) {
            if (!group.startsWith(MAINTENANCE_GROUP)) continue;
            String site = group.substring(MAINTENANCE_GROUP.length());
            for (Trigger trigger : quartz.getTriggersOfJob(JobKey.jobKey(MAINTENANCE_JOB, group))) {
                if (trigger.getNextFireTime() == null) continue;
                Instant due = trigger.getNextFireTime().toInstant();
                if (!due.isBefore(missedBefore)) continue;
                boolean oneOff = trigger.getKey().getName().startsWith(ONE_OFF_TRIGGER);
                if (oneOff) windows.forgetOneOff(site, due);
                reports.site(site, SchedulerEvent.Kind.MAINTENANCE_SKIPPED, "the " + (oneOff ? "one-off " : "") + "maintenance window of "
                        + reports.local(due) + " fell while the daemon was down; skipped: a restart at an hour nobody chose is worse than none"
                        + (oneOff ? "" : "; next window at " + windows.next(site).map(reports::local).orElse("none")), Actor.scheduler("maintenance"), -1);
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
                    runs.fire(group.substring(TASKS_GROUP.length()), job.getName(), scheduledFor);
                } else if (group.startsWith(MAINTENANCE_GROUP)) {
                    String site = group.substring(MAINTENANCE_GROUP.length());
                    boolean oneOff = context.getTrigger().getKey().getName().startsWith(ONE_OFF_TRIGGER);
                    if (oneOff) windows.forgetOneOff(site, scheduledFor);
                    windows.due(site, (oneOff ? "one-off maintenance window of " : "maintenance window of ") + reports.local(scheduledFor));
                }
            } catch (RuntimeException e) {
                log.error("failed: firing {} of {}: {}", job.getName(), group, e.getMessage(), e);
            }
        }
    }

    /** Stops the site's tasks from falling due until {@link #resumeTasks}; kept across daemon restarts. A no-op when paused. */
    public synchronized String pauseTasks(String site, Actor actor) {
        if (runs.specs(site).isEmpty() && runs.sites().contains(site)) return "site '" + site + "' has no tasks";
        if (!runs.setPaused(site, true)) return "the tasks of site '" + site + "' are paused already";
        stored(() -> quartz.pauseTriggers(GroupMatcher.triggerGroupEquals(TASKS_GROUP + site)));
        String message = "paused the tasks of site '" + site + "'; running ones go on to their end";
        reports.site(site, SchedulerEvent.Kind.TASKS_PAUSED, message, actor, -1);
        return message;
    }

    /** Lets the site's tasks fall due again; what fell due while paused follows each task's {@code missed} policy. A no-op when not paused. */
    public synchronized String resumeTasks(String site, Actor actor) {
        if (!runs.paused(site)) return "the tasks of site '" + site + "' are not paused";
        Instant now = reports.clock().instant();
        Map<String, Integer> missedRuns = new LinkedHashMap<>();
        List<String> missed = new ArrayList<>();
        for (TaskSpec spec : runs.specs(site)) {
            Trigger trigger = stored(() -> quartz.getTrigger(TriggerKey.triggerKey(spec.name(), TASKS_GROUP + site)));
            if (trigger == null || trigger.getNextFireTime() == null) continue;
            Instant due = trigger.getNextFireTime().toInstant();
            if (due.isAfter(now)) continue;
            int count = runsDueSince(spec, due, now);
            missedRuns.put(spec.name(), count);
            // on resume Quartz fires a run-once task once (its misfire policy), and a skip task only if it is
            // less late than the misfire threshold, as it would any late trigger
            missed.add(spec.name() + " missed " + count + " (" + spec.missed().configName() + ")");
        }
        if (!runs.setPaused(site, false)) return "the tasks of site '" + site + "' are not paused";
        missedRuns.forEach((task, count) -> runs.addMissed(site, task, count));
        stored(() -> quartz.resumeTriggers(GroupMatcher.triggerGroupEquals(TASKS_GROUP + site)));
        String message = "resumed the tasks of site '" + site + "'" + (missed.isEmpty() ? "" : "; " + String.join(", ", missed));
        reports.site(site, SchedulerEvent.Kind.TASKS_RESUMED, message, actor, -1);
        runs.reopen(site);
        return message;
    }

    /**
     * Schedules a one-off maintenance restart of the site at that time; kept across daemon restarts.
     *
     * @throws IllegalArgumentException when the site is unknown, or the time is not in the future
     */
    public String scheduleMaintenance(String site, Instant at, Actor actor) {
        if (!windows.has(site)) throw new IllegalArgumentException(SiteNames.unknown(site, new TreeSet<>(runs.sites())));
        if (!at.isAfter(reports.clock().instant())) {
            throw new IllegalArgumentException("maintenance of site '" + site + "': " + reports.local(at) + " is not in the future");
        }
        JobKey job = JobKey.jobKey(MAINTENANCE_JOB, MAINTENANCE_GROUP + site);
        TriggerKey key = TriggerKey.triggerKey(ONE_OFF_TRIGGER + at.toEpochMilli(), MAINTENANCE_GROUP + site);
        if (stored(() -> quartz.getTrigger(key)) != null) return "a maintenance window of site '" + site + "' is set for " + reports.local(at) + " already";
        stored(() -> quartz.scheduleJob(TriggerBuilder.newTrigger().withIdentity(key).forJob(job).startAt(Date.from(at))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionNextWithRemainingCount()).build()));
        windows.addOneOff(site, at);
        String message = "maintenance restart of site '" + site + "' set for " + reports.local(at) + " (drain up to "
                + Durations.format(windows.drainTimeout(site)) + ")";
        reports.site(site, SchedulerEvent.Kind.MAINTENANCE_SCHEDULED, message, actor, -1);
        return message;
    }

    /** The task runs this schedule feeds: what the operators' task commands read and start. */
    public TaskRuns runs() {
        return runs;
    }

    /** The site's next maintenance window, recurring or one-off; empty when none. Cheap: no database read. */
    public Optional<Instant> nextMaintenance(String site) {
        return windows.next(site);
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

    /** How many runs fell due from {@code due} (the trigger's next time when it stopped firing) up to now, at most 10,000. */
    private int runsDueSince(TaskSpec spec, Instant due, Instant now) {
        return 1 + spec.schedule().countBetween(due, now, zone, 10_000);
    }

    private String nextRunText(TaskSpec spec, Instant now) {
        return spec.schedule().nextAfter(now, zone).map(reports::local).orElse("never");
    }

    private static String siteOf(String group) {
        if (group.startsWith(TASKS_GROUP)) return group.substring(TASKS_GROUP.length());
        if (group.startsWith(MAINTENANCE_GROUP)) return group.substring(MAINTENANCE_GROUP.length());
        return null;
    }

    /** Stops firing; a window under way is abandoned, task runs are {@link TaskRuns}'. */
    @Override
    public void close() {
        try {
            quartz.shutdown(false);
        } catch (SchedulerException e) {
            log.warn("closing: Quartz: {}", e.getMessage());
        }
        windows.close();
    }
}
