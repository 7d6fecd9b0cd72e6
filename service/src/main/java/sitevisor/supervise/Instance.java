package sitevisor.supervise;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.config.SiteConfig;
import sitevisor.mbeans.Actor;
import sitevisor.mbeans.Durations;
import sitevisor.mbeans.SiteState;
import sitevisor.posix.ExitStatus;
import sitevisor.posix.PidFd;
import sitevisor.posix.Ports;
import sitevisor.posix.ProcStat;
import sitevisor.posix.ProcessIdentity;
import sitevisor.posix.Processes;
import sitevisor.posix.Signal;
import sitevisor.posix.Spawner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static sitevisor.mbeans.SiteState.*;

/**
 * One instance of a site and its state machine. Operations (start, stop, restart, kill, retire,
 * and the crash policy acting on an exit) run one at a time under {@link #operation};
 * {@link #moveTo} is the only place that changes the state, and it runs only under that lock.
 */
public final class Instance {
    private static final Logger log = LoggerFactory.getLogger(Instance.class);
    private static final Duration PID_FILE_RETRY = Duration.ofSeconds(5);
    /** The states in which the instance's main process runs. */
    private static final Set<SiteState> HAS_PROCESS = EnumSet.of(STARTING, RUNNING, DRAINING, STOPPING, UNKNOWN);
    /** How long after a crash the search for what the ended process left outside its group waits: past the restart. */
    private static final Duration LEFTOVER_SEARCH_DELAY = Duration.ofSeconds(1);

    /** Replaced only by {@link #retune}, with settings that differ in nothing a running process depends on. */
    private volatile SiteConfig site;
    private final int index;
    private final Context context;
    private final Readiness readiness;
    private final OperationLock operation = new OperationLock();
    /** Bumped by every stop request, so a start in progress sees it and gives way. */
    private final AtomicInteger stopRequests = new AtomicInteger();
    private final CrashPolicy crashPolicy;
    /** Exits the exit watcher reported that no operation has looked at yet. */
    private final ExitInbox<Child> exits;

    private volatile SiteState state = STOPPED;
    /** When {@link #state} was entered; null until the first transition (the daemon cannot know before). */
    private volatile Instant stateSince;
    private volatile Actor stateActor = Actor.daemon("start-up");
    private volatile Child current;
    private volatile String lastReason = "";
    private volatile ExitStatus lastExit;
    private volatile int restarts;
    /** What the requests made of the instance say it is meant to do; read without the lock, so atomic. */
    private final AtomicReference<Intent> intent = new AtomicReference<>(Intent.STAY_DOWN);
    /**
     * Set by a kill before it waits for the operation lock: a drain under way gives way to it at
     * once. A request in flight, not an intent: the kill clears it when it is done.
     */
    private volatile boolean killRequested;
    private ScheduledFuture<?> retry;
    /** What the markers of this instance's processes start with: its home, its site, its number. */
    private final String markerPrefix;
    /** A pid file that could not be written (a full disk), tried again until it is. */
    private ScheduledFuture<?> pidFileRetry;
    private Actor actor = Actor.daemon("start-up");
    /** Where the events of the operation under way leave what it must wait for before it returns. */
    private DeferredWaits waits = DeferredWaits.NONE;
    private final MemoryGauge memory = new MemoryGauge();
    /** The stop under way, which a kill hurries; null when none is. */
    private volatile StopSequence stopping;

    Instance(SiteConfig site, int index, Context context) {
        this.site = site;
        this.crashPolicy = new CrashPolicy(site, () -> ThreadLocalRandom.current().nextDouble());
        this.index = index;
        this.context = context;
        this.readiness = new Readiness(site, index);
        this.markerPrefix = Group.homeTag(context.runDir()) + "/" + site.name() + "." + index;
        this.exits = new ExitInbox<>(operation, context.workers(), this::exitNeedsPolicy, this::seeExits);
    }

    /** What an operation did, in words for the operator. */
    public record Result(SiteState state, String message) {}

    /**
     * A consistent-enough view for status: each field is read once.
     *
     * @param pid             the main process, 0 in a state where none runs (a process that ended is not shown as if it ran)
     * @param memoryBytes     what its processes cost the host: proportional set size and swap share ({@link MemoryGauge})
     * @param memoryPeakBytes the most they cost since the main process started
     * @param memoryWarnBytes    the site's warning limit for each instance, 0 when none
     * @param memoryRestartBytes the site's restart limit for each instance, 0 when none
     * @param changedAt       when the instance entered its state, null before its first change
     * @param changedBy       who moved it there
     */
    public record Status(String site, int instance, SiteState state, long pid, Instant startedAt, int port,
                         int restarts, ExitStatus lastExit, String reason, long memoryBytes, long memoryPeakBytes, long memoryWarnBytes,
                         long memoryRestartBytes, Instant changedAt, Actor changedBy) {}

    public Status status() {
        SiteState now = state;
        Child c = HAS_PROCESS.contains(now) ? current : null;
        long pid = c == null ? 0 : c.pid();
        MemoryGauge.Reading memoryNow = c == null ? MemoryGauge.Reading.NONE : memory.read(pid, c.cgroup(), context.clock().instant());
        return new Status(site.name(), index, now, pid, c == null ? null : c.startedAt(), site.portOf(index), restarts, lastExit,
                lastReason, memoryNow.bytes(), memoryNow.peakBytes(), site.memory().warnBytes(), site.memory().restartBytes(), stateSince, stateActor);
    }

