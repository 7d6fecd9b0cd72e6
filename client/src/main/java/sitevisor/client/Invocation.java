package sitevisor.client;

import sitevisor.config.file.CommandLine;
import sitevisor.mbeans.HistoryTimes;
import sitevisor.mbeans.MaintenanceTime;

import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One command line, parsed: the command, its site, and the options it allows. Options may come
 * before or after the command, as operators type them.
 *
 * @param configFile {@code -c FILE}, when given
 * @param site       the SITE argument (or {@code all}), empty for commands without one
 * @param lines      {@code -n N} of {@code logs} and {@code history}
 * @param since      {@code --since TIME} of {@code history}
 * @param action     what {@code tasks SITE} does: {@code run}, {@code pause} or {@code resume}; empty to list the tasks
 * @param task       the NAME of {@code tasks SITE run NAME}
 * @param at         {@code --at TIME} of {@code maintenance}
 * @param force      {@code --force} of {@code stop} and {@code restart}: no drain
 */
record Invocation(String command, Optional<String> site, Optional<Path> configFile, boolean json, int lines, boolean follow,
                  Optional<String> since, Optional<String> action, Optional<String> task, Optional<String> at, boolean force) {
    static final int DEFAULT_LOG_LINES = 10;
    static final int DEFAULT_HISTORY_EVENTS = 20;

    /** What each command takes: its SITE argument, and the options beyond -c and --json. */
    private record Shape(Arity site, Set<String> options) {}

    private enum Arity { NONE, OPTIONAL, REQUIRED }

    private static final Map<String, Shape> COMMANDS = Map.ofEntries(
            Map.entry("status", new Shape(Arity.OPTIONAL, Set.of())),
            Map.entry("start", new Shape(Arity.REQUIRED, Set.of())),
            Map.entry("stop", new Shape(Arity.REQUIRED, Set.of("--force"))),
            Map.entry("restart", new Shape(Arity.REQUIRED, Set.of("--force"))),
            Map.entry("kill", new Shape(Arity.REQUIRED, Set.of())),
            Map.entry("logs", new Shape(Arity.REQUIRED, Set.of("-n", "-f"))),
            Map.entry("tasks", new Shape(Arity.REQUIRED, Set.of())),
            Map.entry("maintenance", new Shape(Arity.REQUIRED, Set.of("--at"))),
            Map.entry("reload", new Shape(Arity.NONE, Set.of())),
            Map.entry("history", new Shape(Arity.OPTIONAL, Set.of("-n", "--since"))),
            Map.entry("check", new Shape(Arity.NONE, Set.of())),
            Map.entry("run", new Shape(Arity.NONE, Set.of())));

    /** What {@code tasks SITE} does besides listing the tasks. */
    static final String TASKS_RUN = "run";
    static final String TASKS_PAUSE = "pause";
    static final String TASKS_RESUME = "resume";

    /** A command line that is not one: exit code 2, with the message and the usage. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static Invocation parse(List<String> arguments) throws UsageException {
        CommandLine.Words words;
        try {
            words = CommandLine.split(arguments);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        String command = words.command();
        List<String> positional = words.positional();
        Path configFile = words.configFile().orElse(null);
        boolean json = words.has("--json");
        Integer lines = words.value("-n").map(Integer::parseInt).orElse(null);
        boolean follow = words.has("-f");
        String since = words.value("--since").orElse(null);
        String at = words.value("--at").orElse(null);
        boolean force = words.has("--force");
        if (command == null) throw new UsageException("no command given");
        Shape shape = COMMANDS.get(command);
        if (shape == null) throw new UsageException("unknown command '" + command + "'");
        // tasks SITE [run NAME | pause | resume]: the words after SITE are its sub-command
        List<String> subCommand = command.equals("tasks") && positional.size() > 1 ? positional.subList(1, positional.size()) : List.of();
        if (!subCommand.isEmpty()) positional = positional.subList(0, 1);
        if (positional.size() > 1 || (positional.size() == 1 && shape.site() == Arity.NONE)) {
            throw new UsageException(command + " takes " + (shape.site() == Arity.NONE ? "no site" : "one site")
                    + ", got '" + String.join(" ", positional) + "'");
        }
        if (positional.isEmpty() && shape.site() == Arity.REQUIRED) {
            throw new UsageException(command + " needs a site" + (takesAll(command) ? " (or all)" : ""));
        }
        Optional<String> site = positional.stream().findFirst();
        if (site.filter("all"::equals).isPresent() && !takesAll(command)) {
            throw new UsageException(command + " acts on one site at a time" + ("kill".equals(command)
                    ? ": an emergency stop of every site is not a routine; stop all stops them gracefully" : ""));
        }
        if (lines != null && !shape.options().contains("-n")) throw new UsageException(command + " takes no -n");
        if (follow && !shape.options().contains("-f")) throw new UsageException(command + " takes no -f");
        if (since != null && !shape.options().contains("--since")) throw new UsageException(command + " takes no --since");
        if (at != null && !shape.options().contains("--at")) throw new UsageException(command + " takes no --at (maintenance SITE --at TIME does)");
        if (force && !shape.options().contains("--force")) {
            throw new UsageException(command + " takes no --force" + ("kill".equals(command)
                    ? ": kill skips the drain and the stop signal already" : " (stop and restart do: they skip the drain)"));
        }
        if (command.equals("maintenance") && at == null) {
            throw new UsageException("maintenance needs --at TIME: HH:MM[:SS] (its next occurrence) or a date-time such as 2026-12-01T03:30");
        }
        String action = null;
        String task = null;
        if (!subCommand.isEmpty()) {
            action = subCommand.get(0);
            List<String> rest = subCommand.subList(1, subCommand.size());
            switch (action) {
                case TASKS_RUN -> {
                    if (rest.isEmpty()) throw new UsageException("tasks SITE run needs the task's NAME");
                    if (rest.size() > 1) throw new UsageException("tasks SITE run takes one task, got '" + String.join(" ", rest) + "'");
                    task = rest.get(0);
                }
                case TASKS_PAUSE, TASKS_RESUME -> {
                    if (!rest.isEmpty()) throw new UsageException("tasks SITE " + action + " takes nothing more, got '" + String.join(" ", rest) + "'");
                }
                default -> throw new UsageException("unknown tasks sub-command '" + action + "' (tasks SITE, tasks SITE run NAME, "
                        + "tasks SITE pause, tasks SITE resume)");
            }
        }
        if (json && Set.of("run", "check").contains(command)) throw new UsageException(command + " takes no --json");
        // a time the daemon would refuse is a usage error, found before the daemon is asked
        try {
            if (at != null && !MaintenanceTime.parse(at, Clock.systemUTC(), ZoneId.systemDefault()).isAfter(Clock.systemUTC().instant())) {
                throw new UsageException("--at " + at + " is not in the future: a one-off window is set for a time still to come");
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException("--at " + e.getMessage());
        }
        try {
            if (since != null) HistoryTimes.sinceMillis(since, Clock.systemUTC(), ZoneId.systemDefault());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--since " + e.getMessage());
        }
        int defaultLines = command.equals("history") ? DEFAULT_HISTORY_EVENTS : DEFAULT_LOG_LINES;
        if (command.equals("history") && lines != null && (lines < 1 || lines > 10_000)) {
            throw new UsageException("-n needs 1 to 10000 events, got " + lines);
        }
        return new Invocation(command, site, Optional.ofNullable(configFile), json, lines == null ? defaultLines : lines, follow,
                Optional.ofNullable(since), Optional.ofNullable(action), Optional.ofNullable(task), Optional.ofNullable(at), force);
    }

    private static boolean takesAll(String command) {
        return Set.of("start", "stop", "restart").contains(command);
    }
}
