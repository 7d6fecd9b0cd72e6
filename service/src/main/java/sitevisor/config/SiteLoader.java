package sitevisor.config;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import sitevisor.config.file.Problems;
import sitevisor.config.file.Sizes;
import sitevisor.config.file.YamlMap;
import sitevisor.mbeans.Durations;
import sitevisor.posix.Signal;
import sitevisor.scheduler.SiteSchedule;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Reads and checks the settings of one site; what concerns several sites is left to {@link ConfigLoader}. */
final class SiteLoader {

    static final YamlMap.Keys KEYS = YamlMap.Keys.of(
            "command", "directory", "environment", "port", "health", "pidFile", "instances", "autostart",
            "restart", "startTimeout", "startSeconds", "startRetries", "stopSignal", "stopTimeout",
            "restartLimit", "restartWindow", "backoff", "backoffMax", "logs", "drainTimeout", "tasks", "maintenance",
            "memory", "priority")
            .planning("socket");
    private static final YamlMap.Keys LOG_KEYS = YamlMap.Keys.of("maxSize", "backups");
    private static final YamlMap.Keys MEMORY_KEYS = YamlMap.Keys.of("warn", "restart", "for");
    /** A limit below this is a typo: no program runs in it. */
    private static final long SMALLEST_MEMORY_LIMIT_BYTES = 1024 * 1024;
    static final int DEFAULT_PRIORITY = 100;

    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final String PORT = "{port}";
    private static final String INSTANCE = "{instance}";

    static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_START_SECONDS = Duration.ofSeconds(1);
    static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_RESTART_WINDOW = Duration.ofMinutes(1);
    static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
    static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(30);

    /**
     * What was read of one site: the site itself when all of it is valid, and its ports when they
     * are known, so overlaps between sites are found even when something else in a site is wrong.
     */
    record Result(String name, int nameLine, Optional<SiteConfig> site, Optional<SiteSchedule> schedule, int port, int instances,
                  int portLine, boolean portsKnown) {}

    private final Problems problems;
    private final Path configDir;
    private final Function<String, String> daemonEnvironment;

    SiteLoader(Problems problems, Path configDir, Function<String, String> daemonEnvironment) {
        this.problems = problems;
        this.configDir = configDir;
        this.daemonEnvironment = daemonEnvironment;
    }

