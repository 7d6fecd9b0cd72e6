package sitevisor.config;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import sitevisor.config.file.ConfigException;
import sitevisor.config.file.DaemonAddress;
import sitevisor.config.file.Endpoint;
import sitevisor.config.file.Problems;
import sitevisor.config.file.Sizes;
import sitevisor.config.file.YamlFile;
import sitevisor.config.file.YamlMap;
import sitevisor.mbeans.SiteNames;
import sitevisor.scheduler.SiteSchedule;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a sitevisor YAML file into a checked {@link Config}. Every problem in the file is
 * collected and reported together, each naming its key and line; nothing is repaired.
 */
public final class ConfigLoader {

    private static final YamlMap.Keys TOP_MAINTENANCE_KEYS = YamlMap.Keys.of("maxConcurrent");
    private static final YamlMap.Keys HISTORY_KEYS = YamlMap.Keys.of("keep", "maxRows");
    private static final YamlMap.Keys MEMORY_KEYS = YamlMap.Keys.of("emergency");
    private static final YamlMap.Keys EMERGENCY_KEYS = YamlMap.Keys.of("available", "for", "grace");
    private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*%");
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
        Node root = YamlFile.compose(absolute, YamlFile.read(absolute));
        ConfigLoader loader = new ConfigLoader(absolute, daemonEnvironment);
        Config config = loader.read(root);
        if (loader.problems.count() > 0) throw new ConfigException(loader.problems.inFileOrder());
        return config;
    }

    private Config read(Node root) {
        Optional<YamlMap> topLevel = DaemonAddress.topLevel(root, problems);
        if (topLevel.isEmpty()) return null;
        YamlMap top = topLevel.get();
        Path home = DaemonAddress.home(top, file.getParent());

        Optional<YamlMap> jolokiaMap = top.map("jolokia", DaemonAddress.JOLOKIA_KEYS);
        Endpoint jolokia = DaemonAddress.jolokia(jolokiaMap);
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

        Optional<MemoryEmergency> memoryEmergency = top.map("memory", MEMORY_KEYS)
                .flatMap(map -> map.map("emergency", EMERGENCY_KEYS)).map(ConfigLoader::memoryEmergency);

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
        return new Config(file, home, jolokia, httpAccess, jmxPort, sites, history, schedules, maintenanceMaxConcurrent, memoryEmergency);
    }

    /** {@code memory.emergency}: a floor as a share ({@code 5%}) or a size ({@code 512MB}), for how long, and the grace of each stop. */
    private static MemoryEmergency memoryEmergency(YamlMap emergency) {
        MemoryEmergency defaults = MemoryEmergency.DEFAULT;
        double percent = defaults.availablePercent();
        long bytes = 0;
        Optional<String> available = emergency.text("available", "a share of the host's memory such as 5%, or a size such as 512MB");
        if (available.isPresent()) {
            Matcher share = PERCENT.matcher(available.get().strip());
            if (share.matches()) {
                percent = Double.parseDouble(share.group(1));
                if (percent <= 0 || percent >= 100) {
                    emergency.fail("available", "'" + available.get() + "' must be more than 0% and less than 100%");
                }
            } else {
                try {
                    bytes = Sizes.parse(available.get().strip());
                    percent = 0;
                    if (bytes == 0) emergency.fail("available", "must be more than 0 (try 5% or 512MB)");
                } catch (IllegalArgumentException e) {
                    emergency.fail("available", "'" + available.get() + "' is neither a share such as 5% nor a size such as 512MB");
                }
            }
        }
        Duration over = emergency.duration("for", true).orElse(defaults.over());
        Duration grace = emergency.duration("grace", false).orElse(defaults.grace());
        return new MemoryEmergency(percent, bytes, over, grace);
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
                    // the range first: "its" after another owner's name read as that owner's instances
                    String range = claim.count() > 1
                            ? "this site's " + claim.count() + " instances take ports " + claim.first() + ".." + claim.last() + ", and "
                            : "";
                    problems.add(claim.key(), claim.line(), range + "port " + port + " is already used by " + earlier.owner());
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
}
