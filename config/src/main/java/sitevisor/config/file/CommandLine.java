package sitevisor.config.file;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** The options that take a value, and what the value is, for the message when it is missing. */
    private static final Map<String, String> VALUES = Map.of(
            "-n", "a number of lines", "--since", "a time (2h, 03:00, 2026-11-22)",
            "--at", "a time (HH:MM[:SS] or a date-time such as 2026-12-01T03:30)");
    /** Each option's other spellings, by the name it is known by. */
    private static final Map<String, String> CANONICAL = Map.of("--lines", "-n", "--follow", "-f");
    private static final List<String> FLAGS = List.of("--json", "--force", "-f");

    private CommandLine() {}

    /**
     * A command line split into its words, as both programs read it: options may come before or
     * after the command, and each is known by one name whichever way it was written.
     *
     * @param command    the first word that is not an option or an option's value, null when none is
     * @param positional the words after the command
     * @param configFile {@code -c FILE}, when given
     * @param options    every other option given, by its name ({@code -n}, {@code -f}, {@code --since},
     *                   {@code --at}, {@code --json}, {@code --force}), with its value ("" for a flag), in order
     */
    public record Words(String command, List<String> positional, Optional<Path> configFile, Map<String, String> options) {
        public boolean has(String option) {
            return options.containsKey(option);
        }

        public Optional<String> value(String option) {
            return Optional.ofNullable(options.get(option));
        }
    }

    /**
     * Splits the arguments into their words, checking only what every command agrees on: each option
     * is known, has its value, and {@code -n} is a count.
     *
     * @throws IllegalArgumentException with what is wrong, as a usage error says it
     */
    public static Words split(List<String> arguments) {
        String command = null;
        List<String> positional = new ArrayList<>();
        Path configFile = null;
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            String option = CANONICAL.getOrDefault(argument, argument);
            if (option.equals("-c") || option.equals("--config")) {
                configFile = Path.of(valueOf(arguments, ++i, argument, "a config file"));
            } else if (VALUES.containsKey(option)) {
                options.put(option, checked(option, argument, valueOf(arguments, ++i, argument, VALUES.get(option))));
            } else if (FLAGS.contains(option)) {
                options.put(option, "");
            } else if (argument.startsWith("--since=") || argument.startsWith("--at=") || argument.startsWith("--config=")) {
                String name = argument.substring(0, argument.indexOf('='));
                String value = nonEmpty(argument.substring(name.length() + 1), name);
                if (name.equals("--config")) configFile = Path.of(value);
                else options.put(name, value);
            } else if (argument.startsWith("-n") && argument.length() > 2 && Character.isDigit(argument.charAt(2))) {
                options.put("-n", checked("-n", "-n", argument.substring(2)));
            } else if (argument.startsWith("-") && argument.length() > 1) {
                throw new IllegalArgumentException("unknown option '" + argument + "'");
            } else if (command == null) {
                command = argument;
            } else {
                positional.add(argument);
            }
        }
        return new Words(command, List.copyOf(positional), Optional.ofNullable(configFile), options);
    }

    private static String valueOf(List<String> arguments, int index, String option, String what) {
        if (index >= arguments.size()) throw new IllegalArgumentException(option + " needs " + what);
        return nonEmpty(arguments.get(index), option);
    }

    private static String nonEmpty(String value, String option) {
        if (value.isEmpty()) throw new IllegalArgumentException(option + " needs a value");
        return value;
    }

    /** {@code -n} is a count of 0 or more, named as it was written. */
    private static String checked(String option, String written, String value) {
        if (!option.equals("-n")) return value;
        try {
            if (Integer.parseInt(value) >= 0) return value;
        } catch (NumberFormatException e) {
            // reported below, with the option's name
        }
        throw new IllegalArgumentException(written + " needs a number of lines (0 or more), got '" + value + "'");
    }

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
