package sitevisor.config.file;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What the two programs behind {@code sitevisor} share of its command line: the daemon's
 * ({@code run}, {@code check}) and the client's (every other command) print the one usage, which
 * lists every command whichever of them an operator reached, and mean the same file by FILE.
 */
public final class CommandLine {
    /** Every command, its arguments and the exit codes, as {@code sitevisor --help} prints them. */
    public static final String USAGE = """
            usage: sitevisor run     [-c FILE]                 the daemon, in the foreground (it never forks itself)
                   sitevisor check   [-c FILE]                 check a config: every error names the file, site, key and why
                   sitevisor status  [SITE]                    every site's instances: state, pid, uptime, port, memory, restarts,
                                                               next maintenance
                   sitevisor start   SITE|all                  start and wait until ready
                   sitevisor stop    SITE|all [--force]        stop gracefully: drain the site's tasks, the stop signal, SIGKILL
                                                               after stopTimeout; --force skips the drain (running tasks are stopped)
                   sitevisor restart SITE|all [--force]        stop, then start once the old processes and the port are gone
                   sitevisor kill    SITE                      emergency stop: SIGKILL to all of the site's processes
                   sitevisor logs    SITE [-n N] [-f]          the last N lines (10) of the site's output; -f follows it
                   sitevisor tasks   SITE                      the site's scheduled tasks: next and last run, running now, missed
                   sitevisor tasks   SITE run NAME             run the task now (paused or not)
                   sitevisor tasks   SITE pause|resume         no task falls due until resume; running runs go on
                   sitevisor maintenance SITE --at TIME        a one-off maintenance restart (drain, stop, start) at TIME:
                                                               HH:MM[:SS] (its next occurrence) or 2026-12-01T03:30[+01:00]
                   sitevisor history [SITE] [-n N] [--since TIME]
                                                               the last N events (20), newest first: what happened, who asked;
                                                               TIME is 2h or 30m (ago), 03:00 (local), 2026-11-22 or 2026-11-22T03:00
                   sitevisor reload                            re-read the config and apply only what changed

            Every command but run and check takes --json. FILE is -c FILE, else $SITEVISOR_CONFIG,
            else ./sitevisor.yml; client commands reach the daemon that runs the same FILE.
            Exit codes: 0 done, 1 refused or failed, 2 usage, 3 the daemon cannot be reached.""";

    private CommandLine() {}

    /**
     * The config file a command means: {@code -c FILE} when given, else {@code $SITEVISOR_CONFIG},
     * else {@code ./sitevisor.yml}; absolute and normalized.
     */
    public static Path configFile(Optional<Path> given) {
        Path file = given.orElseGet(() -> {
            String fromEnvironment = System.getenv("SITEVISOR_CONFIG");
            return Path.of(fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment : "sitevisor.yml");
        });
        return file.toAbsolutePath().normalize();
    }
}
