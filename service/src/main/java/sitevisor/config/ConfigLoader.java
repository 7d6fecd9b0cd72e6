package sitevisor.config;

import sitevisor.mbeans.SiteNames;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import sitevisor.scheduler.SiteSchedule;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads a sitevisor YAML file into a checked {@link Config}. Every problem in the file is
 * collected and reported together, each naming its key and line; nothing is repaired.
 */
public final class ConfigLoader {

    private static final YamlMap.Keys TOP_KEYS = YamlMap.Keys.of("home", "jolokia", "jmx", "history", "maintenance", "sites");
    private static final YamlMap.Keys TOP_MAINTENANCE_KEYS = YamlMap.Keys.of("maxConcurrent");
    private static final YamlMap.Keys HISTORY_KEYS = YamlMap.Keys.of("keep", "maxRows");
    private static final YamlMap.Keys JOLOKIA_KEYS = YamlMap.Keys.of("host", "port", "origins", "allowedHosts");
    private static final YamlMap.Keys JMX_KEYS = YamlMap.Keys.of("port");

    private final Path file;
    private final Problems problems;
    private final SiteLoader siteLoader;

    private ConfigLoader(Path file, Function<String, String> daemonEnvironment) {
        this.file = file;
        this.problems = new Problems(file);
        this.siteLoader = new SiteLoader(problems, file.getParent(), daemonEnvironment);
    }

    /**
     * Reads and checks {@code file}, finding programs on the daemon's own {@code PATH}.
     *
     * @throws ConfigException with every problem found, when the file cannot be read or any of it is invalid
     */
    public static Config load(Path file) throws ConfigException {
        return load(file, System::getenv);
    }

    /**
     * Reads and checks {@code file}; {@code daemonEnvironment} answers for the daemon's environment
     * variables (only {@code PATH} is asked, to find programs named without a {@code /}).
     *
     * @throws ConfigException with every problem found, when the file cannot be read or any of it is invalid
     */
    public static Config load(Path file, Function<String, String> daemonEnvironment) throws ConfigException {
        Path absolute = file.toAbsolutePath().normalize();
        Node root = compose(absolute, readText(absolute));
        ConfigLoader loader = new ConfigLoader(absolute, daemonEnvironment);
        Config config = loader.read(root);
        if (loader.problems.count() > 0) throw new ConfigException(loader.problems.inFileOrder());
        return config;
    }

    /**
     * Where the daemon of {@code file} keeps its files and listens: what a client needs to reach
     * it. Checks the top level and nothing inside a site, so a mistake in a site's settings never
     * keeps an operator from the running daemon.
     *
     * @throws ConfigException when the file cannot be read, or its home or jolokia is invalid
     */
    public static Config.Address address(Path file) throws ConfigException {
        Path absolute = file.toAbsolutePath().normalize();
        String text = readText(absolute);
        // a client runs for one request: a YAML parser's start-up would cost it more than the
        // request, so the plain forms are read without one; anything else goes to the parser
        Optional<Config.Address> plain = TopLevelReader.read(text).map(values -> plainAddress(absolute, values));
        return plain.isPresent() ? plain.get() : address(absolute, text);
    }

    /** The address from plainly written values, or null when one of them is not valid: then the parser reports it. */
    private static Config.Address plainAddress(Path file, Map<String, String> values) {
        Path home;
        try {
            home = file.getParent().resolve(values.getOrDefault("home", "var")).normalize();
        } catch (InvalidPathException e) {
            return null;
        }
        String host = values.getOrDefault("jolokia.host", Config.DEFAULT_JOLOKIA.host());
        if (!isHostName(host)) return null;
        int port = Integer.parseInt(values.getOrDefault("jolokia.port", Integer.toString(Config.DEFAULT_JOLOKIA.port())));
        if (port < 1 || port > 65535) return null;
        return new Config.Address(file, home, new Config.Endpoint(host, port));
    }

