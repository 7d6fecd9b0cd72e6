package sitevisor.posix;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * A cgroup for each site instance, where this machine lets the daemon make them: a membership a
 * program can neither erase nor leave, as it can its environment (nginx writes over it to set
 * its process title) and its session ({@code setsid}). Every process a site starts is born in
 * its instance's cgroup, and so is everything it forks, daemonized or not.
 *
 * <p>This is cgroup v1's {@code pids} hierarchy, which root may write on most machines that have
 * not moved to cgroup v2, under {@code sitevisor/<home tag>/}. It accounts and limits nothing
 * here: only membership is used. v1 lets the threads of a process sit in different cgroups, so a
 * spawn is made from a thread moved into the instance's cgroup for the moment and back: the child
 * is in it from its first instruction, before it can fork.
 */
public final class Cgroups {
    private static final Path MOUNT_INFO = Path.of("/proc/self/mountinfo");
    private static final String CONTROLLER = "pids";

    private final Path base;
    private final Path mount;

    private Cgroups(Path mount, Path base) {
        this.mount = mount;
        this.base = base;
    }

    /**
     * The cgroups of one home, under {@code sitevisor/<homeTag>} of a writable v1 {@code pids}
     * hierarchy; empty when this machine has none the daemon may write (cgroup v2 alone, a
     * container, no root): then only markers tell a site's processes.
     */
    public static Optional<Cgroups> forHome(String homeTag) {
        Optional<Path> mount = pidsHierarchy();
        if (mount.isEmpty()) return Optional.empty();
        Path base = mount.get().resolve("sitevisor").resolve(homeTag);
        try {
            Files.createDirectories(base);
            if (!Files.isWritable(base.resolve("tasks"))) return Optional.empty();
        } catch (IOException | SecurityException notOurs) {
            return Optional.empty();
        }
        return Optional.of(new Cgroups(mount.get(), base));
    }

    /** Where a v1 hierarchy with the pids controller is mounted, from /proc/self/mountinfo. */
    public static Optional<Path> pidsHierarchy() {
        try {
            for (String line : Files.readAllLines(MOUNT_INFO)) {
                // "36 25 0:31 / /sys/fs/cgroup/pids rw,relatime shared:15 - cgroup cgroup rw,pids"
                int dash = line.indexOf(" - ");
                if (dash < 0) continue;
                String[] before = line.substring(0, dash).split(" ");
                String[] after = line.substring(dash + 3).split(" ");
                if (before.length < 5 || after.length < 3 || !after[0].equals("cgroup")) continue;
                for (String option : after[2].split(",")) {
                    if (option.equals(CONTROLLER)) return Optional.of(Path.of(unescape(before[4])));
                }
            }
        } catch (IOException unreadable) {
            return Optional.empty();
        }
        return Optional.empty();
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

    /** The folder of the home's cgroups, for the log and for operators: {@code cat <it>/blog.0/cgroup.procs}. */
    public Path base() {
        return base;
    }

    /** The cgroup of one instance, made when missing. */
    public Path instance(String name) throws IOException {
        return Files.createDirectories(base.resolve(name));
    }

    /**
     * Runs {@code spawn} on this thread moved into {@code cgroup}, so that the process it spawns is
     * born there, then moves the thread back where it was.
     */
    public <T> T spawnInto(Path cgroup, Callable<T> spawn) throws Exception {
        String thread = threadId();
        Path back = threadCgroup();
        Files.writeString(cgroup.resolve("tasks"), thread);
        try {
            return spawn.call();
        } finally {
            Files.writeString(back.resolve("tasks"), thread);
        }
    }

    /** The processes in {@code cgroup} now; none when it is gone. */
    public static List<Long> pids(Path cgroup) {
        List<Long> pids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
                if (!line.isBlank()) pids.add(Long.parseLong(line.trim()));
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
    public static void removeEmpty(String homeTag) {
        Optional<Path> mount = pidsHierarchy();
        if (mount.isEmpty()) return;
        Path home = mount.get().resolve("sitevisor").resolve(homeTag);
        try (var instances = Files.list(home)) {
            for (Path instance : instances.filter(Files::isDirectory).toList()) removeIfEmpty(instance);
        } catch (IOException gone) {
            return;
        }
        removeIfEmpty(home);
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
            if (fields.length == 3 && List.of(fields[1].split(",")).contains(CONTROLLER)) {
                return mount.resolve(fields[2].substring(1));
            }
        }
        throw new IOException("this thread is in no cgroup of the " + CONTROLLER + " hierarchy");
    }

    @Override
    public String toString() {
        return "cgroup v1 " + CONTROLLER + " hierarchy at " + base;
    }
}
