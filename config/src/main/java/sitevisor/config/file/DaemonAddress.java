package sitevisor.config.file;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a client needs to reach the daemon of a config file: where the daemon keeps its files and
 * where its HTTP agent listens. Read from the top level alone, so a mistake inside a site's
 * settings never keeps an operator from the running daemon. The daemon reads {@code home} and
 * {@code jolokia} through {@link #home} and {@link #jolokia} too, so the two never disagree.
 *
 * @param file    the config file, absolute
 * @param home    the daemon's folder: {@code run/}, {@code logs/}, {@code db/} and the credentials
 * @param jolokia where the HTTP agent listens, as the file says
 */
public record DaemonAddress(Path file, Path home, Endpoint jolokia) {
    /** Where the HTTP agent listens when the file does not say. */
    public static final Endpoint DEFAULT_JOLOKIA = new Endpoint("127.0.0.1", 8778);
    /** The keys of the file's top level; any other is reported, never skipped, as a misspelt {@code jolokai} would be. */
    public static final YamlMap.Keys TOP_KEYS = YamlMap.Keys.of("home", "jolokia", "jmx", "history", "maintenance", "memory", "sites");
    /** The keys under {@code jolokia}. */
    public static final YamlMap.Keys JOLOKIA_KEYS = YamlMap.Keys.of("host", "port", "origins", "allowedHosts");

    /** {@code user:password} of the HTTP agent (and remote JMX), which the daemon writes on its first start. */
    public Path credentialsFile() {
        return home.resolve("credentials");
    }

    /** The sites' output, one folder per site. */
    public Path logsDir() {
        return home.resolve("logs");
    }

    /**
     * Reads the address of the daemon of {@code file}. Checks the top level and nothing inside a
     * site.
     *
     * @throws ConfigException when the file cannot be read, or its top level, home or jolokia is invalid
     */
    public static DaemonAddress read(Path file) throws ConfigException {
        Path absolute = file.toAbsolutePath().normalize();
        String text = YamlFile.read(absolute);
        // a client runs for one request: a YAML parser's start-up would cost it more than the
        // request, so the plain forms are read without one; anything else goes to the parser
        Optional<DaemonAddress> plain = TopLevelReader.read(text).map(values -> plainAddress(absolute, values));
        return plain.isPresent() ? plain.get() : parse(absolute, text);
    }

    /** The address from plainly written values, or null when one of them is not valid: then the parser reports it. */
    private static DaemonAddress plainAddress(Path file, Map<String, String> values) {
        Path home;
        try {
            home = file.getParent().resolve(values.getOrDefault("home", "var")).normalize();
        } catch (InvalidPathException e) {
            return null;
        }
        String host = values.getOrDefault("jolokia.host", DEFAULT_JOLOKIA.host());
        if (!isHostName(host)) return null;
        int port = Integer.parseInt(values.getOrDefault("jolokia.port", Integer.toString(DEFAULT_JOLOKIA.port())));
        if (port < 1 || port > 65535) return null;
        return new DaemonAddress(file, home, new Endpoint(host, port));
    }

    /** The address as the YAML parser reads it, naming every mistake of the top level, home and jolokia. */
    static DaemonAddress parse(Path absolute, String text) throws ConfigException {
        Node root = YamlFile.compose(absolute, text);
        Problems problems = new Problems(absolute);
        Optional<YamlMap> top = topLevel(root, problems);
        if (top.isEmpty()) throw new ConfigException(problems.inFileOrder());
        Path home = home(top.get(), absolute.getParent());
        Endpoint jolokia = jolokia(top.get().map("jolokia", JOLOKIA_KEYS));
        if (problems.count() > 0) throw new ConfigException(problems.inFileOrder());
        return new DaemonAddress(absolute, home, jolokia);
    }

    /**
     * The names under {@code sites:}, in the file's order, without checking their settings: for
     * the message a mistyped site name gets when the daemon cannot be asked.
     */
    public static List<String> siteNames(Path file) throws ConfigException {
        Path absolute = file.toAbsolutePath().normalize();
        Node root = YamlFile.compose(absolute, YamlFile.read(absolute));
        Problems problems = new Problems(absolute);
        if (!(root instanceof MappingNode)) return List.of();
        YamlMap top = YamlMap.read(root, "", 1, YamlMap.Keys.ANY, problems);
        Node sitesNode = top.value("sites").orElse(null);
        if (!(sitesNode instanceof MappingNode)) return List.of();
        return List.copyOf(YamlMap.read(sitesNode, "sites", top.keyLine("sites"), YamlMap.Keys.ANY, problems).keys());
    }

    /**
     * The file's top level, its keys checked against {@link #TOP_KEYS}; empty, with the problem
     * reported, when the document is something other than a mapping. An empty file reads as an
     * empty mapping.
     */
    public static Optional<YamlMap> topLevel(Node root, Problems problems) {
        if (root != null && !YamlMap.isNull(root) && !(root instanceof MappingNode)) {
            problems.add("", root, "expected a mapping with home, jolokia, jmx, history and sites, got " + YamlMap.describe(root));
            return Optional.empty();
        }
        return Optional.of(YamlMap.read(root, "", 1, TOP_KEYS, problems));
    }

    /**
     * {@code home}, resolved against {@code folder} (the config file's), {@code var} when not
     * written; null when it is invalid (reported).
     */
    public static Path home(YamlMap top, Path folder) {
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

    /** {@code jolokia.host} and {@code jolokia.port}, each its default when not written (or invalid, which is reported). */
    public static Endpoint jolokia(Optional<YamlMap> jolokia) {
        return new Endpoint(jolokia.flatMap(DaemonAddress::host).orElse(DEFAULT_JOLOKIA.host()),
                jolokia.flatMap(map -> map.integer("port", 1, 65535)).orElse(DEFAULT_JOLOKIA.port()));
    }

    private static Optional<String> host(YamlMap jolokia) {
        Optional<String> host = jolokia.text("host", "a host name or address such as 127.0.0.1");
        if (host.isPresent() && !isHostName(host.get())) {
            jolokia.fail("host", "'" + host.get() + "' is not a host name or address (as in 127.0.0.1 or localhost)");
            return Optional.empty();
        }
        return host;
    }

    /** Not blank, no slash, no whitespace: what a host name or address can be. */
    private static boolean isHostName(String host) {
        return !host.isBlank() && !host.contains("/") && !host.matches(".*\\s.*");
    }
}