    static Config.Address address(Path absolute, String text) throws ConfigException {
        Node root = compose(absolute, text);
        ConfigLoader loader = new ConfigLoader(absolute, System::getenv);
        if (root != null && !YamlMap.isNull(root) && !(root instanceof MappingNode)) {
            loader.problems.add("", root, "expected a mapping with home, jolokia, jmx, history and sites, got " + YamlMap.describe(root));
            throw new ConfigException(loader.problems.inFileOrder());
        }
        YamlMap top = YamlMap.read(root, "", 1, TOP_KEYS, loader.problems);
        Path home = loader.home(top);
        Config.Endpoint jolokia = loader.jolokia(top.map("jolokia", JOLOKIA_KEYS));
        if (loader.problems.count() > 0) throw new ConfigException(loader.problems.inFileOrder());
        return new Config.Address(absolute, home, jolokia);
    }

    /**
     * The names under {@code sites:}, in the file's order, without checking their settings: for
     * the message a mistyped site name gets when the daemon cannot be asked.
     */
    public static List<String> siteNames(Path file) throws ConfigException {
        Path absolute = file.toAbsolutePath().normalize();
        Node root = compose(absolute, readText(absolute));
        ConfigLoader loader = new ConfigLoader(absolute, System::getenv);
        if (!(root instanceof MappingNode)) return List.of();
        YamlMap top = YamlMap.read(root, "", 1, YamlMap.Keys.ANY, loader.problems);
        Node sitesNode = top.value("sites").orElse(null);
        if (!(sitesNode instanceof MappingNode)) return List.of();
        return List.copyOf(YamlMap.read(sitesNode, "sites", top.keyLine("sites"), YamlMap.Keys.ANY, loader.problems).keys());
    }

