package sitevisor.posix;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A cgroup for each site instance, where this machine lets the daemon make them: a membership a
 * program can neither erase nor leave, as it can its environment (nginx writes over it to set
 * its process title) and its session ({@code setsid}). Every process a site starts is born in
 * its instance's cgroup, and so is everything it forks, daemonized or not. Only membership is
 * used: no controller is enabled, nothing is accounted or limited.
 *
 * <p>Two kinds, tried in this order:
 * <ul>
 * <li>cgroup v1's {@code pids} hierarchy, which root may write on machines that mount it, under
 *     {@code sitevisor/<home tag>/}. v1 lets the threads of a process sit in different cgroups,
 *     so a spawn is made from a thread moved into the instance's cgroup for the moment and back.
 * <li>cgroup v2, under {@code sitevisor/<home tag>/} of the cgroup the daemon was started in (the
 *     service's own, which systemd's {@code Delegate=yes} hands to it), or of the hierarchy's root
 *     when the daemon is there. v2 keeps a process's threads together and glibc before 2.39 has
 *     no way to spawn into a cgroup, so the whole daemon moves into the instance's cgroup for
 *     the spawn and back: one spawn at a time, and no spawn of any other kind meanwhile.
 * </ul>
 * Either way the child is in its cgroup from its first instruction, before it can fork.
 */
public final class Cgroups {
    /** The environment variable that chooses: {@code auto} (the default), {@code v1}, {@code v2} or {@code off}. */
    public static final String CHOICE = "SITEVISOR_CGROUPS";

    private static final Logger log = LoggerFactory.getLogger(Cgroups.class);
    private static final Path MOUNT_INFO = Path.of("/proc/self/mountinfo");
    private static final String PIDS = "pids";
    /** The leaf a v2 daemon proves it can move into and back out of before it relies on that. */
    private static final String PROBE = "probe";
    /** Under v2 the daemon's whole process moves for a spawn: no other spawn may happen meanwhile. */
    private static final ReentrantLock PROCESS_MOVES = new ReentrantLock();

    /** Which hierarchy holds the instances' cgroups. */
    public enum Version { V1, V2 }

    /** What {@link #forHome} found: the cgroups to use, or why there are none. */
    public record Found(Optional<Cgroups> cgroups, String whyNone) {
        static Found of(Cgroups cgroups) {
            return new Found(Optional.of(cgroups), "");
        }

        static Found none(String why) {
            return new Found(Optional.empty(), why);
        }
    }

    private final Version version;
    private final Path mount;
    private final Path base;
    /** v2: the cgroup the daemon lives in between spawns. */
    private final Path daemonCgroup;
    /** v2: the instance's cgroup the daemon could not leave after a spawn; null while it is home. Guarded by {@link #PROCESS_MOVES}. */
    private Path away;

    Cgroups(Version version, Path mount, Path base, Path daemonCgroup) {
        this.version = version;
        this.mount = mount;
        this.base = base;
        this.daemonCgroup = daemonCgroup;
    }

    /** The cgroups of the home whose run folder is {@code runDir}, as {@code $}{@value #CHOICE} chooses. */
    public static Found forHome(Path runDir) {
        String choice = System.getenv(CHOICE);
        return forHome(runDir, choice == null || choice.isEmpty() ? "auto" : choice);
    }

    /**
     * The cgroups of the home whose run folder is {@code runDir}, under {@code sitevisor/<home tag>}.
     *
     * @param choice {@code auto}: v1's pids hierarchy where the daemon may write it, else v2;
     *               {@code v1} or {@code v2}: that one alone; {@code off}: none, markers only
     * @throws IllegalArgumentException for any other choice
     */
    public static Found forHome(Path runDir, String choice) {
        String tag = homeTag(runDir);
        return switch (choice) {
            case "off" -> Found.none("cgroups are off (" + CHOICE + "=off)");
            case "v1" -> v1(tag);
            case "v2" -> v2(tag);
            case "auto" -> {
                Found v1 = v1(tag);
                if (v1.cgroups().isPresent()) yield v1;
                Found v2 = v2(tag);
                yield v2.cgroups().isPresent() ? v2 : Found.none(v1.whyNone() + "; " + v2.whyNone());
            }
            default -> throw new IllegalArgumentException(CHOICE + " must be auto, v1, v2 or off, not '" + choice + "'");
        };
    }

