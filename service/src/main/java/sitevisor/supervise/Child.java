package sitevisor.supervise;

import sitevisor.posix.Cgroups;
import sitevisor.posix.ExitStatus;
import sitevisor.posix.PidFd;
import sitevisor.posix.ProcessIdentity;

import sitevisor.config.SiteConfig;
import sitevisor.posix.Spawner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The main process of one instance: spawned by this daemon, followed through a pid file, or
 * adopted after a daemon restart. Its exit status is known while it is the daemon's child: spawned,
 * or left by a daemonizing program while the daemon is the subreaper.
 *
 * @param groupId the process group its spawn created; equal to its pid
 * @param marker  the value of {@link Group#MARKER_VARIABLE} in its environment, which its
 *                descendants inherit: how they are found after they leave its group
 * @param exit    completes with the status once the process has ended and was reaped
 * @param cgroup  the instance's cgroup, which holds it and everything it forks; null where none is made
 */
record Child(ProcessIdentity identity, PidFd pidFd, long groupId, String marker,
             Instant startedAt, CompletableFuture<ExitStatus> exit, Path cgroup) {

    /** A process in no cgroup of ours: a task's program, one adopted where no cgroup is made. */
    Child(ProcessIdentity identity, PidFd pidFd, long groupId, String marker, Instant startedAt,
          CompletableFuture<ExitStatus> exit) {
        this(identity, pidFd, groupId, marker, startedAt, exit, null);
    }

    long pid() {
        return identity.pid();
    }

    boolean hasExited() {
        return exit.isDone();
    }

    /**
     * Spawns a process of the site — an instance's main process or a task's program — from its
     * argument list, in the site's directory, with the daemon's environment, the instance's, a
     * fresh marker and {@code extraEnvironment}, its output appended to {@code logFile}.
     *
     * @param markerPrefix what the marker starts with; a random part makes it this spawn's own
     */
    static Child spawn(Context context, SiteConfig site, int instance, String markerPrefix, Path program, List<String> arguments,
                       Map<String, String> extraEnvironment, Path logFile) throws Spawner.SpawnException, IOException {
        return spawn(context, site, instance, markerPrefix, program, arguments, extraEnvironment, logFile, null);
    }

    /** @param cgroup where the process is born, null for none */
    static Child spawn(Context context, SiteConfig site, int instance, String markerPrefix, Path program, List<String> arguments,
                       Map<String, String> extraEnvironment, Path logFile, Path cgroup) throws Spawner.SpawnException, IOException {
        String marker = markerPrefix + "." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        Map<String, String> environment = new HashMap<>(context.baseEnvironment());
        environment.putAll(site.environmentOf(instance));
        environment.put(Group.MARKER_VARIABLE, marker);
        environment.putAll(extraEnvironment);
        Files.createDirectories(logFile.getParent());
        Instant startedAt = context.clock().instant();
        Spawner.Request request = new Spawner.Request(program, arguments, site.directory(), environment, logFile);
        long pid;
        if (context.cgroups().isEmpty()) {
            pid = Spawner.spawn(request);
        } else {
            Cgroups cgroups = context.cgroups().get();
            try {
                pid = cgroup == null ? cgroups.spawnOutside(() -> Spawner.spawn(request)) : cgroups.spawnInto(cgroup, () -> Spawner.spawn(request));
            } catch (Spawner.SpawnException | IOException | RuntimeException e) {
                throw e;
            } catch (Exception impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        context.orphans().ifPresent(reaper -> reaper.claim(pid));
        // our own child cannot be recycled before we reap it, so its identity is safe to read now
        ProcessIdentity identity = ProcessIdentity.of(pid).orElseThrow(() -> new IllegalStateException("spawned pid " + pid + " has no /proc entry"));
        return new Child(identity, PidFd.openChild(identity), pid, marker, startedAt, new CompletableFuture<>(), cgroup);
    }

    /**
     * Once the process has ended: reaps it, runs {@code after}, then completes {@link #exit}. Both
     * on the exit watcher's thread, which reports every other exit too: {@code after} must not
     * wait. It runs first so that whoever waits for {@link #exit} finds it done.
     */
    void whenEnded(Context context, Runnable after) {
        context.orphans().ifPresent(reaper -> reaper.claim(pid()));
        context.watcher().watch(pidFd).thenRun(() -> {
            // an adopted process is init's child, and then only init learns its status; one a
            // daemonizing program left is ours, reparented to the daemon as its subreaper
            ExitStatus status = reap(pid());
            context.orphans().ifPresent(reaper -> reaper.release(pid()));
            pidFd.close();
            try {
                after.run();
            } finally {
                exit.complete(status);
            }
        });
    }

    private static ExitStatus reap(long pid) {
        // the pidfd turned readable because the child ended, so it waits to be reaped already
        for (int attempt = 0; attempt < 1000; attempt++) {
            Optional<ExitStatus> status = ExitStatus.reap(pid);
            if (status.isPresent()) return status.get();
            Thread.onSpinWait();
        }
        return ExitStatus.UNKNOWN;
    }
}
