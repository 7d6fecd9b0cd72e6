package sitevisor.supervise;

import sitevisor.mbeans.Durations;
import sitevisor.posix.Cgroups;
import sitevisor.posix.ExitStatus;
import sitevisor.posix.Ports;
import sitevisor.posix.ProcessIdentity;
import sitevisor.posix.Signal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The stop of one instance's processes, apart from its states: the stop signal to the main
 * process and its group, the wait for every process of the instance (SIGKILL after the timeout),
 * then for its port. It only says how the stop ended; the instance makes the transitions.
 * <p>
 * Begun under the instance's lock ({@link #signal}), the exit it brings is left to the operation
 * whatever the state says meanwhile, so in a stop of many instances every one is signalled before
 * any waits ({@link #finish}).
 */
final class StopSequence {
    private static final Duration PORT_RELEASE_WAIT = Duration.ofSeconds(2);

    private final Child child;
    private final long beganNanos;
    private final Signal signal;
    private final Duration timeout;
    private final Group.Termination termination;

    /** How a stop ended. */
    sealed interface Ended permits Stopped, Stuck {}

    /**
     * Every process is gone.
     *
     * @param killed         what outlived the stop signal and was killed, as {@code pid N (command line)}
     * @param portStillHeld  who holds the instance's port though its processes are gone; empty when it is free
     */
    record Stopped(ExitStatus exit, long tookMillis, List<String> killed, Optional<String> portStillHeld) implements Ended {}

    /** Processes survived SIGKILL, or the wait was interrupted: the instance cannot say it stopped. */
    record Stuck(String reason) implements Ended {}

    private StopSequence(Child child, Signal signal, Duration timeout, Group.Termination termination) {
        this.child = child;
        this.beganNanos = System.nanoTime();
        this.signal = signal;
        this.timeout = timeout;
        this.termination = termination;
    }

    /** Sends the stop signal to the main process and its group; never waits. */
    static StopSequence signal(Child child, Signal signal, Duration timeout, Context context) {
        return new StopSequence(child, signal, timeout, new Group(child, context.watcher(), context.processes()).beginTermination(signal, timeout));
    }

    Child child() {
        return child;
    }

    /** From any thread: what is left gets SIGKILL now instead of at the timeout (a kill during the stop). */
    void hurry() {
        termination.hurry();
    }

    /** What was sent, in words, for the move to STOPPING. */
    String describe() {
        return signal + " to pid " + child.pid() + " and its group" + (signal == Signal.KILL ? "" : ", SIGKILL after " + Durations.format(timeout));
    }

    /**
     * The rest: the other processes signalled, all of them waited for (SIGKILL after the timeout),
     * the instance's cgroup removed once empty, and the port waited for. Blocks until done.
     *
     * @param port the instance's port, 0 when it has none
     */
    Ended finish(int port) {
        List<ProcessIdentity> survivors;
        try {
            survivors = termination.await();
            if (!child.hasExited()) child.exit().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Stuck("interrupted while stopping pid " + child.pid());
        } catch (ExecutionException | TimeoutException e) {
            survivors = List.of(child.identity());
        }
        if (!survivors.isEmpty()) return new Stuck("processes " + Group.pids(survivors) + " survived SIGKILL (uninterruptible sleep?)");
        Optional<String> portStillHeld = awaitPortReleased(port);
        if (child.cgroup() != null) Cgroups.removeIfEmpty(child.cgroup());
        return new Stopped(child.exit().getNow(ExitStatus.UNKNOWN), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beganNanos),
                termination.killed(), portStillHeld);
    }

    /** What a finished stop says of itself: how long it took, and whether SIGKILL ended it, asked for (a kill) or not. */
    String describe(Stopped stopped) {
        if (signal == Signal.KILL) return "killed by SIGKILL in " + stopped.tookMillis() + " ms";
        return stopped.killed().isEmpty() ? "stopped in " + stopped.tookMillis() + " ms"
                : "stopped in " + stopped.tookMillis() + " ms, by SIGKILL: " + String.join(", ", stopped.killed()) + " outlived " + signal
                  + (termination.wasHurried() ? " until a kill" : " for " + Durations.format(timeout));
    }

    /** Our processes are gone, so the port is free unless someone else took it: who, when it is not free in time. */
    private static Optional<String> awaitPortReleased(int port) {
        if (port == 0) return Optional.empty();
        long deadline = System.nanoTime() + PORT_RELEASE_WAIT.toNanos();
        while (Ports.isListening(port)) {
            if (System.nanoTime() > deadline) {
                return Optional.of("port " + port + " is still held by " + Ports.describeHolders(port).orElse("a process sitevisor cannot see")
                        + ", which is not this site's");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
