package sitevisor.memory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.config.Config;
import sitevisor.config.MemoryEmergency;
import sitevisor.config.SiteConfig;
import sitevisor.mbeans.Actor;
import sitevisor.mbeans.Durations;
import sitevisor.mbeans.SiteState;
import sitevisor.posix.HostMemory;
import sitevisor.supervise.Instance;
import sitevisor.supervise.SitesListener;
import sitevisor.supervise.StopMode;
import sitevisor.supervise.Supervisor;
import sitevisor.supervise.WatchedMemory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Watches the memory of every site that has limits, and the host's: once a second, on one
 * thread of its own. A site far under its limits is read every {@link #FAR_UNDER_EVERY}, or sooner
 * when the host's available memory falls by half of its headroom, and only its resident size,
 * which bounds what it costs from above; near a limit, every second, in detail (proportional set
 * size and swap share). What {@link MemoryPolicy} and {@link HostShortage}
 * call for — a warning, a graceful restart, giving up, stopping sites in a host emergency — is
 * recorded on the site as a {@code memory} event and done on threads of its own, so a restart
 * that drains for minutes holds up no reading.
 */
public final class MemoryWatch implements SitesListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MemoryWatch.class);
    static final Duration TICK = Duration.ofSeconds(1);
    /**
     * How often an instance under half of its lowest limit is read, unless the host's available
     * memory falls by half of its headroom first: to go from there to over its limit between two
     * readings it must grow by that headroom, and the host's memory falls with it.
     */
    static final Duration FAR_UNDER_EVERY = Duration.ofSeconds(30);
    /** The first readings of instances the watch begins with are spread over this, a second apart. */
    private static final int FIRST_READINGS_OVER_SECONDS = 10;
    static final Actor POLICY = Actor.policy("memory");
    static final Actor EMERGENCY = Actor.policy("memory emergency");
    /** Threads kept for an emergency's stop and kill: a host short of memory may refuse new ones. */
    private static final int EMERGENCY_THREADS = 2;

    /** One watched instance; read and written on the watch's thread, but for {@link #acting}. */
    private static final class Watched {
        final Instance instance;
        final MemoryPolicy policy = new MemoryPolicy();
        long pid;
        long nextAtMillis;
        /** A restart or give-up the watch asked for is under way: nothing more is asked meanwhile. */
        volatile boolean acting;
        /** The next new process is the one the watch's restart started. */
        boolean restartedByUs;
        /**
         * The most the host had available since the last reading, -1 when unknown: the fall from
         * it, not from the figure at the reading, is what a site's growth shows as — memory freed
         * meanwhile (another site's restart) would hide the growth from the latter.
         */
        long mostAvailableSinceRead = -1;
        /** How far under its lowest limit the last reading was. */
        long headroomBytes;

        Watched(Instance instance, long firstAtMillis) {
            this.instance = instance;
            this.nextAtMillis = firstAtMillis;
        }

        /** Due at its time, or at once when the host lost half of its headroom since it was read: it may be the one growing. */
        boolean due(long nowMillis, long availableNow) {
            if (availableNow > mostAvailableSinceRead) mostAvailableSinceRead = availableNow;
            if (nowMillis >= nextAtMillis) return true;
            return availableNow >= 0 && mostAvailableSinceRead - availableNow >= headroomBytes / 2;
        }
    }

    /** The stop of one site's instances in a host emergency, followed by the watch until it is done. */
    private static final class EmergencyStop {
        final String site;
        final List<Instance> instances;
        final long availableBefore;
        final long siteBytes;
        final Set<Instance> killed = new HashSet<>();
        volatile boolean done;

        EmergencyStop(String site, List<Instance> instances, long availableBefore, long siteBytes) {
            this.site = site;
            this.instances = instances;
            this.availableBefore = availableBefore;
            this.siteBytes = siteBytes;
        }
    }

    private final Supervisor supervisor;
    private final HostMemory host;
    private final Clock clock;
    private final ScheduledExecutorService ticks;
    private final ExecutorService restarts;
    private final ThreadPoolExecutor emergencyActions;
    /**
     * The instances that have limits, in the config's order: made anew only when a reload brings
     * another config, so a tick walks one small list and touches no instance that is not due.
     */
    private List<Watched> watched = List.of();
    private Config knownConfig;
    private final HostShortage shortage = new HostShortage();
    private EmergencyStop stopping;
    /** The sites stopped in the emergency under way, in order; not stopped twice in one emergency. */
    private final List<String> stoppedInEmergency = new ArrayList<>();
    private boolean toldNoneLeft;
    private volatile boolean closed;
    /** The ticks, while the config in force has something to watch; null while it has none. */
    private ScheduledFuture<?> ticking;

    private MemoryWatch(Supervisor supervisor, HostMemory host, Clock clock) {
        this.supervisor = supervisor;
        this.host = host;
        this.clock = clock;
        this.ticks = Executors.newSingleThreadScheduledExecutor(runnable -> daemonThread(runnable, "memory-watch"));
        this.restarts = Executors.newCachedThreadPool(runnable -> daemonThread(runnable, "memory-restart"));
        this.emergencyActions = new ThreadPoolExecutor(EMERGENCY_THREADS, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                runnable -> daemonThread(runnable, "memory-emergency"));
        emergencyActions.prestartAllCoreThreads();
    }

    /**
     * Watches from now until {@link #close}; the host's memory as {@code host} reads it. It ticks
     * only while the config in force has limits or {@code memory.emergency}: a daemon with neither
     * wakes for nothing.
     */
    public static MemoryWatch start(Supervisor supervisor, HostMemory host, Clock clock) {
        MemoryWatch watch = new MemoryWatch(supervisor, host, clock);
        watch.configApplied(supervisor.config());
        supervisor.followSites(watch);
        return watch;
    }

    /** Ticks when the config has something to watch, and stops ticking when a reload leaves it nothing. */
    @Override
    public synchronized void configApplied(Config config) {
        boolean needed = config.memoryEmergency().isPresent() || config.sites().values().stream().anyMatch(site -> site.memory().any());
        if (closed) return;
        if (needed && ticking == null) {
            ticking = ticks.scheduleWithFixedDelay(this::tickQuietly, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
        } else if (!needed && ticking != null) {
            ticking.cancel(false);
            ticking = null;
            // the last tick, once more, closes what it kept open and ends an emergency under way
            ticks.execute(this::tickQuietly);
        }
    }

    private void tickQuietly() {
        try {
            tick(clock.instant());
        } catch (Throwable e) {
            // anything thrown out of here would end the ticks for good, silently, in the very
            // emergency (no thread to be had) the watch is for
            log.error("memory watch: {}", e.toString(), e);
        }
    }

    void tick(Instant now) {
        Config config = supervisor.config();
        if (config != knownConfig) {
            knownConfig = config;
            watchAnew(now);
        }
        Optional<MemoryEmergency> emergency = config.memoryEmergency();
        if (emergency.isEmpty()) forgetEmergency();
        if (watched.isEmpty() && emergency.isEmpty()) return;
        // noted before the reading: the next site is chosen on a reading taken after this one's stop ended
        EmergencyStop underWay = stopping;
        boolean stopEndedBeforeReading = underWay != null && underWay.done;
        Optional<HostMemory.Reading> hostNow = host.read();
        if (!watched.isEmpty()) {
            watchSites(now, hostNow.map(HostMemory.Reading::swapUsedBytes).orElse(0L), hostNow.map(HostMemory.Reading::availableBytes).orElse(-1L));
        }
        // a reading that failed (a file being rewritten) changes nothing: the next one decides
        if (emergency.isPresent() && hostNow.isPresent()) watchHost(now, emergency.get(), hostNow.get(), stopEndedBeforeReading);
    }

    /** The instances of the config in force that have limits; those it had keep what the watch knows of them. */
    private void watchAnew(Instant now) {
        Map<Instance, Watched> before = new IdentityHashMap<>();
        for (Watched watch : watched) before.put(watch.instance, watch);
        List<Watched> kept = new ArrayList<>();
        for (List<Instance> instances : supervisor.instancesBySite().values()) {
            for (Instance instance : instances) {
                Watched watch = before.remove(instance);
                if (!instance.site().memory().any()) {
                    // a reload took its limits away: the files kept open for it are closed
                    if (watch != null) instance.unwatchMemory();
                    continue;
                }
                if (watch == null) watch = new Watched(instance, now.toEpochMilli() + 1000L * (kept.size() % FIRST_READINGS_OVER_SECONDS));
                kept.add(watch);
            }
        }
        // what is left in before belongs to instances a reload retired, which closed their files
        watched = List.copyOf(kept);
    }

    private void watchSites(Instant now, long swapBytes, long availableNow) {
        long nowMillis = now.toEpochMilli();
        for (Watched watch : watched) {
            // due() first: it follows the host's memory for every instance, also one being restarted
            if (!watch.due(nowMillis, availableNow) || watch.acting) continue;
            watchOne(now, watch.instance, watch, swapBytes, availableNow);
        }
    }

    private void watchOne(Instant now, Instance instance, Watched watch, long swapBytes, long availableNow) {
        SiteConfig site = instance.site();
        long lowest = site.memory().lowestBytes();
        Optional<WatchedMemory> read = instance.watchMemory(lowest, swapBytes);
        if (read.isEmpty()) {
            watch.nextAtMillis = now.plus(TICK).toEpochMilli();
            return;
        }
        WatchedMemory memory = read.get();
        if (memory.pid() != watch.pid) {
            watch.policy.newProcess(now, watch.restartedByUs);
            watch.restartedByUs = false;
            watch.pid = memory.pid();
        }
        MemoryPolicy.Verdict verdict = watch.policy.reading(now, memory.bytes(), memory.upperBound(), site);
        watch.nextAtMillis = now.plus(memory.bytes() * 2 >= lowest ? TICK : FAR_UNDER_EVERY).toEpochMilli();
        watch.mostAvailableSinceRead = availableNow;
        watch.headroomBytes = Math.max(0, lowest - memory.bytes());
        if (verdict instanceof MemoryPolicy.Quiet) return;
        if (verdict instanceof MemoryPolicy.Warn warn) {
            instance.memoryEvent(warn.reason(), POLICY);
        } else if (verdict instanceof MemoryPolicy.BackUnder under) {
            instance.memoryEvent(under.reason(), POLICY);
        } else if (verdict instanceof MemoryPolicy.Over over) {
            instance.memoryEvent(over.reason(), POLICY);
        } else if (verdict instanceof MemoryPolicy.Restart restart) {
            instance.memoryEvent("restarting: " + restart.reason(), POLICY);
            watch.restartedByUs = true;
            act(watch, instance, "restart", () -> instance.restartIfRunning(memory.pid(), POLICY));
        } else if (verdict instanceof MemoryPolicy.GiveUp giveUp) {
            instance.memoryEvent("giving up: " + giveUp.reason(), POLICY);
            act(watch, instance, "give up", () -> instance.giveUpIfRunning(memory.pid(), POLICY, "memory: " + giveUp.reason()));
        }
    }

    /** Runs the operation on a thread of its own; it does nothing to an instance that no longer runs the process measured. */
    private void act(Watched watch, Instance instance, String what, java.util.function.Supplier<Instance.Result> operation) {
        watch.acting = true;
        try {
            restarts.execute(() -> {
                try {
                    if (closed) return;
                    Instance.Result result = operation.get();
                    // what it did, its own events say; what it did not, only this line
                    if (result.message().startsWith("did not ")) log.info("memory: {}", result.message());
                } catch (RuntimeException e) {
                    // refused: a reload retired the instance; it says so in its own events
                    log.info("memory: {}: the {} was not done: {}", instance.name(), what, e.getMessage());
                } finally {
                    watch.acting = false;
                }
            });
        } catch (RuntimeException | OutOfMemoryError e) {
            watch.acting = false;
            log.error("memory: {}: cannot {} now: {}; the next reading asks again", instance.name(), what, e.toString());
        }
    }

    private void watchHost(Instant now, MemoryEmergency settings, HostMemory.Reading hostNow, boolean stopEndedBeforeReading) {
        HostShortage.Verdict verdict = shortage.reading(now, hostNow, host::stallMicros, settings);
        if (verdict instanceof HostShortage.Recovered recovered) recovered(recovered);
        EmergencyStop underWay = stopping;
        if (underWay != null) {
            if (!stopEndedBeforeReading) {
                followStop(now, settings, hostNow, underWay);
                return;
            }
            stopping = null;
            long freed = hostNow.availableBytes() - underWay.availableBefore;
            for (Instance instance : underWay.instances) {
                instance.memoryEvent("stopped in the host memory emergency: it had " + HostShortage.megabytes(underWay.siteBytes)
                        + "; the host has " + HostShortage.megabytes(hostNow.availableBytes()) + " available now, "
                        + (freed >= 0 ? HostShortage.megabytes(freed) + " more" : HostShortage.megabytes(-freed) + " less") + " than before the stop", EMERGENCY);
            }
        }
        if (verdict instanceof HostShortage.Emergency emergency) stopNext(emergency.reason(), hostNow);
    }

    /** The host is back over the floor: said once, on every site the emergency stopped. */
    private void recovered(HostShortage.Recovered recovered) {
        log.info("memory: emergency over: {}; stopped {}; start them again once the cause is found", recovered.reason(),
                stoppedInEmergency.isEmpty() ? "no site" : String.join(", ", stoppedInEmergency));
        for (String site : stoppedInEmergency) {
            supervisor.instancesBySite().getOrDefault(site, List.of()).forEach(instance ->
                    instance.memoryEvent("host memory emergency over: " + recovered.reason(), EMERGENCY));
        }
        stoppedInEmergency.clear();
        toldNoneLeft = false;
    }

    /** A reload took memory.emergency away: an emergency under way ends here, its stop finishing on its own. */
    private void forgetEmergency() {
        if (shortage.inEmergency() || !stoppedInEmergency.isEmpty()) {
            log.info("memory: memory.emergency is no longer set: no more sites are stopped for the host's memory (stopped {})",
                    stoppedInEmergency.isEmpty() ? "none" : String.join(", ", stoppedInEmergency));
        }
        shortage.reset();
        stoppedInEmergency.clear();
        stopping = null;
        toldNoneLeft = false;
    }

    /**
     * Each instance of the site that has had its stop signal for {@code grace} (it is STOPPING,
     * since then), while the host is still short, gets SIGKILL: never a first signal.
     */
    private void followStop(Instant now, MemoryEmergency settings, HostMemory.Reading hostNow, EmergencyStop stop) {
        if (hostNow.availableBytes() >= settings.floorBytes(hostNow.totalBytes())) return;
        for (Instance instance : stop.instances) {
            if (stop.killed.contains(instance)) continue;
            Instance.Status status = instance.status();
            if (status.state() != SiteState.STOPPING || status.changedAt() == null || now.isBefore(status.changedAt().plus(settings.grace()))) {
                continue;
            }
            stop.killed.add(instance);
            instance.memoryEvent("SIGKILL: " + HostShortage.describe(hostNow) + ", still under " + settings.floor() + " "
                    + Durations.format(settings.grace()) + " after the stop signal", EMERGENCY);
            emergency(instance.name() + ": the kill", () -> instance.kill(EMERGENCY));
        }
    }

    /** Stops the running site that comes first: lowest priority, then largest; a site in another operation's hands is left to it. */
    private void stopNext(String reason, HostMemory.Reading hostNow) {
        List<HostShortage.Candidate> candidates = new ArrayList<>();
        Map<String, List<Instance>> sites = supervisor.instancesBySite();
        Set<String> stopped = new HashSet<>(stoppedInEmergency);
        for (Map.Entry<String, List<Instance>> entry : sites.entrySet()) {
            if (stopped.contains(entry.getKey())) continue;
            long bytes = 0;
            boolean running = false;
            for (Instance instance : entry.getValue()) {
                Instance.Status status = instance.status();
                if (status.state() != SiteState.RUNNING) continue;
                running = true;
                bytes += status.memoryBytes();
            }
            if (running) candidates.add(new HostShortage.Candidate(entry.getKey(), entry.getValue().get(0).site().priority(), bytes));
        }
        List<HostShortage.Candidate> order = HostShortage.stopOrder(candidates);
        if (order.isEmpty()) {
            if (!toldNoneLeft) log.warn("memory: emergency: {}; no site is left running to stop", reason);
            toldNoneLeft = true;
            return;
        }
        HostShortage.Candidate first = order.get(0);
        List<Instance> instances = sites.get(first.site());
        stoppedInEmergency.add(first.site());
        EmergencyStop stop = new EmergencyStop(first.site(), instances, hostNow.availableBytes(), first.bytes());
        stopping = stop;
        String why = "host memory emergency: " + reason + "; stopping " + first.site() + " (priority " + first.priority() + ", "
                + HostShortage.megabytes(first.bytes()) + ")" + (order.size() > 1 ? ", then if still short: " + next(order) : ", the last site running");
        for (Instance instance : instances) instance.memoryEvent(why, EMERGENCY);
        // the instances this decision saw, all at once: a reload may have replaced the site's by the time they stop
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (Instance instance : instances) {
            CompletableFuture<Void> ended = new CompletableFuture<>();
            stops.add(ended);
            boolean begun = emergency(instance.name() + ": the stop", () -> {
                try {
                    instance.stop(EMERGENCY, StopMode.FORCE);
                } finally {
                    ended.complete(null);
                }
            });
            if (!begun) ended.complete(null);
        }
        CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> stop.done = true);
    }

    /** Runs an emergency step on a thread kept for it; false when no thread could be had. */
    private boolean emergency(String what, Runnable step) {
        try {
            emergencyActions.execute(() -> {
                try {
                    step.run();
                } catch (RuntimeException e) {
                    log.info("memory: {} was not done: {}", what, e.getMessage());
                }
            });
            return true;
        } catch (RuntimeException | OutOfMemoryError e) {
            log.error("memory: {} cannot begin: {}", what, e.toString());
            return false;
        }
    }

    private static String next(List<HostShortage.Candidate> order) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i < order.size() && i <= 3; i++) names.add(order.get(i).site());
        return String.join(", ", names) + (order.size() > 4 ? " ..." : "");
    }

    @Override
    public void close() {
        supervisor.unfollowSites(this);
        closed = true;
        ticks.shutdownNow();
        // an operation under way finishes: cut short, it would leave its instance half stopped;
        // one not begun yet does nothing once closed, and one that finds its process gone does nothing either
        restarts.shutdown();
        emergencyActions.shutdown();
        try {
            ticks.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        host.close();
    }

    /** Says what is watched, for the start-up log. */
    public static String describe(Config config) {
        long limited = config.sites().values().stream().filter(site -> site.memory().any()).count();
        String sites = limited == 0 ? "no site has memory limits" : limited + " of " + config.sites().size() + " sites have memory limits";
        return sites + "; " + config.memoryEmergency().map(MemoryEmergency::toString).orElse("no host emergency (memory.emergency is not set)");
    }

    private static Thread daemonThread(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