    public SiteState state() {
        return state;
    }

    /**
     * For the memory watch: what the instance's processes cost while it is RUNNING, or only a
     * bound of it when that bound is under {@code underBytes}; empty in any other state.
     *
     * @param swapBytes what the host has in swap, some of which may be the instance's
     */
    public Optional<WatchedMemory> watchMemory(long underBytes, long swapBytes) {
        Child c = state == RUNNING ? current : null;
        if (c == null) {
            memory.forget();
            return Optional.empty();
        }
        return Optional.of(memory.watch(c.pid(), c.cgroup(), context.clock().instant(), underBytes, swapBytes));
    }

    /** The memory watch no longer reads the instance: what it kept open is closed. */
    public void unwatchMemory() {
        memory.forget();
    }

    /** Records what the memory watch saw of the instance, or did to it, as {@code by}; changes nothing. */
    public void memoryEvent(String reason, Actor by) {
        Child c = current;
        publish(LifecycleEvent.Kind.MEMORY, state, state, c == null ? 0 : c.pid(), LifecycleEvent.NO_EXIT_CODE, LifecycleEvent.NO_SIGNAL,
                reason, context.clock().instant(), LifecycleEvent.NO_DURATION, by, DeferredWaits.NONE);
    }

    public String name() {
        return site.instanceName(index);
    }

    public SiteConfig site() {
        return site;
    }

    /** A reload changed only the site's memory limits or priority: they apply from now on, with no restart. */
    void retune(SiteConfig tuned) {
        if (!site.differsOnlyInTuning(tuned)) throw new IllegalArgumentException("not a retuning of " + name() + ": " + tuned);
        site = tuned;
    }

    public int index() {
        return index;
    }

    Path pidFilePath() {
        return context.runDir().resolve(name() + ".pid");
    }

    Path logFile() {
        return context.logsDir().resolve(site.name()).resolve(name() + ".log");
    }

    /**
     * Starts the instance and waits for the first attempt to be ready or to fail. A no-op when it
     * is already starting or running. Refused, with nothing spawned, when its port is held.
     */
    public Result start(Actor by) {
        intend(Intent.RUN);
        return operate(by, () -> {
            refuseIfRetired("start");
            cancelRetry();
            if (state == RUNNING || state == STARTING) return new Result(state, name() + " is already " + state.name().toLowerCase());
            if (state == UNKNOWN) {
                throw new IllegalStateException("site '" + name() + "': cannot start: " + lastReason + "; stop it first");
            }
            beginStart(by, by.isOperator());
            return new Result(state, lastReason);
        });
    }

    /**
     * Stops the instance: first the drain of its site's tasks (when it is running and they have
     * any), then its stop signal to every process, SIGKILL after the stop timeout, and STOPPED once
     * none remain and its port is free. A no-op when it is already stopped.
     */
    public Result stop(Actor by) {
        return stop(by, StopMode.GRACEFUL);
    }

    /** {@link #stop(Actor)}, with the drain as the mode says: skipped ({@code --force}), or with its own timeout. */
    public Result stop(Actor by, StopMode mode) {
        return halt(by, site.stopSignal(), site.stopTimeout(), mode);
    }

    /**
     * Emergency stop: SIGKILL to every process of the instance at once, no drain, no stop signal,
     * no wait. A drain under way is cut short: its tasks are stopped, and so is the instance; a
     * stop under way sends SIGKILL to what is left at once instead of at its timeout.
     */
    public Result kill(Actor by) {
        killRequested = true;
        StopSequence underWay = stopping;
        if (underWay != null) underWay.hurry();
        try {
            return halt(by, Signal.KILL, Group.KILL_WAIT, StopMode.FORCE);
        } finally {
            killRequested = false;
        }
    }

    /**
     * The first part of a stop that many instances begin together: when nothing has to come first
     * — no other operation holds the instance, and it runs with no tasks to drain — sends its stop
     * signal to the main process and its group, without waiting, and keeps the operation for
     * {@link SignalledStop#handOff}; {@link SignalledStop#await}, in any thread, does the rest of
     * {@link #stop}. Otherwise does nothing and returns empty, and the caller stops it as usual.
     */
    Optional<SignalledStop> signalStop(Actor by) {
        DeferredWaits owed = tryBegin();
        if (owed == null) return Optional.empty();
        boolean kept = false;
        try {
            if (state != RUNNING || context.tasks().hasTasks(site.name())) return Optional.empty();
            stopRequests.incrementAndGet();
            intend(Intent.STAY_DOWN);
            actor = by;
            cancelRetry();
            SignalledStop begun = new SignalledStop(signal(site.stopSignal(), site.stopTimeout()), owed);
            kept = true;
            return Optional.of(begun);
        } catch (RuntimeException e) {
            log.error("cannot begin the stop of {} with the others; it stops on its own: {}", name(), e.toString(), e);
            return Optional.empty();
        } finally {
            if (!kept) end(owed);
        }
    }

    /** A stop begun by {@link #signalStop}: its instance's operation, handed on to whichever thread finishes it. */
    final class SignalledStop {
        private final StopSequence pending;
        private final DeferredWaits owed;
        private final AtomicBoolean awaited = new AtomicBoolean();

        private SignalledStop(StopSequence pending, DeferredWaits owed) {
            this.pending = pending;
            this.owed = owed;
        }