    private static String readText(Path absolute) throws ConfigException {
        try {
            return Files.readString(absolute);
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigProblem(absolute, 0, "", "cannot read: " + reason(e))));
        }
    }

    private static Node compose(Path file, String text) throws ConfigException {
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).setSchema(new CoreSchema()).build();
            return new Compose(settings).composeString(text).orElse(null);
        } catch (YamlEngineException e) {
            throw new ConfigException(List.of(syntaxProblem(file, e)));
        }
    }

    private Config read(Node root) {
        if (root != null && !YamlMap.isNull(root) && !(root instanceof MappingNode)) {
            problems.add("", root, "expected a mapping with home, jolokia, jmx, history and sites, got " + YamlMap.describe(root));
            return null;
        }
        YamlMap top = YamlMap.read(root, "", 1, TOP_KEYS, problems);
        Path home = home(top);

        Optional<YamlMap> jolokiaMap = top.map("jolokia", JOLOKIA_KEYS);
        Config.Endpoint jolokia = jolokia(jolokiaMap);
        Config.HttpAccess httpAccess = jolokiaMap.map(this::httpAccess).orElse(Config.HttpAccess.NONE);
        Optional<YamlMap> jmxMap = top.map("jmx", JMX_KEYS);
        int jmxPort = jmxMap.flatMap(map -> map.integer("port", 0, 65535)).orElse(0);
        Optional<YamlMap> historyMap = top.map("history", HISTORY_KEYS);
        Config.HistoryPolicy history = new Config.HistoryPolicy(
                historyMap.flatMap(map -> map.duration("keep", false)).orElse(Config.HistoryPolicy.DEFAULT.keep()),
                historyMap.flatMap(map -> map.integer("maxRows", 1000, Integer.MAX_VALUE)).map(Integer::longValue)
                        .orElse(Config.HistoryPolicy.DEFAULT.maxRows()));

        int maintenanceMaxConcurrent = top.map("maintenance", TOP_MAINTENANCE_KEYS)
                .flatMap(map -> map.integer("maxConcurrent", 1, 1000)).orElse(1);

        List<PortClaim> claims = new ArrayList<>();
        if (jolokiaMap.map(map -> !map.isBad("port")).orElse(!top.isBad("jolokia"))) {
            boolean written = jolokiaMap.map(map -> map.has("port")).orElse(false);
            claims.add(new PortClaim("jolokia.port" + (written ? "" : " (the default)"), "jolokia.port",
                    jolokiaMap.map(map -> map.keyLine("port")).orElse(0), jolokia.port(), 1));
        }
        if (jmxPort != 0) {
            claims.add(new PortClaim("jmx.port", "jmx.port", jmxMap.orElseThrow().keyLine("port"), jmxPort, 1));
        }

        Map<String, SiteConfig> sites = new LinkedHashMap<>();
        Map<String, SiteSchedule> schedules = new LinkedHashMap<>();
        List<SiteLoader.Result> results = sites(top);
        for (SiteLoader.Result result : results) {
            result.site().ifPresent(site -> sites.put(site.name(), site));
            result.schedule().ifPresent(schedule -> schedules.put(schedule.site(), schedule));
            if (result.portsKnown() && result.port() > 0) {
                claims.add(new PortClaim("site '" + result.name() + "'", "sites." + result.name() + ".port",
                        result.portLine(), result.port(), result.instances()));
            }
        }
        checkPortOverlaps(claims);
        checkPidFileNames(results);
        if (problems.count() > 0) return null;
        return new Config(file, home, jolokia, httpAccess, jmxPort, sites, history, schedules, maintenanceMaxConcurrent);
    }

    private Path home(YamlMap top) {
        Path folder = file.getParent();
        Optional<String> text = top.text("home", "a folder path such as var");
        if (text.isEmpty()) return folder.resolve("var");
        if (text.get().isEmpty()) {
            top.fail("home", "is empty (expected a folder path such as var)");
            return null;
        }
        try {
            return folder.resolve(text.get()).normalize();
        } catch (InvalidPathException e) {
            top.fail("home", "'" + text.get() + "' is not a valid path: " + e.getReason());
            return null;
        }
    }

    /** Not blank, no slash, no whitespace: what a host name or address can be. */
    private static boolean isHostName(String host) {
        return !host.isBlank() && !host.contains("/") && !host.matches(".*\\s.*");
    }

    /** jolokia.host and jolokia.port, each its default when not written. */
    private Config.Endpoint jolokia(Optional<YamlMap> jolokiaMap) {
        return new Config.Endpoint(jolokiaMap.flatMap(this::host).orElse(Config.DEFAULT_JOLOKIA.host()),
                jolokiaMap.flatMap(map -> map.integer("port", 1, 65535)).orElse(Config.DEFAULT_JOLOKIA.port()));
    }

    /** jolokia.origins and jolokia.allowedHosts: none unless listed. */
    private Config.HttpAccess httpAccess(YamlMap jolokia) {
        List<String> origins = jolokia.texts("origins", "origins such as http://localhost:8080", text -> {
            try {
                Origins.canonical(text);
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }).orElse(List.of());
        List<String> allowedHosts = jolokia.texts("allowedHosts", "host names such as sitevisor.example.org",
                text -> Origins.isHost(text) ? null : "'" + text + "' is not a host name (write the name alone, without scheme or port)")
                .orElse(List.of());
        return new Config.HttpAccess(origins.stream().map(Origins::canonical).distinct().toList(), allowedHosts);
    }

    private Optional<String> host(YamlMap jolokia) {
        Optional<String> host = jolokia.text("host", "a host name or address such as 127.0.0.1");
        if (host.isPresent() && !isHostName(host.get())) {
            jolokia.fail("host", "'" + host.get() + "' is not a host name or address (as in 127.0.0.1 or localhost)");
            return Optional.empty();
        }
        return host;
    }

    private List<SiteLoader.Result> sites(YamlMap top) {
        List<SiteLoader.Result> results = new ArrayList<>();
        Node sitesNode = top.value("sites").orElse(null);
        if (sitesNode == null || YamlMap.isNull(sitesNode)) return results;
        if (!(sitesNode instanceof MappingNode)) {
            top.fail("sites", "expected a mapping of site names to their settings, got " + YamlMap.describe(sitesNode));
            return results;
        }
        YamlMap sites = YamlMap.read(sitesNode, "sites", top.keyLine("sites"), YamlMap.Keys.ANY, problems);
        Map<String, String> byLowerCase = new HashMap<>();
        // A repeated name is reported by YamlMap.read, and its first occurrence is still checked.
        for (String name : sites.keys()) {
            int line = sites.keyLine(name);
            checkName(name, line, byLowerCase);
            results.add(siteLoader.load(name, sites.value(name).orElseThrow(), line));
        }
        return results;
    }

    private void checkName(String name, int line, Map<String, String> byLowerCase) {
        String key = "sites." + name;
        if (!SiteNames.isValid(name)) {
            String lower = name.toLowerCase(Locale.ROOT);
            problems.add(key, line, "site name '" + name + "' must match " + SiteNames.RULE + " (it becomes a JMX name"
                    + " and file names)" + (SiteNames.isValid(lower) ? "; try '" + lower + "'" : ""));
        }
        if (name.equals("all")) {
            problems.add(key, line, "'all' cannot name a site: sitevisor start|stop|restart all means every site");
        }
        String earlier = byLowerCase.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
        if (earlier != null && !earlier.equals(name)) {
            problems.add(key, line, "site names '" + earlier + "' and '" + name + "' differ only in case; rename one");
        }
    }

    /** A port range someone takes: a site's instances take port..port+count-1. */
    private record PortClaim(String owner, String key, int line, int first, int count) {
        int last() {
            return first + count - 1;
        }
    }

    private void checkPortOverlaps(List<PortClaim> claims) {
        for (int i = 1; i < claims.size(); i++) {
            PortClaim claim = claims.get(i);
            for (int j = 0; j < i; j++) {
                PortClaim earlier = claims.get(j);
                if (claim.first() <= earlier.last() && earlier.first() <= claim.last()) {
                    int port = Math.max(claim.first(), earlier.first());
                    String range = claim.count() > 1
                            ? " (its " + claim.count() + " instances take ports " + claim.first() + ".." + claim.last() + ")"
                            : "";
                    problems.add(claim.key(), claim.line(), "port " + port + " is already used by " + earlier.owner() + range);
                    break;
                }
            }
        }
    }

    /** run/blog-2.pid is both instance 2 of 'blog' and the only instance of a site named 'blog-2'. */
    private void checkPidFileNames(List<SiteLoader.Result> results) {
        Map<String, String> owners = new HashMap<>();
        for (SiteLoader.Result result : results) {
            if (result.site().isEmpty()) continue;
            SiteConfig site = result.site().get();
            for (int i = 0; i < site.instances(); i++) {
                String fileName = site.instanceName(i);
                String owner = site.instances() == 1 ? "site '" + site.name() + "'" : "instance " + i + " of site '" + site.name() + "'";
                String earlier = owners.putIfAbsent(fileName, owner);
                if (earlier != null) {
                    problems.add("sites." + site.name(), result.nameLine(), owner + " and " + earlier
                            + " would both keep run/" + fileName + ".pid; rename the site");
                    break;
                }
            }
        }
    }

    private static ConfigProblem syntaxProblem(Path file, YamlEngineException e) {
        if (!(e instanceof MarkedYamlEngineException marked)) {
            return new ConfigProblem(file, 0, "", "not valid YAML: " + e.getMessage());
        }
        Optional<Mark> mark = marked.getProblemMark().or(marked::getContextMark);
        String context = marked.getContext() == null ? "" : " (" + marked.getContext()
                + marked.getContextMark().map(m -> " from line " + (m.getLine() + 1)).orElse("") + ")";
        return new ConfigProblem(file, mark.map(m -> m.getLine() + 1).orElse(0), "",
                "not valid YAML: " + marked.getProblem() + context);
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "No such file or directory";
        if (e instanceof AccessDeniedException) return "Permission denied";
        if (e instanceof CharacterCodingException) return "not UTF-8 text";
        if (e instanceof FileSystemException fs && fs.getReason() != null) return fs.getReason();
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