    Result load(String name, Node node, int nameLine) {
        if (node != null && !YamlMap.isNull(node) && !(node instanceof MappingNode)) {
            problems.add("sites." + name, node, "expected the site's settings (command:, port: ...), got " + YamlMap.describe(node));
            return new Result(name, nameLine, Optional.empty(), Optional.empty(), 0, 1, nameLine, false);
        }
        int problemsBefore = problems.count();
        YamlMap site = YamlMap.read(node, "sites." + name, nameLine, KEYS, problems);

        Optional<List<String>> command = command(site);
        Optional<Path> directory = directory(site);
        Optional<YamlMap> variables = site.map("environment", YamlMap.Keys.ANY);
        Map<String, String> environment = variables.map(SiteLoader::environment).orElse(Map.of());
        int port = site.integer("port", 0, 65535).orElse(0);
        int instances = site.integer("instances", 1, 1000).orElse(1);
        Optional<String> healthText = site.text("health", "an http:// or https:// URL");
        Optional<String> pidFileText = site.text("pidFile", "a file path such as run/blog.pid");
        boolean autostart = site.bool("autostart").orElse(true);
        RestartPolicy restart = restart(site);
        Duration startTimeout = site.duration("startTimeout", false).orElse(DEFAULT_START_TIMEOUT);
        Duration startSeconds = site.duration("startSeconds", true).orElse(DEFAULT_START_SECONDS);
        int startRetries = site.integer("startRetries", 0, 100).orElse(3);
        Signal stopSignal = stopSignal(site);
        Duration stopTimeout = site.duration("stopTimeout", false).orElse(DEFAULT_STOP_TIMEOUT);
        int restartLimit = site.integer("restartLimit", 1, 1000).orElse(5);
        Duration restartWindow = site.duration("restartWindow", false).orElse(DEFAULT_RESTART_WINDOW);
        Duration backoff = site.duration("backoff", false).orElse(DEFAULT_BACKOFF);
        Duration backoffMax = site.duration("backoffMax", false).orElse(DEFAULT_BACKOFF_MAX);
        LogPolicy logs = logs(site);
        MemoryLimits memory = memory(site);
        int priority = site.integer("priority", 0, 1000).orElse(DEFAULT_PRIORITY);

        boolean portKnown = !site.isBad("port") && !site.isBad("instances");
        if (portKnown && port > 0 && port + instances - 1 > 65535) {
            site.fail("port", "port " + port + " with " + instances + " instances would need ports up to "
                    + (port + instances - 1) + ", past 65535");
            portKnown = false;
        }
        if (!site.isBad("backoff") && !site.isBad("backoffMax") && backoffMax.compareTo(backoff) < 0) {
            if (site.has("backoffMax")) {
                site.fail("backoffMax", "must be at least backoff (" + Durations.format(backoff) + ")");
            } else {
                site.fail("backoff", Durations.format(backoff) + " is more than backoffMax ("
                        + Durations.format(backoffMax) + ", the default); set backoffMax too");
            }
        }
        String health = healthText.flatMap(text -> health(site, text, port)).orElse(null);
        Path pidFile = pidFileText.flatMap(text -> pidFile(site, text, directory.orElse(configDir))).orElse(null);
        if (portKnown) {
            checkPlaceholders(site, port, instances, command.orElse(List.of()), variables, environment, healthText, pidFileText);
        }
        Optional<Path> program = command.flatMap(words -> program(site, words.get(0), directory, environment));
        Optional<SiteSchedule> schedule = ScheduleLoader.load(site, name, portKnown ? port : 0, problems, new ScheduleLoader.Commands() {
            @Override
            public Optional<List<String>> words(YamlMap settings) {
                return command(settings);
            }

            @Override
            public Optional<Path> program(YamlMap settings, String word) {
                // a bad directory is reported already, and then no program can be found from it
                if (directory.isEmpty()) return Optional.empty();
                return SiteLoader.this.program(settings, word, directory, environment);
            }
        });

        Optional<SiteConfig> loaded = Optional.empty();
        if (problems.count() == problemsBefore) {
            loaded = Optional.of(new SiteConfig(name, command.get(), program.get(), directory.get(), environment, port,
                    health, pidFile, instances, autostart, restart, startTimeout, startSeconds, startRetries,
                    stopSignal, stopTimeout, restartLimit, restartWindow, backoff, backoffMax, logs, memory, priority));
        }
        return new Result(name, nameLine, loaded, loaded.isPresent() ? schedule : Optional.empty(), port, instances, site.keyLine("port"), portKnown);
    }