        /** In the thread that signalled: STOPPING, then the operation is let go, still locked, for {@link #await}. */
        void handOff() {
            try {
                announce(pending);
            } finally {
                operation.handOff();
            }
        }

        /** Takes over the operation, finishes the stop like {@link #stop}, and ends the operation; once, after {@link #handOff}. */
        Result await() {
            if (!awaited.compareAndSet(false, true)) throw new IllegalStateException("the stop of " + name() + " is finished already");
            operation.takeOver();
            try {
                finishStop(pending);
                return new Result(state, lastReason);
            } finally {
                end(owed);
            }
        }
    }

    private Result halt(Actor by, Signal signal, Duration timeout, StopMode mode) {
        stopRequests.incrementAndGet();
        intend(Intent.STAY_DOWN);
        return operate(by, () -> {
            intend(Intent.STAY_DOWN);
            cancelRetry();
            stopLocked(signal, timeout, mode);
            return new Result(state, lastReason);
        });
    }

    /** Stops (draining first), then starts; never starts while the old process or its port is still there. */
    public Result restart(Actor by) {
        return restart(by, StopMode.GRACEFUL);
    }

    /** {@link #restart(Actor)}, with the drain as the mode says. */
    public Result restart(Actor by, StopMode mode) {
        stopRequests.incrementAndGet();
        return operate(by, () -> {
            refuseIfRetired("restart");
            return restartLocked(by, mode);
        });
    }

    private Result restartLocked(Actor by, StopMode mode) {
        cancelRetry();
        stopLocked(site.stopSignal(), site.stopTimeout(), mode);
        if (state != STOPPED) {
            throw new IllegalStateException("site '" + name() + "': cannot restart: the stop did not finish: " + lastReason);
        }
        restarts++;
        beginStart(by, true);
        return new Result(state, lastReason);
    }

    /**
     * For a policy that measured process {@code pid} (the memory watch): {@link #restart(Actor)},
     * but only while the instance still runs that very process and is meant to. Whatever came
     * between the measure and the lock — an operator's stop, a host emergency, another restart —
     * wins, and nothing is done. Unlike an operator's, it never makes a start under way give way.
     */
    public Result restartIfRunning(long pid, Actor by) {
        return operate(by, () -> notRunning(pid, "restart").orElseGet(() -> restartLocked(by, StopMode.GRACEFUL)));
    }

    /**
     * For a policy that would otherwise restart process {@code pid} again and again (its memory
     * over its limit right after each restart): stops the instance gracefully, drain included, and
     * leaves it FATAL for {@code reason}, while it still runs that process and is meant to. Like
     * any FATAL instance, it runs again when an operator starts it.
     */
    public Result giveUpIfRunning(long pid, Actor by, String reason) {
        return operate(by, () -> {
            Optional<Result> moved = notRunning(pid, "give up");
            if (moved.isPresent()) return moved.get();
            cancelRetry();
            stopLocked(site.stopSignal(), site.stopTimeout(), StopMode.GRACEFUL);
            if (state == STOPPED) moveTo(Transition.GAVE_UP, reason);
            return new Result(state, lastReason);
        });
    }

    /** Under the lock: why a policy's operation on process {@code pid} is moot now, or empty when it still applies. */
    private Optional<Result> notRunning(long pid, String operationName) {
        Child c = current;
        if (state == RUNNING && isWanted() && c != null && c.pid() == pid) return Optional.empty();
        return Optional.of(new Result(state, "did not " + operationName + " " + name() + ": it is " + state.name().toLowerCase()
                + (c != null && c.pid() != pid ? " with pid " + c.pid() + ", not pid " + pid : "") + " now"));
    }

    /**
     * Takes the instance out of service for a reload that removes its site or replaces it with new
     * settings: stops it like {@link #stop}, and from then on refuses every start and restart, and
     * its crash policy restarts nothing. The mark is set before the operation lock is taken, so an
     * operation waiting for the lock — or one that started just before — cannot bring it back: a
     * start in progress sees the stop request and gives way, and a later one is refused.
     *
     * @param why the reason later refusals give, as in {@code its site was removed from the config by a reload}
     */
    Result retire(Actor by, String why) {
        intent.set(new Intent.Retired(why));
        Result stopped = halt(by, site.stopSignal(), site.stopTimeout(), StopMode.GRACEFUL);
        memory.forget();
        // nothing of ours writes the log any more; one that survived SIGKILL may, so its file stays watched
        if (stopped.state() == STOPPED) context.rotator().unwatch(logFile());
        return stopped;
    }

    /** Whether the instance is meant to run: started and not stopped since (also when it gave up or exited on its own). */
    boolean isWanted() {
        return intent.get() instanceof Intent.Run;
    }

    /** Takes {@code next} as what the instance is meant to do, unless a reload retired it: that stays. */
    private void intend(Intent next) {
        intent.updateAndGet(now -> now instanceof Intent.Retired ? now : next);
    }

    private void refuseIfRetired(String operationName) {
        if (!(intent.get() instanceof Intent.Retired retired)) return;
        String why = retired.why();
        refused("cannot " + operationName + ": " + why);
        throw new IllegalStateException("site '" + name() + "': cannot " + operationName + ": " + why);
    }

    /** A fresh start by request: the counts of earlier failures no longer apply. */
    private void beginStart(Actor by, boolean forgetCrashes) {
        intend(Intent.RUN);
        crashPolicy.freshStart(forgetCrashes);
        attemptStart(by);
    }