    private static Found v1(String tag) {
        Optional<Path> mount = pidsHierarchy();
        if (mount.isEmpty()) return Found.none("no cgroup v1 " + PIDS + " hierarchy is mounted");
        Path base = mount.get().resolve("sitevisor").resolve(tag);
        try {
            Files.createDirectories(base);
            if (!Files.isWritable(base.resolve("tasks"))) return Found.none(base + " is not writable");
        } catch (IOException | SecurityException notOurs) {
            return Found.none("cannot make " + base + ": " + notOurs.getMessage());
        }
        return Found.of(new Cgroups(Version.V1, mount.get(), base, null));
    }

    private static Found v2(String tag) {
        Optional<Mount> unified = unifiedHierarchy();
        if (unified.isEmpty()) return Found.none("no cgroup v2 hierarchy is mounted");
        Optional<Path> own = unified.get().processCgroup();
        if (own.isEmpty()) return Found.none("the daemon's cgroup v2 is not under " + unified.get().path());
        Path daemonCgroup = own.get();
        boolean atRoot = daemonCgroup.equals(unified.get().path());
        Path base = daemonCgroup.resolve("sitevisor").resolve(tag);
        try {
            // the root alone may hold processes beside children that enable controllers
            String controllers = Files.readString(daemonCgroup.resolve("cgroup.subtree_control")).trim();
            if (!atRoot && !controllers.isEmpty()) {
                return Found.none("the daemon's cgroup " + daemonCgroup + " enables controllers for its children (" + controllers
                        + "), so no process may leave it and come back; start the daemon in a cgroup of its own");
            }
            Path probe = Files.createDirectories(base.resolve(PROBE));
            PROCESS_MOVES.lock();
            try {
                moveDaemon(probe);
                try {
                    moveDaemon(daemonCgroup);
                } catch (IOException stuck) {
                    log.error("the daemon moved into {} to try it and cannot move back to {} ({}); what it spawns is born there",
                            probe, daemonCgroup, stuck.getMessage());
                    return Found.none("the daemon could not move back to its cgroup " + daemonCgroup + ": " + stuck.getMessage());
                }
            } finally {
                PROCESS_MOVES.unlock();
                removeIfEmpty(probe);
            }
            return Found.of(new Cgroups(Version.V2, unified.get().path(), base, daemonCgroup));
        } catch (IOException | SecurityException notOurs) {
            return Found.none("cannot move the daemon into a cgroup under " + base + ": " + notOurs.getMessage());
        }
    }

    /** Where a v1 hierarchy with the pids controller is mounted, from /proc/self/mountinfo. */
    public static Optional<Path> pidsHierarchy() {
        return mounts().stream().filter(m -> m.type().equals("cgroup") && m.options().contains(PIDS)).map(Mount::path).findFirst();
    }

    /** Where the v2 hierarchy is mounted, from /proc/self/mountinfo. */
    static Optional<Mount> unifiedHierarchy() {
        return mounts().stream().filter(m -> m.type().equals("cgroup2")).findFirst();
    }