    private Optional<List<String>> command(YamlMap site) {
        Node node = site.value("command").orElse(null);
        if (node == null) {
            problems.add(site.keyPath("command"), site.line(),
                    "is required: the program to run and its arguments, as [python3, site.py]");
            return Optional.empty();
        }
        List<String> words = new ArrayList<>();
        if (node instanceof SequenceNode sequence) {
            List<Node> elements = sequence.getValue();
            for (int i = 0; i < elements.size(); i++) {
                Node element = elements.get(i);
                if (element instanceof ScalarNode scalar && !YamlMap.isNull(scalar)) {
                    words.add(scalar.getValue());
                } else {
                    problems.add(site.keyPath("command") + "[" + i + "]", element,
                            "expected a word of the command, got " + YamlMap.describe(element));
                    site.markBad("command");
                }
            }
            if (site.isBad("command")) return Optional.empty();
        } else if (node instanceof ScalarNode scalar && !YamlMap.isNull(scalar)) {
            try {
                words.addAll(ShellWords.split(scalar.getValue()));
                Optional<String> operator = ShellWords.firstOperator(scalar.getValue());
                if (operator.isPresent()) {
                    site.fail("command", "'" + operator.get() + "' is shell syntax, but the command is not run through"
                            + " a shell; if a shell is wanted, write [sh, -c, \"...\"]");
                    return Optional.empty();
                }
            } catch (IllegalArgumentException e) {
                site.fail("command", "cannot split into words: " + e.getMessage());
                return Optional.empty();
            }
        } else {
            String expected = "a list such as [python3, site.py], or one string";
            site.fail("command", YamlMap.isNull(node) ? "has no value (expected " + expected + ")"
                    : "expected " + expected + ", got " + YamlMap.describe(node));
            return Optional.empty();
        }
        if (words.isEmpty()) {
            site.fail("command", "is empty: name the program to run and its arguments");
            return Optional.empty();
        }
        if (words.get(0).isEmpty()) {
            site.fail("command", "the program's name is empty");
            return Optional.empty();
        }
        for (String word : words) {
            Matcher placeholder = PLACEHOLDER.matcher(word);
            while (placeholder.find()) {
                String found = placeholder.group();
                if (!found.equals(PORT) && !found.equals(INSTANCE)) {
                    site.fail("command", "unknown placeholder " + found + " (only {port} and {instance} are replaced)");
                }
            }
        }
        return site.isBad("command") ? Optional.empty() : Optional.of(List.copyOf(words));
    }

    private Optional<Path> directory(YamlMap site) {
        if (!site.has("directory")) return Optional.of(configDir);
        Optional<String> text = site.text("directory", "a folder path");
        if (text.isEmpty()) return Optional.empty();
        Optional<Path> directory = resolve(site, "directory", configDir, text.get());
        if (directory.isEmpty()) return Optional.empty();
        if (!Files.exists(directory.get())) {
            site.fail("directory", "'" + directory.get() + "' does not exist");
            return Optional.empty();
        }
        if (!Files.isDirectory(directory.get())) {
            site.fail("directory", "'" + directory.get() + "' is not a directory");
            return Optional.empty();
        }
        return directory;
    }

    private static Map<String, String> environment(YamlMap variables) {
        Map<String, String> environment = new LinkedHashMap<>();
        for (String name : variables.keys()) {
            if (!VARIABLE_NAME.matcher(name).matches()) {
                variables.fail(name, "variable name '" + name + "' must match [A-Za-z_][A-Za-z0-9_]*");
            }
            // Numbers and booleans are kept as written: the text is what the program sees.
            variables.text(name, "a string, number or boolean; write \"\" for an empty value")
                    .ifPresent(value -> environment.put(name, value));
        }
        return environment;
    }

    private RestartPolicy restart(YamlMap site) {
        Optional<String> text = site.text("restart", "always, on-failure or never");
        if (text.isEmpty()) return RestartPolicy.ON_FAILURE;
        for (RestartPolicy policy : RestartPolicy.values()) {
            if (policy.configName().equals(text.get())) return policy;
        }
        site.fail("restart", "'" + text.get() + "' is not a restart policy (" + Arrays.stream(RestartPolicy.values())
                .map(RestartPolicy::configName).collect(Collectors.joining(", ")) + ")");
        return RestartPolicy.ON_FAILURE;
    }

    private Signal stopSignal(YamlMap site) {
        Optional<String> text = site.text("stopSignal", "a signal name such as TERM");
        if (text.isEmpty()) return Signal.TERM;
        Optional<Signal> signal = Signal.parse(text.get());
        if (signal.isEmpty()) {
            site.fail("stopSignal", "'" + text.get() + "' is not a signal (try TERM, INT, QUIT, HUP or KILL)");
            return Signal.TERM;
        }
        if (signal.get() == Signal.STOP) {
            // SIGSTOP cannot be caught and only pauses the process: every stop would end in SIGKILL.
            site.fail("stopSignal", "SIGSTOP pauses a process instead of ending it (try TERM, INT or QUIT)");
        }
        return signal.get();
    }