    /**
     * At daemon start-up: takes over the process named by this instance's pid file when it is
     * still the very process a daemon started (no restart, no second copy); otherwise reports the
     * file as stale, removes it, and signals nothing. Returns whether a process was adopted.
     */
    boolean adoptFromPidFile(Actor by) {
        Path file = pidFilePath();
        return operate(by, () -> {
            Adoption.Outcome outcome = Adoption.fromPidFile(file, site.name(), index, name());
            if (outcome instanceof Adoption.Stale stale) return stale(stale.file(), stale.pid(), stale.why());
            if (!(outcome instanceof Adoption.Found found)) return false;
            takeOver(found, false);
            return true;
        });
    }

    /** A process that carries a marker of this home, found in one look at every process at start-up. */
    record Marked(ProcStat process, String marker) {}

    /** What the markers of this instance's processes start with. */
    String markerPrefix() {
        return markerPrefix;
    }

    /** The instance's cgroup, made when missing; null where this machine lets the daemon make none. */
    Path cgroup() {
        if (context.cgroups().isEmpty()) return null;
        try {
            return context.cgroups().get().instance(site.name() + "." + index);
        } catch (IOException e) {
            warn("cannot make the cgroup of " + name() + ": " + e.getMessage()
                    + "; its processes are told by their marker alone");
            return null;
        }
    }

    /** The processes in the instance's cgroup now, as found at start-up; none where there is no cgroup. */
    List<Marked> inCgroup() {
        if (context.cgroups().isEmpty()) return List.of();
        Path cgroup = context.cgroups().get().base().resolve(site.name() + "." + index);
        List<Marked> found = new ArrayList<>();
        for (long pid : sitevisor.posix.Cgroups.pids(cgroup)) {
            ProcStat.read(pid).filter(stat -> !stat.isZombie()).ifPresent(stat -> found.add(new Marked(stat, "")));
        }
        return found;
    }

    /**
     * At daemon start-up, when no pid file names a process of the instance (it could not be
     * written, or it was lost): takes over the process that carries the instance's marker, as
     * only a daemon of this home gives it. The main process is the marked process whose parent
     * carries none of the instance's markers, the oldest when there are several. Returns whether
     * a process was adopted.
     *
     * @param marked this instance's marked processes
     */
    boolean adoptByMarker(Actor by, List<Marked> marked) {
        return adoptFound(by, marked, "by its marker, without a pid file");
    }

    /**
     * At daemon start-up, when neither a pid file nor a marker names a process of the instance (a
     * program that wrote over its environment, such as nginx): takes over what is in its cgroup,
     * the same way. Returns whether a process was adopted.
     */
    boolean adoptFromCgroup(Actor by) {
        List<Marked> found = inCgroup();
        return !found.isEmpty() && adoptFound(by, found, "in its cgroup, without a pid file");
    }

    private boolean adoptFound(Actor by, List<Marked> marked, String how) {
        Optional<Adoption.Found> found = Adoption.mainOf(marked, how, context.clock().instant());
        if (found.isEmpty()) return false;
        return operate(by, () -> {
            // found without a pid file, which the next daemon would otherwise look for in vain
            takeOver(found.get(), true);
            return true;
        });
    }

    /** Under the lock: the process found becomes the instance's, RUNNING by way of UNKNOWN. */
    private void takeOver(Adoption.Found found, boolean writePidFile) {
        long pid = found.identity().pid();
        Child child = new Child(found.identity(), found.fd(), found.groupId(), found.marker(), found.startedAt(), new CompletableFuture<>(), cgroup());
        watchExit(child);
        current = child;
        intend(Intent.RUN);
        watchLog();
        if (writePidFile) writePidFile(child);
        moveTo(Transition.FOUND, "pid " + pid + " " + found.how());
        moveTo(Transition.ADOPTED, "pid " + pid + " (" + Processes.commandLine(pid) + "), running since " + found.startedAt());
    }

    private boolean stale(Path file, long pid, String why) {
        stalePidFile(pid, file + ": " + why + "; removed it, signalled nothing");
        deleteQuietly(file);
        return false;
    }

    private void attemptStart(Actor by) {
        int port = site.portOf(index);
        if (port != 0) {
            Optional<String> held = Ports.describeHolders(port);
            if (held.isPresent()) {
                cannotStart(by, "port " + port + " is held by " + held.get());
                return;
            }
        }
        int stopsBefore = stopRequests.get();
        Child child;
        try {
            child = spawn();
        } catch (Spawner.SpawnException | IOException e) {
            cannotStart(by, e.getMessage());
            return;
        }
        current = child;
        moveTo(Transition.SPAWNED, "pid " + child.pid() + ": " + String.join(" ", site.commandOf(index)));
        Readiness.Outcome outcome = readiness.await(child, () -> stopRequests.get() != stopsBefore);
        switch (outcome) {
            case READY -> {
                crashPolicy.ready();
                moveTo(Transition.READY, "pid " + child.pid() + " after " + millisSince(child.startedAt()) + " ms" + readiness.howReady());
            }
            case STOP_REQUESTED -> {
                // the stop that asked waits for this lock and takes it from STARTING
            }
            case TIMED_OUT -> {
                terminateQuietly(child);
                failStart("not ready within " + Durations.format(site.startTimeout()) + readiness.whatNeverHappened());
            }
            case EXITED -> onExitWhileStarting(child);
        }
    }

