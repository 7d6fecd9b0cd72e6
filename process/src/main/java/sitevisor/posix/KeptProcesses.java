package sitevisor.posix;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The processes of one instance, read again and again through {@link KeptFile}s: its cgroup's
 * {@code cgroup.procs}, or, without a cgroup (or an empty one), its main process and the children
 * its main thread forked, and theirs, as {@link ProcessMemory#tree} finds them. Not for concurrent use.
 */
public final class KeptProcesses implements AutoCloseable {
    private static final Path PROC = Path.of("/proc");
    // a fork bomb must not make a reading walk forever
    private static final int MAX_PROCESSES = 1024;

    private Path cgroup;
    private KeptFile cgroupProcs;
    private final Map<Long, KeptFile> children = new HashMap<>();

    /** The processes now: in {@code cgroup} when it names one that holds any, else the tree of {@code mainPid}. */
    public List<Long> read(long mainPid, Path cgroup) {
        if (cgroup != null) {
            List<Long> inCgroup = inCgroup(cgroup);
            if (!inCgroup.isEmpty()) {
                closeChildrenBut(Set.of());
                return inCgroup;
            }
        }
        return tree(mainPid);
    }

    private List<Long> inCgroup(Path group) {
        if (!group.equals(cgroup)) {
            if (cgroupProcs != null) cgroupProcs.close();
            cgroup = group;
            cgroupProcs = new KeptFile(group.resolve("cgroup.procs"));
        }
        int length = cgroupProcs.read();
        if (length <= 0) return List.of();
        long self = Native.selfPid();
        List<Long> pids = new ArrayList<>();
        // the daemon sits in an instance's cgroup while it spawns there
        KeptFile.numbers(cgroupProcs.bytes(), length, pid -> {
            if (pid != self) pids.add(pid);
        });
        return pids;
    }

    private List<Long> tree(long mainPid) {
        Deque<Long> pending = new ArrayDeque<>();
        Set<Long> seen = new LinkedHashSet<>();
        pending.add(mainPid);
        while (!pending.isEmpty() && seen.size() < MAX_PROCESSES) {
            long next = pending.poll();
            if (!seen.add(next)) continue;
            KeptFile file = children.computeIfAbsent(next, pid -> new KeptFile(PROC.resolve(Long.toString(pid)).resolve("task")
                    .resolve(Long.toString(pid)).resolve("children")));
            int length = file.read();
            if (length > 0) KeptFile.numbers(file.bytes(), length, pending::add);
        }
        closeChildrenBut(seen);
        return List.copyOf(seen);
    }

    private void closeChildrenBut(Set<Long> kept) {
        children.entrySet().removeIf(entry -> {
            if (kept.contains(entry.getKey())) return false;
            entry.getValue().close();
            return true;
        });
    }

    @Override
    public void close() {
        closeChildrenBut(Set.of());
        if (cgroupProcs != null) cgroupProcs.close();
        cgroupProcs = null;
        cgroup = null;
    }
}