    private LogPolicy logs(YamlMap site) {
        Optional<YamlMap> logs = site.map("logs", LOG_KEYS);
        if (logs.isEmpty()) return LogPolicy.DEFAULT;
        long maxSizeBytes = logs.get().size("maxSize", 1024).orElse(LogPolicy.DEFAULT.maxSizeBytes());
        int backups = logs.get().integer("backups", 0, 100).orElse(LogPolicy.DEFAULT.backups());
        return new LogPolicy(maxSizeBytes, backups);
    }

    private MemoryLimits memory(YamlMap site) {
        Optional<YamlMap> read = site.map("memory", MEMORY_KEYS);
        if (read.isEmpty()) return MemoryLimits.NONE;
        YamlMap memory = read.get();
        long warn = memory.size("warn", SMALLEST_MEMORY_LIMIT_BYTES).orElse(0L);
        long restart = memory.size("restart", SMALLEST_MEMORY_LIMIT_BYTES).orElse(0L);
        Duration over = memory.duration("for", true).orElse(MemoryLimits.DEFAULT_OVER);
        if (!memory.has("warn") && !memory.has("restart")) {
            site.fail("memory", "sets no limit: write warn:, restart: or both, as in { warn: 400MB, restart: 512MB }");
        } else if (warn > 0 && restart > 0 && warn >= restart) {
            memory.fail("warn", Sizes.format(warn) + " is not below restart (" + Sizes.format(restart)
                    + "): the warning would come with the restart or after it");
        }
        if (memory.has("for") && !memory.has("restart")) {
            memory.fail("for", "says how long the site may stay over restart:, which is not set");
        }
        return new MemoryLimits(warn, restart, over);
    }

    private Optional<String> health(YamlMap site, String text, int port) {
        // A URI cannot hold '{' or '}', so the placeholders are checked with sample numbers in their place.
        String sample = text.replace(PORT, Integer.toString(port > 0 ? port : 8001)).replace(INSTANCE, "0");
        return httpUrl(site, "health", text, sample, "http://127.0.0.1:8001/health").map(uri -> text);
    }

    /**
     * An http:// or https:// URL that names a host, or empty when {@code resolved} is not one
     * (reported under {@code key}, quoting what was {@code written}).
     *
     * @param resolved what was written with its placeholders replaced
     * @param example  a URL of the right form, for the message
     */
    static Optional<URI> httpUrl(YamlMap map, String key, String written, String resolved, String example) {
        URI uri;
        try {
            uri = new URI(resolved);
        } catch (URISyntaxException e) {
            map.fail(key, "'" + written + "' is not a URL: " + e.getReason());
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            map.fail(key, "'" + written + "' is not an http:// or https:// URL");
            return Optional.empty();
        }
        if (uri.getHost() == null) {
            map.fail(key, "'" + written + "' names no host (as in " + example + ")");
            return Optional.empty();
        }
        return Optional.of(uri);
    }

    private Optional<Path> pidFile(YamlMap site, String text, Path directory) {
        if (text.isEmpty()) {
            site.fail("pidFile", "is empty (expected a file path such as run/blog.pid)");
            return Optional.empty();
        }
        return resolve(site, "pidFile", directory, text);
    }

