package sitevisor.supervise;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.posix.Cgroups;
import sitevisor.posix.ExitWatcher;
import sitevisor.posix.Native;
import sitevisor.posix.PidFd;
import sitevisor.posix.ProcStat;
import sitevisor.posix.ProcessIdentity;
import sitevisor.posix.ProcessTable;
import sitevisor.posix.Processes;
import sitevisor.posix.Signal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * All the processes of one instance: its main process, everything in its process group or
 * session, its descendants, and every process that carries its marker in its environment — which
 * includes grandchildren that left the group with {@code setsid}. Every signal goes through a
 * pidfd opened on a verified identity, or to the group while a verified member holds it.
 */
final class Group {
    /** The environment variable that marks every process of one spawn of one instance. */
    static final String MARKER_VARIABLE = "SITEVISOR_INSTANCE";

    /**
     * What the markers of one home's processes start with: a daemon finds its sites' processes by
     * it and never another home's that runs a site of the same name.
     */
    static String homeTag(Path runDir) {
        return Cgroups.homeTag(runDir);
    }
    private static final Logger log = LoggerFactory.getLogger(Group.class);
    /** How long processes get to vanish after SIGKILL before they count as survivors. */
    static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private final Child child;
    private final ExitWatcher watcher;
    private final ProcessTable processes;
    /**
     * In clock ticks since boot: a process in the instance's cgroup counts only when it started
     * before this. The cgroup outlives one spawn; a search for what an ended spawn left, run after
     * the restart, must not take the next spawn's processes for leftovers.
     */
    private final long cgroupBornBeforeTicks;

    Group(Child child, ExitWatcher watcher, ProcessTable processes) {
        this(child, watcher, processes, Long.MAX_VALUE);
    }

    Group(Child child, ExitWatcher watcher, ProcessTable processes, long cgroupBornBeforeTicks) {
        this.child = child;
        this.watcher = watcher;
        this.processes = processes;
        this.cgroupBornBeforeTicks = cgroupBornBeforeTicks;
    }

    /** The live processes of the instance now, main process included while it lives. */
    List<ProcessIdentity> members() {
        ProcessTable.Scan scan = processes.now();
        long self = Native.selfPid();
        boolean mainAlive = !child.hasExited() && child.identity().isAlive();
        // whatever is in the instance's cgroup is the instance's: no program can leave it
        java.util.Set<Long> inCgroup = child.cgroup() == null ? java.util.Set.of() : new java.util.HashSet<>(Cgroups.pids(child.cgroup()));
        List<ProcessIdentity> members = new ArrayList<>();
        for (int i = 0; i < scan.size(); i++) {
            ProcStat p = scan.get(i);
            // nothing that started before the main process can be one of its own
            if (p.pid() == self || p.pid() <= 1 || p.isZombie() || p.startTicks() < child.identity().startTicks()) continue;
            // once the main process is gone, its pid — and so its group and session id — may be
            // recycled: then only the marker still tells our processes from strangers
            boolean belongs = (inCgroup.contains(p.pid()) && p.startTicks() < cgroupBornBeforeTicks)
                    || (mainAlive && (p.pid() == child.pid() || p.groupId() == child.groupId()
                    || p.sessionId() == child.groupId() || scan.descendsFrom(i, child.pid())))
                    || (!child.marker().isEmpty() && child.marker().equals(scan.markerOf(i)));
            if (!belongs) continue;
            // the table may be older than the question, when nothing started since: one of ours in it may have ended
            ProcessIdentity member = new ProcessIdentity(p.pid(), p.startTicks(), ProcessIdentity.currentBootId());
            if (member.isAlive()) members.add(member);
        }
        return members;
    }

    /**
     * Sends {@code signal} to every process of the instance, waits up to {@code timeout} for all
     * to end, then SIGKILLs whatever is left and waits again. Returns the processes that survived
     * even that (in uninterruptible sleep, say); empty when none remain.
     */
    List<ProcessIdentity> terminate(Signal signal, Duration timeout) throws InterruptedException {
        return beginTermination(signal, timeout).await();
    }

    /**
     * The first step of {@link #terminate}, which never waits: {@code signal} to the main process,
     * and its group with it. The termination returned does the rest in whichever thread awaits it,
     * so a stop of hundreds of sites can signal all of them from one thread before any waits.
     */
    Termination beginTermination(Signal signal, Duration timeout) {
        Termination termination = new Termination(signal, timeout);
        termination.signalMain();
        return termination;
    }

    /** The processes of one {@link #terminate}: the ones signalled so far, and the deadline they have. */
    final class Termination {
        private final Signal signal;
        private final Duration timeout;
        private final long deadline;
        /** Every process signalled so far, with its exit: the main process's is the child's own. */
        private final List<Watched> watched = new ArrayList<>();
        /** The pidfds this termination opened, for the other processes; the child's stays the child's. */
        private final List<PidFd> open = new ArrayList<>();
        /** When the group was signalled, in clock ticks since boot; -1 while it was not. */
        private long groupSignalledAt = -1;
        /** What outlived the signal and was killed, as "pid N (command line)"; empty for a graceful end. */
        private List<String> killed = List.of();
        /** Completed by {@link #hurry}: the wait ends now, and what is left gets SIGKILL; shared with the pass for late members. */
        private final CompletableFuture<Void> hurried;

        private Termination(Signal signal, Duration timeout) {
            this(signal, timeout, new CompletableFuture<>());
        }

        private Termination(Signal signal, Duration timeout, CompletableFuture<Void> hurried) {
            this.hurried = hurried;
            this.signal = signal;
            this.timeout = timeout;
            this.deadline = System.nanoTime() + timeout.toNanos();
        }

