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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches the memory of every site that has limits, and the host's: once a second, on one
 * thread of its own. A site far under its limits is read every {@link #FAR_UNDER_EVERY}, and only
 * its resident size, which bounds what it costs from above; near a limit, every second, in detail
 * (proportional set size and swap share). What {@link MemoryPolicy} and {@link HostShortage}
 * call for — a warning, a graceful restart, giving up, stopping sites in a host emergency — is
 * recorded on the site as a {@code memory} event and done on threads of its own, so a restart
 * that drains for minutes holds up no reading.
 */
public final class MemoryWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MemoryWatch.class);
    static final Duration TICK = Duration.ofSeconds(1);
    /** How often an instance under half of its lowest limit is read: it is seen crossing within this. */
    static final Duration FAR_UNDER_EVERY = Duration.ofSeconds(4);
    static final Actor POLICY = Actor.policy("memory");
    static final Actor EMERGENCY = Actor.policy("memory emergency");

    /** One watched instance; read and written on the watch's thread, but for {@link #acting}. */
    private static final class Watched {
        /** The settings the policy holds to; a reload that retunes the site gives it new ones, and a new policy. */
        final SiteConfig site;
        final MemoryPolicy policy;
        long pid;
        Instant nextAt = Instant.MIN;
        /** A restart or stop the watch asked for is under way: nothing more is asked meanwhile. */
        volatile boolean acting;
        /** The next new process is the one the watch's restart started. */
        boolean restartedByUs;
        long seenAtTick;

        Watched(SiteConfig site) {
            this.site = site;
            policy = new MemoryPolicy(site);
        }
    }

    /** The stop of one site in a host emergency, followed by the watch until it is done. */
    private static final class EmergencyStop {
        final String site;
        final List<Instance> instances;
        final Instant began;
        final long availableBefore;
        final long siteBytes;
        volatile boolean done;
        boolean killed;

        EmergencyStop(String site, List<Instance> instances, Instant began, long availableBefore, long siteBytes) {
            this.site = site;
            this.instances = instances;
            this.began = began;
            this.availableBefore = availableBefore;
            this.siteBytes = siteBytes;
        }
    }

    private final Supervisor supervisor;
    private final HostMemory host;
    private final Clock clock;
    private final ScheduledExecutorService ticks;
    private final ExecutorService actions;
    private final Map<Instance, Watched> watched = new IdentityHashMap<>();
    private long tick;
    private Config knownConfig;
    private boolean anyLimits;
    private HostShortage shortage;
    private MemoryEmergency shortageSettings;
    private EmergencyStop stopping;
    /** The sites stopped in the emergency under way, in order. */
    private final List<String> stoppedInEmergency = new ArrayList<>();
    private boolean toldNoneLeft;

    private MemoryWatch(Supervisor supervisor, HostMemory host, Clock clock) {
        this.supervisor = supervisor;
        this.host = host;
        this.clock = clock;
        this.ticks = Executors.newSingleThreadScheduledExecutor(runnable -> daemonThread(runnable, "memory-watch"));
        this.actions = Executors.newCachedThreadPool(runnable -> daemonThread(runnable, "memory-action"));
    }

    /** Watches from now until {@link #close}; the host's memory as {@code host} reads it. */
    public static MemoryWatch start(Supervisor supervisor, HostMemory host, Clock clock) {
        MemoryWatch watch = new MemoryWatch(supervisor, host, clock);
        watch.ticks.scheduleWithFixedDelay(watch::tickQuietly, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
        return watch;
    }

    private void tickQuietly() {
        try {
            tick(clock.instant());
        } catch (RuntimeException e) {
            // a watch that died would leave every limit unwatched without a word
            log.error("memory watch: {}", e.toString(), e);
        }
    }

    void tick(Instant now) {
        tick++;
        Config config = supervisor.config();
        if (config != knownConfig) {
            knownConfig = config;
            anyLimits = config.sites().values().stream().anyMatch(site -> site.memory().any());
        }
        Optional<MemoryEmergency> emergency = config.memoryEmergency();
        if (!anyLimits && emergency.isEmpty()) {
            watched.clear();
            return;
        }
        Optional<HostMemory.Reading> hostNow = host.read();
        if (anyLimits) watchSites(now, hostNow.map(HostMemory.Reading::swapUsedBytes).orElse(0L));
        if (emergency.isPresent() && hostNow.isPresent()) {
            watchHost(now, emergency.get(), hostNow.get());
        } else {
            shortage = null;
        }
    }

    private void watchSites(Instant now, long swapBytes) {
        for (List<Instance> instances : supervisor.instancesBySite().values()) {
            for (Instance instance : instances) {
                SiteConfig site = instance.site();
                if (!site.memory().any()) continue;
                Watched watch = watched.get(instance);
                if (watch == null || watch.site != site) {
                    watch = new Watched(site);
                    watched.put(instance, watch);
                }
                watch.seenAtTick = tick;
                if (watch.acting || now.isBefore(watch.nextAt)) continue;
                watchOne(now, instance, watch, swapBytes);
            }
        }
        // instances a reload replaced or removed
        watched.values().removeIf(watch -> watch.seenAtTick != tick);
    }

    private void watchOne(Instant now, Instance instance, Watched watch, long swapBytes) {
        long lowest = instance.site().memory().lowestBytes();
        Optional<WatchedMemory> read = instance.watchMemory(lowest, swapBytes);
        if (read.isEmpty()) {
            watch.nextAt = now.plus(TICK);
            return;
        }
        WatchedMemory memory = read.get();
        if (memory.pid() != watch.pid) {
            watch.policy.newProcess(watch.restartedByUs);
            watch.restartedByUs = false;
            watch.pid = memory.pid();
        }
        MemoryPolicy.Verdict verdict = watch.policy.reading(now, memory.bytes(), memory.upperBound());
        watch.nextAt = now.plus(memory.bytes() * 2 >= lowest ? TICK : FAR_UNDER_EVERY);
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
            act(watch, instance, "restart", () -> instance.restart(POLICY));
        } else if (verdict instanceof MemoryPolicy.GiveUp giveUp) {
            instance.memoryEvent("giving up: " + giveUp.reason(), POLICY);
            act(watch, instance, "give up", () -> instance.giveUp(POLICY, "memory: " + giveUp.reason()));
        }
    }

    private void act(Watched watch, Instance instance, String what, Runnable action) {
        watch.acting = true;
        actions.execute(() -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                // refused: a reload retired the instance, an operator stopped it; it says so in its own events
                log.info("memory: {}: the {} was not done: {}", instance.name(), what, e.getMessage());
            } finally {
                watch.acting = false;
            }
        });
    }

    private void watchHost(Instant now, MemoryEmergency settings, HostMemory.Reading hostNow) {
        if (shortage == null || !settings.equals(shortageSettings)) {
            shortage = new HostShortage(settings);
            shortageSettings = settings;
        }
        HostShortage.Verdict verdict = shortage.reading(now, hostNow);
        if (verdict instanceof HostShortage.Recovered recovered) recovered(recovered);
        EmergencyStop underWay = stopping;
        if (underWay != null) {
            if (!underWay.done) {
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
        if (verdict instanceof HostShortage.Emergency emergency) stopNext(now, emergency.reason(), hostNow);
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

    /** After the grace, while the host is still short, what is left of the site gets SIGKILL. */
    private void followStop(Instant now, MemoryEmergency settings, HostMemory.Reading hostNow, EmergencyStop stop) {
        if (stop.killed || now.isBefore(stop.began.plus(settings.grace()))) return;
        if (hostNow.availableBytes() >= settings.floorBytes(hostNow.totalBytes())) return;
        stop.killed = true;
        for (Instance instance : stop.instances) {
            if (instance.state() == SiteState.STOPPED) continue;
            instance.memoryEvent("SIGKILL: " + HostShortage.describe(hostNow) + ", still under " + settings.floor() + " "
                    + Durations.format(settings.grace()) + " after the stop signal", EMERGENCY);
        }
        actions.execute(() -> {
            try {
                supervisor.kill(stop.site, EMERGENCY);
            } catch (RuntimeException e) {
                log.info("memory: {}: the kill was not done: {}", stop.site, e.getMessage());
            }
        });
    }

    /** Stops the running site that comes first: lowest priority, then largest. */
    private void stopNext(Instant now, String reason, HostMemory.Reading hostNow) {
        List<HostShortage.Candidate> candidates = new ArrayList<>();
        Map<String, List<Instance>> sites = supervisor.instancesBySite();
        Set<String> stopped = new HashSet<>(stoppedInEmergency);
        for (Map.Entry<String, List<Instance>> entry : sites.entrySet()) {
            if (stopped.contains(entry.getKey())) continue;
            long bytes = 0;
            boolean runs = false;
            for (Instance instance : entry.getValue()) {
                Instance.Status status = instance.status();
                if (status.pid() == 0) continue;
                runs = true;
                bytes += status.memoryBytes();
            }
            if (runs) candidates.add(new HostShortage.Candidate(entry.getKey(), entry.getValue().get(0).site().priority(), bytes));
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
        EmergencyStop stop = new EmergencyStop(first.site(), instances, now, hostNow.availableBytes(), first.bytes());
        stopping = stop;
        String why = "host memory emergency: " + reason + "; stopping " + first.site() + " (priority " + first.priority() + ", "
                + HostShortage.megabytes(first.bytes()) + ")" + (order.size() > 1 ? ", then if still short: " + next(order) : ", the last site running");
        for (Instance instance : instances) instance.memoryEvent(why, EMERGENCY);
        actions.execute(() -> {
            try {
                supervisor.stop(first.site(), EMERGENCY, StopMode.FORCE);
            } catch (RuntimeException e) {
                log.info("memory: {}: the stop was not done: {}", first.site(), e.getMessage());
            } finally {
                stop.done = true;
            }
        });
    }

    private static String next(List<HostShortage.Candidate> order) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i < order.size() && i <= 3; i++) names.add(order.get(i).site());
        return String.join(", ", names) + (order.size() > 4 ? " ..." : "");
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        // a restart under way finishes: cut short, it would leave its instance half stopped
        actions.shutdown();
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
