package sitevisor.posix;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The processes of one instance, read again and again through {@link KeptFile}s: its cgroup's
 * {@code cgroup.procs}, or, without a cgroup (or an empty one), its main process and the children
 * its main thread forked, and theirs, as {@link ProcessMemory#tree} finds them. Not for concurrent use.
 */
public final class KeptProcesses implements AutoCloseable {
    private Path cgroup;
    private KeptFile cgroupProcs;
    private final Map<Long, KeptFile> children = new HashMap<>();

    /** The processes now: in {@code cgroup} when it names one that holds any, else the tree of {@code mainPid}. */
    public List<Long> read(long mainPid, Path cgroup) {
        if (cgroup != null) {
            List<Long> inCgroup = inCgroup(cgroup);
            if (!inCgroup.isEmpty()) {
                KeptFile.closeAllBut(children, Set.of());
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
        List<Long> tree = ProcessMemory.tree(mainPid, (pid, each) -> {
            KeptFile file = children.computeIfAbsent(pid, p -> new KeptFile(ProcessMemory.childrenFile(p)));
            int length = file.read();
            if (length > 0) KeptFile.numbers(file.bytes(), length, each);
        });
        KeptFile.closeAllBut(children, Set.copyOf(tree));
        return tree;
    }

    @Override
    public void close() {
        KeptFile.closeAllBut(children, Set.of());
        if (cgroupProcs != null) cgroupProcs.close();
        cgroupProcs = null;
        cgroup = null;
    }
}
