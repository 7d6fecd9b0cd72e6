package sitevisor.supervise;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.config.Config;
import sitevisor.config.file.ConfigException;
import sitevisor.config.ConfigLoader;
import sitevisor.config.file.ConfigProblem;
import sitevisor.config.SiteConfig;
import sitevisor.logs.LogRotator;
import sitevisor.mbeans.Actor;
import sitevisor.mbeans.SiteNames;
import sitevisor.mbeans.SiteState;
import sitevisor.posix.Cgroups;
import sitevisor.posix.ExitWatcher;
import sitevisor.posix.Native;
import sitevisor.posix.OrphanReaper;
import sitevisor.posix.PidFd;
import sitevisor.posix.ProcessTable;
import sitevisor.scheduler.SchedulerEvents;
import sitevisor.scheduler.SiteLifecycle;
import sitevisor.scheduler.TaskProcess;
import sitevisor.scheduler.TaskRuns;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Every site of one configuration: their instances, operations over several at once, and the
 * reload that moves to a new configuration. The config and the sites are read by any thread
 * (MBean and HTTP requests) and replaced together, as one immutable snapshot, only by a reload.
 */
public final class Supervisor implements SiteLifecycle, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
    private static final Duration WORKER_KEEP_ALIVE = Duration.ofSeconds(5);
    /**
     * How often the orphans the daemon adopted as subreaper are looked for: one system call when
     * there are none, but each wake of the timer thread costs an idle daemon far more than the
     * call, and an orphan's zombie holds nothing but its pid meanwhile.
     */
    private static final Duration ORPHAN_REAPING_PERIOD = Duration.ofSeconds(5);
    // what a retired instance answers to an operation that raced with the reload
    private static final String REMOVED_BY_RELOAD = "its site was removed from the config by a reload";
    private static final String REPLACED_BY_RELOAD = "a reload replaced it with the site's new settings; ask again";

    /** The applied config and its instances, site by site in the file's order; never modified, only replaced. */
    private record Snapshot(Config config, Map<String, List<Instance>> sites) {}

    private volatile Snapshot snapshot;
    private final Context context;
    /** Why the instances have no cgroups, for the start-up log; empty when they have. */
    private final String noCgroupBecause;
    /** Held by a reload, and by shutdown so that no reload starts sites behind it. */
    private final ReentrantLock reloading = new ReentrantLock();
    /** Set by shutdown under {@link #reloading}: a reload that waited for it must not start sites again. */
    private boolean shutDown;
    private final List<SitesListener> sitesListeners = new CopyOnWriteArrayList<>();
    private final ScheduledThreadPoolExecutor timers;
    private final ExecutorService workers;
    private final ExitWatcher watcher;
    private final LogRotator rotator;
    private ScheduledFuture<?> heapTrim;
    /** The sites' task runs: drained before every graceful stop, reopened when a site is running again. */
    private final TaskRuns taskRuns;

    /**
     * @param events     hears of every lifecycle event
     * @param taskEvents hears of what the sites' task runs and drains did
     */
    public Supervisor(Config config, EventListener events, SchedulerEvents taskEvents, Clock clock) throws IOException {
        this(config, events, taskEvents, clock, System.getenv());
    }

    /** @param baseEnvironment what every site's environment starts from, before its own entries */
    public Supervisor(Config config, EventListener events, SchedulerEvents taskEvents, Clock clock, Map<String, String> baseEnvironment)
            throws IOException {
        this(config, events, taskEvents, clock, baseEnvironment, new ProcessTable(Group.MARKER_VARIABLE));
    }

    /** @param processes where the instances look for their processes: a test's own table watches when they do */
    Supervisor(Config config, EventListener events, SchedulerEvents taskEvents, Clock clock, Map<String, String> baseEnvironment,
               ProcessTable processes) throws IOException {
        this(config, events, taskEvents, clock, baseEnvironment, processes, Cgroups.forHome(config.runDir()));
    }

    /** @param cgroups where the instances' cgroups are, or why there are none */
    Supervisor(Config config, EventListener events, SchedulerEvents taskEvents, Clock clock, Map<String, String> baseEnvironment,
               ProcessTable processes, Cgroups.Found cgroups) throws IOException {
        PidFd.checkSupported();
        Files.createDirectories(config.runDir());
        Files.createDirectories(config.logsDir());
        timers = new ScheduledThreadPoolExecutor(1, daemonThreads("timer"));
        timers.setRemoveOnCancelPolicy(true);
        // threads come and go with the work, so an idle daemon keeps few
        workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, WORKER_KEEP_ALIVE.toSeconds(), TimeUnit.SECONDS, new SynchronousQueue<>(), daemonThreads("site-op"));
        watcher = new ExitWatcher();
        rotator = new LogRotator();
        taskRuns = new TaskRuns(this, taskEvents, clock, ZoneId.systemDefault());
        EventListener reopeningTasks = event -> {
            try {
                events.onEvent(event);
            } finally {
                // a listener that failed must not cost a site its owed task runs
                reopenTasksWhenRunning(event);
            }
        };
        context = new Context(watcher, timers, workers, reopeningTasks, clock, config.runDir(), config.logsDir(), rotator,
                Map.copyOf(baseEnvironment), processes, taskRuns, cgroups.cgroups(), OrphanReaper.forThisProcess());
        noCgroupBecause = cgroups.whyNone();
        context.orphans().ifPresent(reaper -> timers.scheduleWithFixedDelay(reaper::reapOnce,
                ORPHAN_REAPING_PERIOD.toMillis(), ORPHAN_REAPING_PERIOD.toMillis(), TimeUnit.MILLISECONDS));
        Map<String, List<Instance>> sites = new LinkedHashMap<>();
        for (SiteConfig site : config.sites().values()) sites.put(site.name(), newInstances(site));
        snapshot = new Snapshot(config, Collections.unmodifiableMap(sites));
    }

    private List<Instance> newInstances(SiteConfig site) {
        List<Instance> instances = new ArrayList<>();
        for (int i = 0; i < site.instances(); i++) instances.add(new Instance(site, i, context));
        return List.copyOf(instances);
    }

    /**
     * A site whose every instance is ready again resumes its tasks: on another thread, as this one
     * holds the instance's lock and a task's start asks for the site's state.
     */
    private void reopenTasksWhenRunning(LifecycleEvent event) {
        if (event.kind() != LifecycleEvent.Kind.TRANSITION || event.to() != SiteState.RUNNING || !taskRuns.hasTasks(event.site())) return;
        try {
            workers.execute(() -> {
                if (config().site(event.site()).isPresent() && siteState(event.site()) == SiteState.RUNNING) taskRuns.reopen(event.site());
            });
        } catch (RejectedExecutionException closing) {
            // the daemon is closing: nothing runs any more
        }
    }

    /** The sites' task runs, which the schedule feeds and the operators' task commands reach. */
    public TaskRuns taskRuns() {
        return taskRuns;
    }

    /** The config in force: the one the daemon started with, or the last one a reload applied. */
    public Config config() {
        return snapshot.config();
    }

    /**
     * Tells the listener of every site now, then of every site a later reload adds or removes. No
     * reload runs meanwhile, so the listener misses none and hears of none twice. A listener that
     * throws here is not added, and the exception is the caller's.
     */
    public void followSites(SitesListener listener) {
        reloading.lock();
        try {
            for (String site : snapshot.sites().keySet()) listener.siteAdded(site);
            sitesListeners.add(listener);
        } finally {
            reloading.unlock();
        }
    }

    /** Stops telling the listener of sites; it may still hear of a reload already under way. */
    public void unfollowSites(SitesListener listener) {
        sitesListeners.remove(listener);
    }

    /**
     * Adopts every instance whose pid file names a process that is still ours, or whose process
     * carries its marker when there is no such pid file, reports the stale ones, then starts the
     * autostart sites that are not running — all sites in parallel.
     */
    public void startUp() {
        Actor startUp = Actor.daemon("start-up");
        log.info("tracking: the sites' processes {}", context.cgroups().map(c -> "in a cgroup per instance, " + c + " (cat "
                + c.base() + "/SITE.INSTANCE/cgroup.procs), and by their marker")
                .orElse("by their marker and their process group alone, in no cgroup: " + noCgroupBecause)
                + context.orphans().map(r -> "; what they leave behind is reparented to the daemon (child subreaper)").orElse(""));
        reportForeignPidFiles();
        Map<String, List<Instance.Marked>> marked = markedProcesses();
        forEach(all(), instance -> {
            if (instance.adoptFromPidFile(startUp)) return null;
            List<Instance.Marked> ours = marked.getOrDefault(instance.markerPrefix(), List.of());
            if (!ours.isEmpty() && instance.adoptByMarker(startUp, ours)) return null;
            if (instance.adoptFromCgroup(startUp)) return null;
            if (!instance.site().autostart()) return null;
            try {
                return instance.start(Actor.daemon("autostart"));
            } catch (IllegalStateException refused) {
                return null; // published as a REFUSED event and logged there
            }
        });
    }

    /**
     * The processes that carry a marker of this home, by the instance whose marker prefix theirs
     * starts with: one look at every process, before anything is started.
     */
    private Map<String, List<Instance.Marked>> markedProcesses() {
        Map<String, List<Instance.Marked>> byPrefix = new HashMap<>();
        Set<String> prefixes = new HashSet<>();
        for (Instance instance : all()) prefixes.add(instance.markerPrefix());
        ProcessTable.Scan scan = context.processes().now();
        for (int i = 0; i < scan.size(); i++) {
            String marker = scan.markerOf(i);
            if (marker == null || scan.get(i).isZombie()) continue;
            int lastDot = marker.lastIndexOf('.');
            if (lastDot > 0 && prefixes.contains(marker.substring(0, lastDot))) {
                byPrefix.computeIfAbsent(marker.substring(0, lastDot), p -> new ArrayList<>()).add(new Instance.Marked(scan.get(i), marker));
            }
        }
        return byPrefix;
    }

    /** Pid files under run/ that belong to no configured instance: never signalled, only reported. */
    private void reportForeignPidFiles() {
        List<Path> known = all().stream().map(Instance::pidFilePath).toList();
        Path runDir = config().runDir();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(runDir, "*.pid")) {
            for (Path file : files) {
                if (known.contains(file)) continue;
                try {
                    PidFile recorded = PidFile.read(file);
                    var why = recorded.identity().whyStale();
                    if (why.isPresent()) {
                        log.warn("stale: {}: {}; removed it, signalled nothing", file, why.get());
                        Files.deleteIfExists(file);
                    } else {
                        log.warn("orphan: {} names pid {} of site '{}' instance {}, which this config does not run; "
                                        + "left it running: stop it by hand, or put the site back and stop it",
                                file, recorded.identity().pid(), recorded.site(), recorded.instance());
                    }
                } catch (PidFile.Unreadable e) {
                    log.warn("stale: {}: {}; removed it, signalled nothing", file, e.getMessage());
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            log.warn("cannot read {}: {}", runDir, e.getMessage());
        }
    }

    /** The instances of one site, or every site's for {@code all}; refused with the known names for an unknown one. */
    public List<Instance> instances(String site) {
        if ("all".equals(site)) return all();
        Map<String, List<Instance>> sites = snapshot.sites();
        List<Instance> instances = sites.get(site);
        if (instances == null) {
            throw new IllegalArgumentException(SiteNames.unknown(site, sites.keySet()));
        }
        return instances;
    }

    /** Every site's instances, site by site in the file's order, as the config in force has them. */
    public Map<String, List<Instance>> instancesBySite() {
        return snapshot.sites();
    }

    public List<Instance> all() {
        return snapshot.sites().values().stream().flatMap(List::stream).toList();
    }

    public List<Instance.Result> start(String site, Actor by) {
        return forEach(instances(site), i -> i.start(by));
    }

    public List<Instance.Result> stop(String site, Actor by) {
        return stop(site, by, StopMode.GRACEFUL);
    }

    public List<Instance.Result> stop(String site, Actor by, StopMode mode) {
        return forEach(instances(site), i -> i.stop(by, mode));
    }

    public List<Instance.Result> restart(String site, Actor by) {
        return restart(site, by, StopMode.GRACEFUL);
    }

    public List<Instance.Result> restart(String site, Actor by, StopMode mode) {
        return forEach(instances(site), i -> i.restart(by, mode));
    }

    /**
     * Starts a task's program for the site: in its directory and environment, a process group of its
     * own, its output into the site's log.
     */
    @Override
    public TaskProcess launch(String site, String task, List<String> command) throws IOException {
        SiteConfig config = config().site(site).orElseThrow(() -> new IOException(SiteNames.unknown(site, config().siteNames())));
        return TaskLauncher.launch(config, task, command, context);
    }

    // the least settled state wins when instances differ: an operator must see trouble first
    private static final List<SiteState> ATTENTION_ORDER = List.of(SiteState.UNKNOWN, SiteState.FATAL, SiteState.BACKOFF,
            SiteState.STOPPING, SiteState.DRAINING, SiteState.STARTING, SiteState.EXITED, SiteState.STOPPED, SiteState.RUNNING);

    /** The site's state: its instances' common state, or the least settled among them. */
    public SiteState siteState(String site) {
        SiteState worst = SiteState.RUNNING;
        for (Instance instance : instances(site)) {
            SiteState state = instance.state();
            if (ATTENTION_ORDER.indexOf(state) < ATTENTION_ORDER.indexOf(worst)) worst = state;
        }
        return worst;
    }

    /** The site's state as the scheduler asks for it: null for a site the config does not have. */
    @Override
    public SiteState state(String site) {
        return config().site(site).isPresent() ? siteState(site) : null;
    }

    @Override
    public String restartForMaintenance(String site, Duration drainTimeout, Actor by) {
        List<String> outcomes = new ArrayList<>();
        for (Instance.Result result : restart(site, by, StopMode.drainingUpTo(drainTimeout))) outcomes.add(result.state() + ": " + result.message());
        return String.join("; ", outcomes);
    }

    public List<Instance.Result> kill(String site, Actor by) {
        return forEach(instances(site), i -> i.kill(by));
    }

    /** Starts every instance of every site at once; a refusal is an outcome, never thrown. */
    public List<Outcome> startAll(Actor by) {
        return outcomes(all(), i -> i.start(by), SiteState.RUNNING);
    }

    /** Stops every instance of every site at once, each bounded by its own timeouts; a refusal is an outcome, never thrown. */
    public List<Outcome> stopAll(Actor by) {
        return stopAll(by, StopMode.GRACEFUL);
    }

    public List<Outcome> stopAll(Actor by, StopMode mode) {
        List<Instance> instances = all();
        return outcomes(instances, signalledFirst(instances, by, i -> i.stop(by, mode)), SiteState.STOPPED);
    }

    /**
     * A stop of many instances, its signals sent first: each instance that can stop at once (no
     * other operation under way, no tasks to drain) gets its stop signal here, in this thread, one
     * after another; then each enters STOPPING. The operation returned does the rest in a thread
     * per instance: the wait for those, the whole {@code stop} for the others. When every stop
     * started its own thread first, thread starts queued behind each other and behind the stops
     * already running, and the last sites of every stop all got their signal late. With each
     * STOPPING entered between two signals, the transitions (their log lines and history rows)
     * held the later signals back too, so every signal goes out before any transition.
     */
    private static Function<Instance, Instance.Result> signalledFirst(List<Instance> instances, Actor by, Function<Instance, Instance.Result> stop) {
        Map<Instance, Instance.SignalledStop> signalled = new LinkedHashMap<>();
        for (Instance instance : instances) instance.signalStop(by).ifPresent(begun -> signalled.put(instance, begun));
        signalled.values().forEach(Instance.SignalledStop::handOff);
        return instance -> {
            Instance.SignalledStop begun = signalled.get(instance);
            return begun != null ? begun.await() : stop.apply(instance);
        };
    }

    /** Restarts every instance of every site at once, stopped ones included; a refusal is an outcome, never thrown. */
    public List<Outcome> restartAll(Actor by) {
        return restartAll(by, StopMode.GRACEFUL);
    }

    public List<Outcome> restartAll(Actor by, StopMode mode) {
        return outcomes(all(), i -> i.restart(by, mode), SiteState.RUNNING);
    }

    public List<Instance.Status> status() {
        return all().stream().map(Instance::status).toList();
    }

    /** Stops every site in parallel, each bounded by its own timeouts, after a reload under way has finished. */
    public void shutdown(Actor by) {
        reloading.lock();
        try {
            shutDown = true;
            List<Instance> instances = all();
            forEach(instances, signalledFirst(instances, by, i -> i.stop(by)));
        } finally {
            reloading.unlock();
        }
    }

    /**
     * Re-reads the config file in force, with the loader and checks of start-up, and applies only
     * what changed. First, in parallel, the instances of removed and changed sites are stopped and
     * retired, which frees their ports; then, in parallel, changed sites that were meant to run and
     * added sites with {@code autostart} are started with their new settings. Sites whose settings
     * are equal are not touched. One reload runs at a time; another waits for it.
     *
     * @throws IllegalStateException with every problem, when the file cannot be used or changes
     *                               what only a daemon restart can apply, or once the daemon is
     *                               shutting down; nothing has changed then
     */
    public ReloadReport reload(Actor by) {
        reloading.lock();
        try {
            if (shutDown) throw new IllegalStateException("reload refused: the daemon is shutting down; nothing was changed");
            Snapshot before = snapshot;
            Config next = loadAgain(before.config());
            refuseDaemonChanges(before.config(), next);
            Actor reload = by.via("reload");
            Changes changes = Changes.between(before.config(), next);
            // decided before the stop, which clears it: a changed site runs again only if it was meant to run
            List<String> restarting = changes.changed().stream()
                    .filter(site -> before.sites().get(site).stream().anyMatch(Instance::isWanted)).toList();

            // first free the ports: stop what goes away or is replaced, and keep it from coming back
            List<Instance> leaving = new ArrayList<>();
            for (String site : changes.removed()) leaving.addAll(before.sites().get(site));
            for (String site : changes.changed()) leaving.addAll(before.sites().get(site));
            List<Outcome> outcomes = new ArrayList<>(outcomes(leaving, i -> i.retire(reload,
                    changes.removed().contains(i.site().name()) ? REMOVED_BY_RELOAD : REPLACED_BY_RELOAD), SiteState.STOPPED));

            Map<String, List<Instance>> sites = new LinkedHashMap<>();
            for (SiteConfig site : next.sites().values()) {
                boolean kept = changes.unchanged().contains(site.name()) || changes.retuned().contains(site.name());
                sites.put(site.name(), kept ? before.sites().get(site.name()) : newInstances(site));
            }
            for (String site : changes.retuned()) {
                for (Instance instance : sites.get(site)) instance.retune(next.sites().get(site));
                SiteConfig tuned = next.sites().get(site);
                log.info("applied: {}: memory: {}; priority {}; with no restart [{}]", site, tuned.memory(), tuned.priority(), reload);
            }
            snapshot = new Snapshot(next, Collections.unmodifiableMap(sites));
            if (!before.config().httpAccess().equals(next.httpAccess())) {
                log.info("applied: the HTTP agent now accepts browser origins {} and host names {} [{}]",
                        next.httpAccess().origins(), next.httpAccess().allowedHosts(), reload);
            }
            changes.removed().forEach(site -> tellListeners(site, "removed", SitesListener::siteRemoved));
            changes.added().forEach(site -> tellListeners(site, "added", SitesListener::siteAdded));

            List<Instance> starting = new ArrayList<>();
            for (String site : restarting) starting.addAll(sites.get(site));
            for (String site : changes.added()) if (next.sites().get(site).autostart()) starting.addAll(sites.get(site));
            outcomes.addAll(outcomes(starting, i -> i.start(reload), SiteState.RUNNING));

            for (SitesListener listener : sitesListeners) {
                try {
                    listener.configApplied(next);
                } catch (RuntimeException e) {
                    log.error("failed: applying the reloaded config: {}", e.getMessage(), e);
                }
            }

            ReloadReport report = new ReloadReport(changes.added(), changes.removed(), changes.changed(), changes.retuned(), changes.unchanged(), outcomes);
            log.info("reloaded: {}: {} [{}]", next.file(), report.summary(), reload);
            return report;
        } finally {
            reloading.unlock();
        }
    }

    /**
     * Which sites a new config adds, removes, changes, changes only in their memory limits or
     * priority (retuned: their processes keep running), and leaves as they are: by name, then by
     * equal settings.
     */
    private record Changes(List<String> added, List<String> removed, List<String> changed, List<String> retuned, List<String> unchanged) {
        static Changes between(Config before, Config next) {
            Changes changes = new Changes(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (String site : before.siteNames()) if (next.site(site).isEmpty()) changes.removed().add(site);
            for (SiteConfig site : next.sites().values()) {
                SiteConfig old = before.site(site.name()).orElse(null);
                if (old == null) changes.added().add(site.name());
                else if (old.equals(site)) changes.unchanged().add(site.name());
                else if (old.differsOnlyInTuning(site)) changes.retuned().add(site.name());
                else changes.changed().add(site.name());
            }
            return changes;
        }
    }

    private Config loadAgain(Config current) {
        try {
            // the daemon's environment answers for PATH, as it did at start-up
            return ConfigLoader.load(current.file(), context.baseEnvironment()::get);
        } catch (ConfigException e) {
            int count = e.problems().size();
            StringBuilder message = new StringBuilder("reload refused: " + count + " problem" + (count == 1 ? "" : "s")
                    + " in " + current.file() + "; nothing was changed");
            for (ConfigProblem problem : e.problems()) message.append('\n').append(problem);
            throw new IllegalStateException(message.toString());
        }
    }

    /** home, jolokia and jmx are bound when the daemon starts: its lock and files, its listening sockets. */
    private static void refuseDaemonChanges(Config current, Config next) {
        List<String> changes = new ArrayList<>();
        if (!current.home().equals(next.home())) changes.add("home changed from " + current.home() + " to " + next.home());
        if (!current.jolokia().host().equals(next.jolokia().host())) {
            changes.add("jolokia.host changed from " + current.jolokia().host() + " to " + next.jolokia().host());
        }
        if (current.jolokia().port() != next.jolokia().port()) {
            changes.add("jolokia.port changed from " + current.jolokia().port() + " to " + next.jolokia().port());
        }
        if (current.jmxPort() != next.jmxPort()) changes.add("jmx.port changed from " + current.jmxPort() + " to " + next.jmxPort());
        if (!current.history().equals(next.history())) changes.add("history changed");
        if (changes.isEmpty()) return;
        throw new IllegalStateException("reload refused: " + String.join("; ", changes) + " in " + next.file()
                + "; the daemon must be restarted for " + (changes.size() == 1 ? "it" : "them") + ", so nothing was changed "
                + "(put the old value back to reload the sites)");
    }

    /** A listener that fails is logged and passed: the sites themselves are applied already. */
    private void tellListeners(String site, String what, BiConsumer<SitesListener, String> call) {
        for (SitesListener listener : sitesListeners) {
            try {
                call.accept(listener, site);
            } catch (RuntimeException e) {
                log.error("failed: site '{}' {} by a reload: {}", site, what, e.getMessage(), e);
            }
        }
    }

    /**
     * Runs the operation on every instance at once and waits for all. The first refusal is thrown
     * after all have finished, so one refused instance does not leave the others half-done.
     */
    private <T> List<T> forEach(List<Instance> instances, Function<Instance, T> operation) {
        List<T> results = new ArrayList<>();
        RuntimeException first = null;
        for (Attempt<T> attempt : attemptEach(instances, operation)) {
            if (attempt.refusal() == null) {
                results.add(attempt.result());
            } else if (first == null) {
                first = attempt.refusal();
            } else {
                first.addSuppressed(attempt.refusal());
            }
        }
        if (first != null) throw first;
        return results;
    }

    /**
     * Runs the operation on every instance at once and waits for all; each instance's outcome is
     * ok when it ended in {@code goal}, and a refusal becomes an outcome with its message.
     */
    private List<Outcome> outcomes(List<Instance> instances, Function<Instance, Instance.Result> operation, SiteState goal) {
        List<Attempt<Instance.Result>> attempts = attemptEach(instances, operation);
        List<Outcome> outcomes = new ArrayList<>(attempts.size());
        for (int i = 0; i < attempts.size(); i++) {
            Instance instance = instances.get(i);
            Attempt<Instance.Result> attempt = attempts.get(i);
            if (attempt.refusal() == null) {
                Instance.Result result = attempt.result();
                outcomes.add(new Outcome(instance.site().name(), instance.index(), result.state() == goal, result.state(), result.message()));
            } else {
                String why = Objects.requireNonNullElse(attempt.refusal().getMessage(), attempt.refusal().toString());
                outcomes.add(new Outcome(instance.site().name(), instance.index(), false, instance.state(), why));
            }
        }
        return outcomes;
    }

    /** An operation's result, or what it threw instead. */
    private record Attempt<T>(T result, RuntimeException refusal) {}

    private <T> List<Attempt<T>> attemptEach(List<Instance> instances, Function<Instance, T> operation) {
        if (instances.size() == 1) return List.of(attempt(instances.get(0), operation));
        List<CompletableFuture<Attempt<T>>> futures = new ArrayList<>(instances.size());
        for (Instance instance : instances) {
            try {
                futures.add(CompletableFuture.supplyAsync(() -> attempt(instance, operation), workers));
            } catch (RejectedExecutionException closing) {
                // the operation may hold work that must end (a stop signalled first): here, then
                futures.add(CompletableFuture.completedFuture(attempt(instance, operation)));
            }
        }
        List<Attempt<T>> attempts = new ArrayList<>(futures.size());
        for (CompletableFuture<Attempt<T>> future : futures) {
            try {
                attempts.add(future.join());
            } catch (CompletionException e) {
                // not a refusal but an Error: still wait for the others, then report it like one
                attempts.add(new Attempt<>(null, e));
            }
        }
        if (!instances.isEmpty()) scheduleHeapTrim();
        return attempts;
    }

    private static <T> Attempt<T> attempt(Instance instance, Function<Instance, T> operation) {
        try {
            return new Attempt<>(operation.apply(instance), null);
        } catch (RuntimeException refused) {
            return new Attempt<>(null, refused);
        }
    }

    /**
     * An operation on many sites at once runs each on its own thread; once those threads have
     * ended, the memory they used sits free in malloc's arenas, and only a trim returns it.
     */
    private synchronized void scheduleHeapTrim() {
        if (heapTrim != null) heapTrim.cancel(false);
        heapTrim = timers.schedule(Native::trimNativeHeap, WORKER_KEEP_ALIVE.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Leaves the sites as they are (a daemon restart adopts them) and releases the daemon's threads. */
    @Override
    public void close() {
        taskRuns.close();
        timers.shutdownNow();
        workers.shutdownNow();
        watcher.close();
        rotator.close();
        // the cgroups of sites left running stay, for the next daemon to find them in
        context.cgroups().ifPresent(Cgroups::removeEmpty);
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