    private void checkPlaceholders(YamlMap site, int port, int instances, List<String> command,
                                   Optional<YamlMap> variables, Map<String, String> environment,
                                   Optional<String> health, Optional<String> pidFile) {
        boolean portInCommand = command.stream().anyMatch(word -> word.contains(PORT));
        boolean portInEnvironment = environment.values().stream().anyMatch(value -> value.contains(PORT));
        if (port == 0) {
            String why = "uses {port}, but the site has no port (set port: to the first instance's port)";
            if (portInCommand) site.fail("command", why);
            environment.forEach((name, value) -> {
                if (value.contains(PORT)) variables.orElseThrow().fail(name, why);
            });
            if (health.filter(text -> text.contains(PORT)).isPresent()) site.fail("health", why);
            if (pidFile.filter(text -> text.contains(PORT)).isPresent()) site.fail("pidFile", why);
            return;
        }
        if (instances == 1) return;
        if (!portInCommand && !portInEnvironment) {
            site.fail("instances", instances + " instances with port " + port + ", but neither command nor environment"
                    + " uses {port}: every instance would try port " + port + "; use {port} to give instance i port "
                    + port + "+i");
        }
        if (health.filter(SiteLoader::variesByInstance).isEmpty() && health.isPresent()) {
            site.fail("health", "every one of the " + instances + " instances would be checked at the same URL;"
                    + " use {port} or {instance} in it");
        }
        if (pidFile.filter(SiteLoader::variesByInstance).isEmpty() && pidFile.isPresent()) {
            site.fail("pidFile", "every one of the " + instances + " instances would write the same pid file;"
                    + " use {instance} or {port} in it");
        }
    }

    private static boolean variesByInstance(String text) {
        return text.contains(PORT) || text.contains(INSTANCE);
    }

    /** The program to run, checked the way execvp would find it, or empty when it would not be found (reported). */
    private Optional<Path> program(YamlMap site, String program, Optional<Path> directory, Map<String, String> environment) {
        if (program.contains("/")) {
            Path written;
            try {
                written = Path.of(program);
            } catch (InvalidPathException e) {
                site.fail("command", "program '" + program + "' is not a valid path: " + e.getReason());
                return Optional.empty();
            }
            // A relative program is found from the site's directory; a bad directory is reported already.
            if (!written.isAbsolute() && directory.isEmpty()) return Optional.empty();
            Path path = written.isAbsolute() ? written.normalize() : directory.get().resolve(written).normalize();
            if (!Files.exists(path)) {
                site.fail("command", "program '" + path + "' not found");
            } else if (!Files.isRegularFile(path)) {
                site.fail("command", "program '" + path + "' is not a file");
            } else if (!Files.isExecutable(path)) {
                site.fail("command", "program '" + path + "' is not executable (chmod +x it)");
            } else {
                return Optional.of(path);
            }
            return Optional.empty();
        }
        boolean ownPath = environment.containsKey("PATH");
        String searchPath = ownPath ? environment.get("PATH") : daemonEnvironment.apply("PATH");
        String pathName = ownPath ? "the site's PATH" : "PATH";
        Path notExecutable = null;
        for (String entry : (searchPath == null ? "" : searchPath).split(":")) {
            if (entry.isEmpty()) continue;
            Path folder;
            try {
                folder = Path.of(entry);
                if (!folder.isAbsolute()) {
                    if (directory.isEmpty()) continue;
                    folder = directory.get().resolve(folder);
                }
                Path candidate = folder.resolve(program).normalize();
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return Optional.of(candidate);
                if (Files.isRegularFile(candidate) && notExecutable == null) notExecutable = candidate;
            } catch (InvalidPathException e) {
                // An entry that is no path holds no program, as for execvp.
            }
        }
        if (notExecutable != null) {
            site.fail("command", "program '" + program + "' on " + pathName + " is '" + notExecutable
                    + "', which is not executable (chmod +x it)");
        } else if (searchPath == null || searchPath.isEmpty()) {
            site.fail("command", "program '" + program + "' not found: " + pathName + " is empty; write the program's full path");
        } else {
            site.fail("command", "program '" + program + "' not found on " + pathName + " (" + searchPath + ")");
        }
        return Optional.empty();
    }

    private Optional<Path> resolve(YamlMap site, String key, Path base, String text) {
        try {
            return Optional.of(base.resolve(text).normalize());
        } catch (InvalidPathException e) {
            site.fail(key, "'" + text + "' is not a valid path: " + e.getReason());
            return Optional.empty();
        }
    }
}
