package sitevisor.supervise;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.config.SiteConfig;
import sitevisor.posix.ExitStatus;
import sitevisor.posix.ProcessIdentity;
import sitevisor.posix.Spawner;
import sitevisor.scheduler.TaskProcess;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts the program of a site's task as the site's own processes are started: from its argument
 * list, in the site's directory and environment, in a process group of its own, with an empty
 * signal mask and only fds 0–2, its output appended to the site's log (instance 0's). A run is
 * over when its program has ended and nothing of its group or marker is left; what it left is
 * stopped, as after an instance's crash.
 */
final class TaskLauncher {
    private static final Logger log = LoggerFactory.getLogger(TaskLauncher.class);

    private TaskLauncher() {}

    static TaskProcess launch(SiteConfig site, String task, List<String> command, Context context) throws IOException {
        Path logFile = context.logsDir().resolve(site.name()).resolve(site.instanceName(0) + ".log");
        Child child;
        try {
            child = Child.spawn(context, site, 0, site.name() + ".task." + task, Path.of(command.get(0)), command, Map.of("SITEVISOR_TASK", task), logFile);
        } catch (Spawner.SpawnException e) {
            throw new IOException(command.get(0) + ": " + e.getMessage(), e);
        }
        context.rotator().watch(logFile, site.logs());
        long pid = child.pid();
        CompletableFuture<TaskProcess.Ended> ended = new CompletableFuture<>();
        AtomicBoolean stopping = new AtomicBoolean();
        child.whenEnded(context, () -> context.workers().execute(() -> {
            // the run is over once nothing it started is left
            terminate(child, site, context);
            ended.complete(ended(child.exit().join()));
        }));
        return new TaskProcess() {
            @Override
            public long pid() {
                return pid;
            }

            @Override
            public CompletableFuture<Ended> ended() {
                return ended;
            }

            @Override
            public void stop() {
                if (stopping.compareAndSet(false, true)) context.workers().execute(() -> terminate(child, site, context));
            }
        };
    }

    /** As {@code sitevisor tasks} shows a result: {@code exit 0}, {@code killed by SIGTERM}. */
    private static TaskProcess.Ended ended(ExitStatus status) {
        if (!status.known()) return new TaskProcess.Ended(-1, "ended, exit status unknown");
        if (status.signal() != 0) return new TaskProcess.Ended(-1, "killed by " + sitevisor.posix.Signal.describe(status.signal()));
        return new TaskProcess.Ended(status.exitCode(), "exit " + status.exitCode());
    }

    private static void terminate(Child child, SiteConfig site, Context context) {
        try {
            List<ProcessIdentity> left = new Group(child, context.watcher(), context.processes()).terminate(site.stopSignal(), site.stopTimeout());
            if (!left.isEmpty()) log.warn("survived: processes {} of a task of {} outlived SIGKILL", Group.pids(left), site.name());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