    /**
     * A cgroup file system mounted here.
     *
     * @param root    the cgroup shown at {@code path}: {@code /} unless a subtree is mounted alone
     * @param options the super block's options, which name a v1 hierarchy's controllers
     */
    record Mount(String type, Path path, String root, List<String> options) {
        /** The folder of this process's own v2 cgroup, from the {@code 0::} line of /proc/self/cgroup. */
        Optional<Path> processCgroup() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                    if (!line.startsWith("0::")) continue;
                    String cgroup = line.substring(3);
                    if (!cgroup.startsWith(root)) return Optional.empty();
                    String below = cgroup.substring(root.length()).replaceFirst("^/+", "");
                    return Optional.of(below.isEmpty() ? path : path.resolve(below));
                }
            } catch (IOException unreadable) {
                return Optional.empty();
            }
            return Optional.empty();
        }
    }

    private static List<Mount> mounts() {
        List<Mount> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(MOUNT_INFO)) {
                // "36 25 0:31 / /sys/fs/cgroup/pids rw,relatime shared:15 - cgroup cgroup rw,pids"
                int dash = line.indexOf(" - ");
                if (dash < 0) continue;
                String[] before = line.substring(0, dash).split(" ");
                String[] after = line.substring(dash + 3).split(" ");
                if (before.length < 5 || after.length < 3 || !after[0].startsWith("cgroup")) continue;
                mounts.add(new Mount(after[0], Path.of(unescape(before[4])), unescape(before[3]), List.of(after[2].split(","))));
            }
        } catch (IOException unreadable) {
            return List.of();
        }
        return mounts;
    }

    /** mountinfo writes spaces and the like in paths as octal escapes ({@code \040}). */
    private static String unescape(String field) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                text.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                text.append(c);
            }
        }
        return text.toString();
    }

    public Version version() {
        return version;
    }

    /** The folder of the home's cgroups, for the log and for operators: {@code cat <it>/blog.0/cgroup.procs}. */
    public Path base() {
        return base;
    }

    /** The cgroup of one instance, made when missing. */
    public Path instance(String name) throws IOException {
        return Files.createDirectories(base.resolve(name));
    }

    /** Runs {@code spawn} so that the process it spawns is born in {@code cgroup}, and returns what it returns. */
    public <T> T spawnInto(Path cgroup, Callable<T> spawn) throws Exception {
        if (version == Version.V1) {
            String thread = threadId();
            Path back = threadCgroup();
            Files.writeString(cgroup.resolve("tasks"), thread);
            try {
                return spawn.call();
            } finally {
                threadsHome(thread, cgroup, back);
            }
        }
        PROCESS_MOVES.lock();
        try {
            comeHomeFirst();
            moveDaemon(cgroup);
            away = cgroup;
            try {
                return spawn.call();
            } finally {
                returnHome();
            }
        } finally {
            PROCESS_MOVES.unlock();
        }
    }

    /**
     * v1: moves the spawning thread back, and any thread started from it meanwhile (JNR's
     * reference reaper, say), which was born in the instance's cgroup too. A failure must not
     * lose the process just spawned: it is logged, and the thread stays where it is.
     */
    private void threadsHome(String thread, Path cgroup, Path back) {
        try {
            Files.writeString(back.resolve("tasks"), thread);
            for (String other : Files.readAllLines(cgroup.resolve("tasks"))) {
                if (!Files.exists(Path.of("/proc/self/task", other))) continue;
                try {
                    Files.writeString(back.resolve("tasks"), other);
                } catch (IOException ended) {
                    // the thread ended since
                }
            }
        } catch (IOException e) {
            log.warn("a thread of the daemon could not move back to {} after a spawn into {}: {}", back, cgroup, e.getMessage());
        }
    }

    /**
     * Runs {@code spawn} so that the process it spawns is born in the daemon's own cgroup, in no
     * instance's: under v2 it waits until no spawn into one is under way.
     */
    public <T> T spawnOutside(Callable<T> spawn) throws Exception {
        if (version == Version.V1) return spawn.call();
        PROCESS_MOVES.lock();
        try {
            comeHomeFirst();
            return spawn.call();
        } finally {
            PROCESS_MOVES.unlock();
        }
    }

    /**
     * Moves the daemon back to its own cgroup after a spawn. A failure must not lose the process
     * just spawned: the daemon stays where it is, which no search of a site's processes counts,
     * and the next spawn of either kind moves it back before it spawns.
     */
    private void returnHome() {
        try {
            goHome();
        } catch (IOException e) {
            log.warn("the daemon could not move back to its cgroup {} after a spawn ({}); it stays in {} until the next spawn",
                    daemonCgroup, e.getMessage(), away);
        }
    }

    /** Before a spawn: a daemon that could not come home after the last one must, or nothing is spawned. */
    private void comeHomeFirst() throws IOException {
        if (away == null) return;
        try {
            goHome();
        } catch (IOException e) {
            throw new IOException("the daemon is still in " + away + " after an earlier spawn and cannot move back to "
                    + daemonCgroup + ": " + e.getMessage(), e);
        }
    }

    private void goHome() throws IOException {
        moveDaemon(daemonCgroup);
        away = null;
    }

    /** Moves every thread of the daemon into {@code cgroup} (v2). */
    private static void moveDaemon(Path cgroup) throws IOException {
        Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(Native.selfPid()));
    }

    /** The processes in {@code cgroup} now, never the daemon itself; none when it is gone. */
    public static List<Long> pids(Path cgroup) {
        List<Long> pids = new ArrayList<>();
        long self = Native.selfPid();
        try {
            for (String line : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
                if (line.isBlank()) continue;
                // the daemon sits in an instance's cgroup while it spawns there
                long pid = Long.parseLong(line.trim());
                if (pid != self) pids.add(pid);
            }
        } catch (NoSuchFileException gone) {
            return pids;
        } catch (IOException | NumberFormatException unreadable) {
            return pids;
        }
        return pids;
    }

    /**
     * What a home's cgroups and its processes' markers are told by: the first 4 bytes of the
     * SHA-256 of its run folder's path, in hex.
     */
    public static String homeTag(Path runDir) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(runDir.toAbsolutePath().normalize().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    /**
     * Removes the home's cgroups that no process is left in, and the home's folder when all are
     * gone: a daemon stopping with its sites leaves none behind; one killed leaves them for the next.
     */
    public void removeEmpty() {
        removeEmpty(base);
    }

    /** Removes the cgroups under {@code homeFolder} that no process is left in, then the folder when all are gone. */
    public static void removeEmpty(Path homeFolder) {
        try (var instances = Files.list(homeFolder)) {
            for (Path instance : instances.filter(Files::isDirectory).toList()) removeIfEmpty(instance);
        } catch (IOException gone) {
            return;
        }
        removeIfEmpty(homeFolder);
    }

    /**
     * The folders that hold, or would hold, the cgroups of the home whose run folder is
     * {@code runDir}, of either kind, for a daemon started where this process runs: to look
     * in after a daemon that was killed.
     */
    public static List<Path> homeFolders(Path runDir) {
        String tag = homeTag(runDir);
        List<Path> folders = new ArrayList<>();
        pidsHierarchy().ifPresent(mount -> folders.add(mount.resolve("sitevisor").resolve(tag)));
        unifiedHierarchy().flatMap(Mount::processCgroup).ifPresent(own -> folders.add(own.resolve("sitevisor").resolve(tag)));
        return folders;
    }

    /** Removes an instance's cgroup once no process is left in it; a no-op while one is. */
    public static void removeIfEmpty(Path cgroup) {
        try {
            Files.deleteIfExists(cgroup);
        } catch (DirectoryNotEmptyException | SecurityException busy) {
            // a cgroup with members cannot go: the kernel says busy
        } catch (IOException busy) {
            // EBUSY comes as a plain IOException
        }
    }

    /** This thread's id, from the link /proc/thread-self points at ("4242/task/4260"). */
    private static String threadId() throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
        return link.substring(link.lastIndexOf('/') + 1);
    }

    /** The cgroup this thread is in, in the pids hierarchy, from /proc/thread-self/cgroup ("8:pids:/a/b"). */
    private Path threadCgroup() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/cgroup"))) {
            String[] fields = line.split(":", 3);
            if (fields.length == 3 && List.of(fields[1].split(",")).contains(PIDS)) {
                return mount.resolve(fields[2].substring(1));
            }
        }
        throw new IOException("this thread is in no cgroup of the " + PIDS + " hierarchy");
    }

    @Override
    public String toString() {
        return version == Version.V1 ? "cgroup v1 " + PIDS + " hierarchy at " + base : "cgroup v2 at " + base;
    }
}
