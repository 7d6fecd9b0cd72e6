package sitevisor.supervise;

import sitevisor.logs.LogRotator;
import sitevisor.posix.Cgroups;
import sitevisor.posix.OrphanReaper;
import sitevisor.posix.ProcessTable;
import sitevisor.posix.ExitWatcher;
import sitevisor.scheduler.TaskGate;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every instance shares: the exit watcher, the threads, where files go, and who hears of
 * events.
 *
 * @param timers          for delays only (back-off); never blocks
 * @param workers         runs operations that wait: crash handling, retries
 * @param baseEnvironment the environment every site starts from, before its own entries
 * @param tasks           the sites' scheduled tasks, drained before a graceful stop
 * @param orphans         where the daemon is its children's subreaper: told of the processes it reaps itself
 */
record Context(
        ExitWatcher watcher,
        ScheduledExecutorService timers,
        ExecutorService workers,
        EventListener events,
        Clock clock,
        Path runDir,
        Path logsDir,
        LogRotator rotator,
        Map<String, String> baseEnvironment,
        ProcessTable processes,
        TaskGate tasks,
        Optional<Cgroups> cgroups,
        Optional<OrphanReaper> orphans) {
}