        /**
         * Signals the other processes, waits for all until the deadline, and SIGKILLs what is left;
         * the processes that survived even that. Call it once: it closes what it opened.
         */
        List<ProcessIdentity> await() throws InterruptedException {
            List<ProcessIdentity> left = signalRestAndWait();
            if (left.isEmpty() || signal == Signal.KILL) return left;
            // described before the kill: afterwards there is no command line to read
            killed = left.stream().map(i -> "pid " + i.pid() + " (" + Processes.commandLine(i.pid()) + ")").toList();
            log.warn("killing: {} processes of pid {} outlived {} {}: {}", left.size(), child.pid(), signal,
                    hurried.isDone() ? "until a kill" : "for " + sitevisor.mbeans.Durations.format(timeout), String.join(", ", killed));
            return beginTermination(Signal.KILL, KILL_WAIT).signalRestAndWait();
        }

        /** What outlived the signal until the timeout and got SIGKILL, as "pid N (command line)"; empty when nothing did. */
        List<String> killed() {
            return killed;
        }

        /** Ends the wait at once, from any thread: what is left gets SIGKILL now rather than at the timeout. */
        void hurry() {
            hurried.complete(null);
        }

        boolean wasHurried() {
            return hurried.isDone();
        }

        /**
         * First the main process alone, and its group with it, before any scan: a scan of /proc
         * takes milliseconds, tens of them when hundreds of stops ask at once, and the site's own
         * stop should not wait for it.
         */
        private void signalMain() {
            if (child.hasExited()) return;
            // through the child's own pidfd, which the exit watcher already watches: no second one
            // to open, check and register for each of hundreds of sites while the others wait for
            // their signal, and no second exit for the watcher to report
            watched.add(new Watched(child.identity(), child.exit()));
            signal(child.identity(), child.pidFd());
        }

        private List<ProcessIdentity> signalRestAndWait() throws InterruptedException {
            try {
                // members may fork while we signal: look again until a pass finds nobody new
                for (int pass = 1; pass <= 10; pass++) {
                    if (!signalNew(members())) break;
                }
                long remaining = deadline - System.nanoTime();
                try {
                    CompletableFuture.anyOf(CompletableFuture.allOf(watched.stream().map(Watched::exit).toArray(CompletableFuture[]::new)), hurried)
                            .get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
                } catch (TimeoutException late) {
                    // reported below as what is left
                } catch (ExecutionException impossible) {
                    throw new IllegalStateException(impossible);
                }
                List<ProcessIdentity> left = new ArrayList<>();
                for (Watched process : watched) {
                    if (!process.exit().isDone() && process.identity().isAlive()) left.add(process.identity());
                }
                if (left.isEmpty()) {
                    // a process forked in the last instant carries the marker; it gets the same treatment
                    List<ProcessIdentity> late = members();
                    if (!late.isEmpty() && !hurried.isDone() && System.nanoTime() < deadline) {
                        Termination more = new Termination(signal, Duration.ofNanos(deadline - System.nanoTime()), hurried);
                        more.signalMain();
                        return more.signalRestAndWait();
                    }
                    return late;
                }
                return left;
            } finally {
                closeAll();
            }
        }

        /** Signals those of {@code found} it has not signalled yet; whether there were any. */
        private boolean signalNew(List<ProcessIdentity> found) {
            boolean sawNew = false;
            for (ProcessIdentity identity : found) {
                if (watched.stream().anyMatch(process -> process.identity().equals(identity))) continue;
                PidFd fd = PidFd.open(identity).orElse(null);
                if (fd == null) continue;
                sawNew = true;
                open.add(fd);
                watched.add(new Watched(identity, watcher.watch(fd)));
                signal(identity, fd);
            }
            return sawNew;
        }

        private void signal(ProcessIdentity identity, PidFd fd) {
            boolean inGroup = inMainGroup(identity);
            if (inGroup && groupSignalledAt < 0) {
                // one signal to the whole group, as a terminal would send it; the group is
                // ours while this verified member is in it
                long now = Processes.ticksSinceBoot();
                if (signalGroup(signal)) {
                    groupSignalledAt = now;
                    return;
                }
            }
            // outside the group, or perhaps born after the group was signalled (a tick of
            // margin: such a process gets the signal twice rather than never)
            if (!inGroup || groupSignalledAt < 0 || identity.startTicks() >= groupSignalledAt - 1) fd.signal(signal);
        }

        private void closeAll() {
            open.forEach(PidFd::close);
        }
    }

    /** A process a termination signalled, and what completes when it has ended. */
    private record Watched(ProcessIdentity identity, CompletableFuture<?> exit) {}

    /** Whether any process is left in the main process's group: one system call, no scan. */
    boolean groupHasMembers() {
        return Native.posix().kill(-(int) child.groupId(), 0) == 0;
    }

    /** The pids, for messages. */
    static String pids(List<ProcessIdentity> identities) {
        return identities.stream().map(i -> Long.toString(i.pid())).reduce((a, b) -> a + ", " + b).orElse("none");
    }

    /**
     * Whether the process is still the one {@code identity} names, and in the main process's group.
     * One read for both: a pid recycled since could lead a group whose id is the main process's
     * old pid, and a signal to that group would reach strangers.
     */
    private boolean inMainGroup(ProcessIdentity identity) {
        return ProcStat.read(identity.pid()).map(s -> s.startTicks() == identity.startTicks() && s.groupId() == child.groupId()).orElse(false);
    }

    private boolean signalGroup(Signal signal) {
        int rc = Native.posix().kill(-(int) child.groupId(), signal.number());
        return rc == 0;
    }
}