    /**
     * Nothing was spawned. An operator's or the daemon's request is refused with the reason and
     * changes no state; the restart policy counts it as a failed start and backs off.
     */
    private void cannotStart(Actor by, String reason) {
        if (by.kind() == Actor.Kind.POLICY) {
            failStart(reason);
            return;
        }
        refused("cannot start: " + reason);
        throw new IllegalStateException("site '" + name() + "': cannot start: " + reason);
    }

    private void onExitWhileStarting(Child child) {
        ExitStatus status = child.exit().join();
        lastExit = status;
        List<ProcessIdentity> survivors = new Group(child, context.watcher(), context.processes()).members();
        if (status.isCleanExit() && !survivors.isEmpty()) {
            onDaemonized(child, survivors);
            return;
        }
        terminateQuietly(child);
        failStart(status + " before it was ready");
    }

    /**
     * The program forked, let the child carry on and exited 0: it daemonized itself. Follow the
     * pid file it writes when the site names one; otherwise stop what it left and give up, rather
     * than restart it in a loop against its own port.
     */
    private void onDaemonized(Child exited, List<ProcessIdentity> survivors) {
        Optional<Path> pidFile = site.pidFileOf(index).map(p -> site.directory().resolve(p));
        if (pidFile.isPresent()) {
            Optional<Child> followed = followPidFile(exited, pidFile.get(), survivors);
            if (followed.isPresent()) {
                Child daemon = followed.get();
                current = daemon;
                int stopsBefore = stopRequests.get();
                Readiness.Outcome outcome = readiness.await(daemon, () -> stopRequests.get() != stopsBefore);
                if (outcome == Readiness.Outcome.READY) {
                    crashPolicy.ready();
                    moveTo(Transition.READY, "pid " + daemon.pid() + " from " + pidFile.get() + " (the program daemonized itself; followed through its pid file)" + readiness.howReady());
                    return;
                }
                if (outcome == Readiness.Outcome.STOP_REQUESTED) return;
                terminateQuietly(daemon);
                failStart("the daemon it left, pid " + daemon.pid() + ", was not ready within " + Durations.format(site.startTimeout()) + readiness.whatNeverHappened());
                return;
            }
        }
        // described before they are stopped: afterwards there is no command line to read
        String left = describe(survivors);
        terminateQuietly(exited);
        moveTo(Transition.GAVE_UP, "the program daemonized itself: pid " + exited.pid() + " exited 0 at once and left " + left + " running, which were stopped; "
                + daemonAdvice(pidFile));
    }

    /** The daemon a program left, named by the pid file it writes, watched and recorded as the instance's process; empty when the file names none of them. */
    private Optional<Child> followPidFile(Child exited, Path pidFile, List<ProcessIdentity> survivors) {
        Optional<ProcessIdentity> followed = readDaemonPidFile(pidFile, survivors);
        if (followed.isEmpty()) return Optional.empty();
        Optional<PidFd> fd = PidFd.open(followed.get());
        if (fd.isEmpty()) return Optional.empty();
        Child daemon = new Child(followed.get(), fd.get(), exited.groupId(), exited.marker(), exited.startedAt(), new CompletableFuture<>(),
                exited.cgroup());
        watchExit(daemon);
        writePidFile(daemon);
        return Optional.of(daemon);
    }

