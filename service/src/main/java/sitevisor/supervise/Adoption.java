package sitevisor.supervise;

import sitevisor.posix.PidFd;
import sitevisor.posix.ProcStat;
import sitevisor.posix.ProcessIdentity;
import sitevisor.posix.Processes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a daemon starting up finds of an instance that runs without it: the process its pid file
 * names, else the one that carries its marker, else what is in its cgroup. It only finds; the
 * instance takes the process over, under its lock, through its state door.
 */
final class Adoption {
    private Adoption() {}

    /** What was looked at: a live process of the instance, a pid file to remove and report, or nothing. */
    sealed interface Outcome permits Found, Stale, Nothing {}

    /**
     * A live process of the instance, with an open pidfd on it.
     *
     * @param marker the marker it was spawned with; empty when found without one (in its cgroup)
     * @param how    how it was found, for the history: {@code in web.pid}, {@code by its marker, without a pid file}
     */
    record Found(ProcessIdentity identity, PidFd fd, long groupId, String marker, Instant startedAt, String how) implements Outcome {}

    /** A pid file that names no live process of the instance: it is removed, and nothing is signalled. */
    record Stale(Path file, long pid, String why) implements Outcome {}

    /** Nothing to take over and nothing to report. */
    record Nothing() implements Outcome {}

    /**
     * The process the instance's pid file names, when it is still the very process a daemon
     * started: the same start time and boot, not a recycled pid, not another instance's.
     */
    static Outcome fromPidFile(Path file, String site, int index, String name) {
        if (!Files.exists(file)) return new Nothing();
        PidFile recorded;
        try {
            recorded = PidFile.read(file);
        } catch (PidFile.Unreadable e) {
            return new Stale(file, 0, e.getMessage());
        } catch (IOException e) {
            return new Stale(file, 0, "cannot read it: " + e.getMessage());
        }
        if (!recorded.site().equals(site) || recorded.instance() != index) {
            return new Stale(file, recorded.identity().pid(), "it belongs to site '" + recorded.site() + "' instance " + recorded.instance()
                    + ", not to " + name);
        }
        ProcessIdentity identity = recorded.identity();
        Optional<String> why = identity.whyStale();
        if (why.isPresent()) return new Stale(file, identity.pid(), why.get());
        Optional<PidFd> fd = PidFd.open(identity);
        if (fd.isEmpty()) return new Stale(file, identity.pid(), "process " + identity.pid() + " ended while being adopted");
        return new Found(identity, fd.get(), recorded.groupId(), recorded.marker(), recorded.startedAt(), "in " + file.getFileName());
    }

    /**
     * The main process among the instance's processes found by marker or cgroup: the one whose
     * parent is none of them, the oldest when there are several; empty when none is still alive.
     */
    static Optional<Found> mainOf(List<Instance.Marked> marked, String how, Instant now) {
        Set<Long> pids = new HashSet<>();
        for (Instance.Marked each : marked) pids.add(each.process().pid());
        Optional<Instance.Marked> main = marked.stream().filter(m -> !pids.contains(m.process().parentPid()))
                .min(Comparator.comparingLong(m -> m.process().startTicks()));
        if (main.isEmpty()) return Optional.empty();
        ProcStat process = main.get().process();
        ProcessIdentity identity = new ProcessIdentity(process.pid(), process.startTicks(), ProcessIdentity.currentBootId());
        Optional<PidFd> fd = PidFd.open(identity);
        if (fd.isEmpty()) return Optional.empty();
        if (!identity.isAlive()) {
            fd.get().close();
            return Optional.empty();
        }
        return Optional.of(new Found(identity, fd.get(), process.groupId(), main.get().marker(),
                Processes.startedAt(process.startTicks(), now), how));
    }
}