    private Optional<ProcessIdentity> readDaemonPidFile(Path file, List<ProcessIdentity> survivors) {
        long deadline = System.nanoTime() + site.startTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            try {
                long pid = Long.parseLong(Files.readString(file).trim());
                // only a process that descends from our spawn may be followed, never a stranger a stale file names
                Optional<ProcessIdentity> match = survivors.stream().filter(s -> s.pid() == pid).findFirst();
                if (match.isPresent()) return match;
            } catch (IOException | NumberFormatException notYet) {
                // the daemon writes its pid file a moment after it forks
            }
            if (sleepUnlessStopped(TimeUnit.MILLISECONDS.toNanos(20))) return Optional.empty();
        }
        return Optional.empty();
    }

    private Child spawn() throws Spawner.SpawnException, IOException {
        Child child = Child.spawn(context, site, index, markerPrefix, site.program(), site.commandOf(index), Map.of(), logFile(), cgroup());
        watchLog();
        watchExit(child);
        writePidFile(child);
        return child;
    }

    /** Keeps the instance's log within its size, also for a process adopted from an earlier daemon. */
    private void watchLog() {
        try {
            context.rotator().watch(logFile(), site.logs());
        } catch (IOException e) {
            warn("cannot watch " + logFile() + " for rotation: " + e.getMessage());
        }
    }

    private void watchExit(Child child) {
        child.whenEnded(context, () -> exits.exited(child));
    }

    private void failStart(String reason) {
        current = null;
        deleteQuietly(pidFilePath());
        CrashPolicy.Decision decision = crashPolicy.startFailed(reason);
        if (decision instanceof CrashPolicy.GiveUp giveUp) {
            moveTo(Transition.GAVE_UP, giveUp.reason());
        } else if (decision instanceof CrashPolicy.RetryAfter retry) {
            if (state == BACKOFF) {
                warn(retry.reason());
                lastReason = retry.reason();
            } else {
                moveTo(Transition.BACKED_OFF, retry.reason());
            }
            scheduleRetry(retry.delay());
        } else {
            throw new IllegalStateException("a failed start is retried later or given up, not " + decision);
        }
    }

    private void scheduleRetry(Duration delay) {
        cancelRetry();
        retry = context.timers().schedule(() -> context.workers().execute(this::retryStart), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void retryStart() {
        try {
            operate(null, () -> {
                if (state != BACKOFF || !isWanted()) return null;
                restarts++;
                attemptStart(restartPolicy());
                return null;
            });
        } catch (RuntimeException e) {
            log.error("retry failed: {}: {}", name(), e.getMessage(), e);
        }
    }

    private Actor restartPolicy() {
        return Actor.policy("restart: " + site.restart().configName());
    }

    private void cancelRetry() {
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
    }

    /** On a worker: the crash policy for each exit no operation has looked at yet. */
    private void seeExits() {
        operate(null, () -> {
            for (Child child; (child = exits.next()) != null; ) afterExit(child);
            return null;
        });
    }

    /** Whether this exit is a crash no operation is in charge of: the process is still the instance's, which was meant to be alive. */
    private boolean exitNeedsPolicy(Child child) {
        return current == child && (state == RUNNING || state == DRAINING || state == UNKNOWN);
    }

    /** After a process ended, under the lock: when no operation is in charge of it, it crashed, and the restart policy decides. */
    private void afterExit(Child child) {
        try {
            if (!exitNeedsPolicy(child)) return;
            ExitStatus status = child.exit().join();
            lastExit = status;
            deleteQuietly(pidFilePath());
            Actor policy = restartPolicy();
            actor = policy;
            String ran = " after " + Durations.format(Duration.between(child.startedAt(), context.clock().instant()));
            if (status.isCleanExit() && daemonizedWhileRunning(child, ran)) return;
            moveTo(Transition.ENDED_ON_ITS_OWN, status + ran);
            current = null;
            cleanUpAfter(child);
            if (!isWanted()) return;
            CrashPolicy.Decision decision = crashPolicy.crashed(context.clock().instant(), status.exitCode(), status.signal());
            if (decision instanceof CrashPolicy.GiveUp giveUp) {
                moveTo(Transition.GAVE_UP, giveUp.reason());
            } else if (decision instanceof CrashPolicy.RestartNow) {
                restarts++;
                attemptStart(policy);
            } else if (decision instanceof CrashPolicy.RetryAfter retry) {
                moveTo(Transition.BACKED_OFF, retry.reason());
                scheduleRetry(retry.delay());
            }
        } catch (RuntimeException e) {
            log.error("crash handling failed: {}: {}", name(), e.getMessage(), e);
        }
    }

    /**
     * The main process exited 0 and left processes of the site behind: the program daemonized
     * itself after it was ready (a stock nginx binds its port, answers, then forks and exits).
     * With a pid file that names one of them it is followed, RUNNING as it was; otherwise what it
     * left is stopped and the site is FATAL with the advice, never left serving untracked.
     * Returns false when it left nothing: a plain clean exit.
     */
    private boolean daemonizedWhileRunning(Child exited, String ran) {
        List<ProcessIdentity> survivors = new Group(exited, context.watcher(), context.processes()).members();
        if (survivors.isEmpty()) return false;
        Optional<Path> pidFile = site.pidFileOf(index).map(p -> site.directory().resolve(p));
        if (pidFile.isPresent()) {
            Optional<Child> daemon = followPidFile(exited, pidFile.get(), survivors);
            if (daemon.isPresent()) {
                current = daemon.get();
                warn(daemon.get().pid(), "pid " + exited.pid() + " exited 0" + ran
                        + ": the program daemonized itself; following pid " + daemon.get().pid() + " from " + pidFile.get());
                return true;
            }
        }
        String left = describe(survivors);
        moveTo(Transition.ENDED_ON_ITS_OWN, lastExit + ran + ", leaving " + left + " running");
        current = null;
        terminateQuietly(exited);
        moveTo(Transition.GAVE_UP, "the program daemonized itself: pid " + exited.pid() + " exited 0 and left " + left
                + " running, which were stopped; " + daemonAdvice(pidFile));
        return true;
    }

    private static String describe(List<ProcessIdentity> processes) {
        return processes.stream().map(i -> "pid " + i.pid() + " (" + Processes.commandLine(i.pid()) + ")").reduce((a, b) -> a + ", " + b).orElse("");
    }

    private static String daemonAdvice(Optional<Path> pidFile) {
        return pidFile.isPresent()
                ? "its pid file " + pidFile.get() + " names none of them; check the pidFile setting"
                : "run it in the foreground (most servers have an option such as --foreground, --nodaemon or 'daemon off;'), or set pidFile to the file it writes";
    }

    /**
     * Stops what the ended process left behind. When its group is empty and its port free —
     * the usual crash — nothing stands in a restart's way, so the search for processes that left
     * the group runs after the restart instead of before it; it goes by the old spawn's marker,
     * which the new one does not carry. It reads all of /proc, which costs CPU at hundreds of
     * sites: run beside the restart it slowed the new process's own start, and a second later it
     * no longer did, so it waits that second.
     */
    private void cleanUpAfter(Child child) {
        Group group = new Group(child, context.watcher(), context.processes());
        int port = site.portOf(index);
        if (group.groupHasMembers() || (port != 0 && Ports.isListening(port))) {
            terminateQuietly(child);
        } else {
            // the restart's processes join the same cgroup: only those born before now are the old spawn's
            long endedAtTicks = Processes.ticksSinceBoot();
            context.timers().schedule(() -> context.workers().execute(() -> terminateQuietly(
                            new Group(child, context.watcher(), context.processes(), endedAtTicks))),
                    LEFTOVER_SEARCH_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void stopLocked(Signal signal, Duration timeout, StopMode mode) {
        switch (state) {
            case STOPPED -> lastReason = name() + " is already stopped";
            case BACKOFF, EXITED, FATAL -> {
                current = null;
                moveTo(Transition.STOPPED_WHILE_DOWN, "was " + state.name().toLowerCase());
            }
            case STARTING, UNKNOWN -> stopProcesses(signal, timeout, () -> { });
            case RUNNING -> {
                boolean hasTasks = context.tasks().hasTasks(site.name());
                if (hasTasks && mode.drains()) {
                    drainLocked(mode);
                    // a kill that came during the drain: no stop signal, no waiting
                    if (killRequested) {
                        signal = Signal.KILL;
                        timeout = Group.KILL_WAIT;
                    }
                }
                String tasksStopped = signal == Signal.KILL ? "stopped: the site was killed" : "stopped: the site was stopped with --force";
                // once the site has left RUNNING, no run starts after the ones stopped here
                stopProcesses(signal, timeout, () -> {
                    if (hasTasks && !mode.drains()) context.tasks().stopRunning(site.name(), tasksStopped);
                });
            }
            case DRAINING, STOPPING -> throw new IllegalStateException("site '" + name() + "': " + state + " outside an operation");
        }
    }

    /**
     * DRAINING: the site's tasks start no new run, and the running ones get up to the drain timeout
     * to finish before anything is signalled. The instance keeps serving meanwhile; all instances of
     * a site stopping together share one drain.
     */
    private void drainLocked(StopMode mode) {
        Duration bound = mode.drainTimeout() != null ? mode.drainTimeout() : context.tasks().drainTimeout(site.name());
        moveTo(Transition.DRAIN_BEGAN, "no new task runs; waiting for the running ones, up to " + Durations.format(bound));
        try {
            lastReason = context.tasks().drain(site.name(), mode.drainTimeout(), actor, () -> killRequested);
        } catch (RuntimeException e) {
            // the stop must go on whatever the scheduler does: a site left DRAINING would refuse every operation
            log.error("drain failed: {}: {}; stopping it anyway", name(), e.getMessage(), e);
            lastReason = "the drain failed (" + e.getMessage() + "); stopping anyway";
        }
    }

    /** @param onceStopping what must come after the move to STOPPING and before the wait */
    private void stopProcesses(Signal signal, Duration timeout, Runnable onceStopping) {
        StopSequence stop = signal(signal, timeout);
        announce(stop);
        onceStopping.run();
        finishStop(stop);
    }

    /** The stop signal to the main process and its group, under the lock; the state follows in {@link #announce}. */
    private StopSequence signal(Signal signal, Duration timeout) {
        StopSequence stop = StopSequence.signal(current, signal, timeout, context);
        stopping = stop;
        // a kill that came while this stop was being begun finds it here
        if (killRequested) stop.hurry();
        return stop;
    }

    private void announce(StopSequence stop) {
        moveTo(Transition.STOP_BEGAN, stop.describe());
    }

    /** The rest of a stop: every process gone (SIGKILL after the timeout), the port free, STOPPED; or STOPPING stuck. */
    private void finishStop(StopSequence stop) {
        StopSequence.Ended ended;
        try {
            ended = stop.finish(site.portOf(index));
        } finally {
            stopping = null;
        }
        if (ended instanceof StopSequence.Stuck stuck) {
            moveTo(Transition.STUCK, stuck.reason());
            return;
        }
        StopSequence.Stopped stopped = (StopSequence.Stopped) ended;
        stopped.portStillHeld().ifPresent(this::warn);
        lastExit = stopped.exit();
        current = null;
        deleteQuietly(pidFilePath());
        moveTo(Transition.STOP_FINISHED, stop.describe(stopped), lastExit);
    }

    private void terminateQuietly(Child child) {
        terminateQuietly(new Group(child, context.watcher(), context.processes()));
    }

    private void terminateQuietly(Group group) {
        try {
            List<ProcessIdentity> left = group.terminate(site.stopSignal(), site.stopTimeout());
            if (!left.isEmpty()) log.warn("survived: processes {} of {} outlived SIGKILL", Group.pids(left), name());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs one operation: takes the lock, notes who asked (the crash policy names itself as it
     * goes, so it passes null), runs the body, then releases the lock and waits for what the
     * operation's events left ({@link #end}).
     */
    private <T> T operate(Actor by, Supplier<T> body) {
        DeferredWaits owed = begin();
        try {
            if (by != null) actor = by;
            return body.get();
        } finally {
            end(owed);
        }
    }

    /** Takes the operation lock; the waits the operation's events leave are due in {@link #end}. */
    private DeferredWaits begin() {
        operation.lock();
        return collectWaits();
    }

    /** {@link #begin} when no other operation holds the instance; null, and nothing begun, when one does. */
    private DeferredWaits tryBegin() {
        return operation.tryLock() ? collectWaits() : null;
    }

    private DeferredWaits collectWaits() {
        waits = DeferredWaits.collecting();
        return waits;
    }

    /**
     * Releases the lock, then waits for what the operation's events left — an operator's events
     * being committed — so that nothing the caller is told can still be lost. The waits come last
     * so that a stop's signal never waits for its STOPPING row, and another operation on this
     * instance (a crash handler) need not wait for them either.
     */
    private void end(DeferredWaits owed) {
        waits = DeferredWaits.NONE;
        operation.unlock();
        exits.afterOperation();
        try {
            owed.awaitAll();
        } catch (RuntimeException e) {
            log.error("event listener failed while {} waited for its events", name(), e);
        }
    }

    private void moveTo(Transition transition, String reason) {
        moveTo(transition, reason, transition.to() == EXITED ? lastExit : null);
    }

    /**
     * The one door of the state: makes {@code transition} from the state the instance is in, or
     * refuses it as the bug it would be.
     *
     * @param exit how the main process ended, recorded with the change: a crash's exit, a stop's
     */
    private void moveTo(Transition transition, String reason, ExitStatus exit) {
        if (!operation.isHeldByCurrentThread()) throw new IllegalStateException("moveTo outside an operation");
        SiteState previous = state;
        SiteState next = transition.to();
        if (!transition.from().contains(previous)) {
            throw new IllegalStateException("site '" + name() + "': " + transition.label() + " cannot go from " + previous + " to " + next);
        }
        state = next;
        lastReason = reason;
        Instant now = context.clock().instant();
        long inPreviousMillis = stateSince == null ? LifecycleEvent.NO_DURATION : Math.max(0, Duration.between(stateSince, now).toMillis());
        stateSince = now;
        stateActor = actor;
        Child c = current;
        publish(LifecycleEvent.Kind.TRANSITION, previous, next, c == null ? 0 : c.pid(),
                exit == null || !exit.known() ? LifecycleEvent.NO_EXIT_CODE : exit.exitCode(), exit == null ? LifecycleEvent.NO_SIGNAL : exit.signal(),
                reason, now, inPreviousMillis);
    }

    /** An operation refused before anything was spawned or signalled: the port is held, the program is missing. */
    private void refused(String reason) {
        publishBeside(LifecycleEvent.Kind.REFUSED, 0, reason);
    }

    /** Something the operator should know that changes no state. */
    private void warn(String reason) {
        warn(0, reason);
    }

    /** Something the operator should know about process {@code pid} that changes no state. */
    private void warn(long pid, String reason) {
        publishBeside(LifecycleEvent.Kind.WARNING, pid, reason);
    }

    /** A pid file that names {@code pid}, which is no process of ours, was removed; nothing was signalled. */
    private void stalePidFile(long pid, String reason) {
        publishBeside(LifecycleEvent.Kind.STALE_PID_FILE, pid, reason);
    }

    /** An event that changes no state: no exit, no signal, nothing that lasted. */
    private void publishBeside(LifecycleEvent.Kind kind, long pid, String reason) {
        publish(kind, state, state, pid, LifecycleEvent.NO_EXIT_CODE, LifecycleEvent.NO_SIGNAL, reason,
                context.clock().instant(), LifecycleEvent.NO_DURATION);
    }

    private void publish(LifecycleEvent.Kind kind, SiteState from, SiteState to, long pid, int exitCode, int signal, String reason,
                         Instant at, long durationMillis) {
        publish(kind, from, to, pid, exitCode, signal, reason, at, durationMillis, actor, waits);
    }

    private void publish(LifecycleEvent.Kind kind, SiteState from, SiteState to, long pid, int exitCode, int signal, String reason,
                         Instant at, long durationMillis, Actor by, DeferredWaits owed) {
        LifecycleEvent event = new LifecycleEvent(at, site.name(), index, name(), pid, kind, from, to, exitCode, signal, reason, by, durationMillis, owed);
        try {
            context.events().onEvent(event);
        } catch (RuntimeException e) {
            log.error("event listener failed on {}", event, e);
        }
    }

    private void writePidFile(Child child) {
        try {
            new PidFile(site.name(), index, child.identity(), child.groupId(), child.marker(), child.startedAt()).writeTo(pidFilePath());
        } catch (IOException e) {
            warn(child.pid(), "cannot write " + pidFilePath() + ": "
                    + e.getMessage() + "; tried again every " + PID_FILE_RETRY.toSeconds() + " s, and meanwhile a daemon restart finds pid "
                    + child.pid() + " by its marker");
            retryPidFile(child);
        }
    }

    /** Writes the pid file of a process that still runs once it can; stops trying once another process is current. */
    private void retryPidFile(Child child) {
        synchronized (this) {
            if (pidFileRetry != null) pidFileRetry.cancel(false);
            pidFileRetry = context.timers().scheduleWithFixedDelay(() -> {
                if (current != child || child.hasExited()) {
                    cancelPidFileRetry();
                    return;
                }
                try {
                    new PidFile(site.name(), index, child.identity(), child.groupId(), child.marker(), child.startedAt()).writeTo(pidFilePath());
                    cancelPidFileRetry();
                    log.info("written: {} for pid {}, after it could not be", pidFilePath(), child.pid());
                } catch (IOException stillFailing) {
                    // the disk is still full: the next try comes
                }
            }, PID_FILE_RETRY.toNanos(), PID_FILE_RETRY.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private synchronized void cancelPidFileRetry() {
        if (pidFileRetry != null) {
            pidFileRetry.cancel(false);
            pidFileRetry = null;
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", file, e.getMessage());
        }
    }

    /** Sleeps, and says whether the wait was cut short by an interrupt. */
    private static boolean sleepUnlessStopped(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private long millisSince(Instant instant) {
        return Duration.between(instant, context.clock().instant()).toMillis();
    }

    @Override
    public String toString() {
        return name() + " " + state;
    }
}
