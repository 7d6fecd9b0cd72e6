package sitevisor.config.file;

import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import sitevisor.mbeans.Durations;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One YAML mapping of the config, read key by key. Reading it reports duplicate keys, unknown
 * keys and keys planned for later versions; each typed getter reports a value of the wrong type
 * or out of range and then answers empty, so the caller goes on to find the next problem.
 */
public final class YamlMap {

    /** Which keys a mapping may have; {@code known == null} allows any key (site names, variable names). */
    public record Keys(List<String> known, Set<String> planned) {
        public static final Keys ANY = new Keys(null, Set.of());

        public static Keys of(String... known) {
            return new Keys(List.of(known), Set.of());
        }

        public Keys planning(String... planned) {
            return new Keys(known, Set.of(planned));
        }
    }

    private final String path;
    private final int line;
    private final Problems problems;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final Set<String> bad = new HashSet<>();

    private YamlMap(String path, int line, Problems problems) {
        this.path = path;
        this.line = line;
        this.problems = problems;
    }

    /**
     * Reads {@code node} as the mapping at {@code path}; a missing or empty node reads as an empty
     * mapping, anything else that is not a mapping is reported and reads as an empty mapping too.
     */
    public static YamlMap read(Node node, String path, int line, Keys keys, Problems problems) {
        YamlMap map = new YamlMap(path, line, problems);
        if (node == null || isNull(node)) return map;
        if (!(node instanceof MappingNode mapping)) {
            problems.add(path, node, "expected a mapping of keys to values, got " + describe(node));
            return map;
        }
        Map<String, List<Integer>> lines = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalar)) {
                problems.add(path, keyNode, "a key must be a plain name, got " + describe(keyNode));
                continue;
            }
            String key = scalar.getValue();
            lines.computeIfAbsent(key, k -> new ArrayList<>()).add(Problems.lineOf(keyNode));
            if (lines.get(key).size() > 1) continue;
            if (map.accept(key, keyNode, keys)) map.entries.put(key, tuple);
        }
        lines.forEach((key, at) -> {
            if (at.size() > 1) {
                problems.add(map.keyPath(key), at.get(1), "key '" + key + "' appears "
                        + (at.size() == 2 ? "twice" : at.size() + " times") + " (lines " + joinLines(at) + ")");
                map.bad.add(key);
            }
        });
        return map;
    }

    private boolean accept(String key, Node keyNode, Keys keys) {
        if (keys.known() == null || keys.known().contains(key)) return true;
        if (keys.planned().contains(key)) {
            problems.add(keyPath(key), keyNode, "not supported by this version of sitevisor yet");
        } else if (key.equals("<<")) {
            problems.add(keyPath(key), keyNode, "YAML merge keys (<<) are not supported; write the keys out");
        } else {
            problems.add(keyPath(key), keyNode, "unknown key " + Spelling.nearest(key, keys.known())
                    .map(near -> "(did you mean '" + near + "'?)")
                    .orElse("(known keys: " + String.join(", ", keys.known()) + ")"));
        }
        return false;
    }

    /** The dotted path of a key in this mapping, as {@code sites.blog.port}. */
    public String keyPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public String path() {
        return path;
    }

    /** The line this mapping starts on (or its key's line when it is empty). */
    public int line() {
        return line;
    }

    /** The keys present once and allowed, in file order. */
    public Set<String> keys() {
        return entries.keySet();
    }

    public boolean has(String key) {
        return entries.containsKey(key);
    }

    public Optional<Node> value(String key) {
        return Optional.ofNullable(entries.get(key)).map(NodeTuple::getValueNode);
    }

    public int keyLine(String key) {
        NodeTuple tuple = entries.get(key);
        return tuple == null ? line : Problems.lineOf(tuple.getKeyNode());
    }

    /** Whether a problem was reported for this key's value (or the key appeared more than once). */
    public boolean isBad(String key) {
        return bad.contains(key);
    }

    /** Marks the value of {@code key} bad when its problem was reported under a more precise path. */
    public void markBad(String key) {
        bad.add(key);
    }

    /** Reports a problem with the value of {@code key} and marks it bad. */
    public void fail(String key, String message) {
        bad.add(key);
        NodeTuple tuple = entries.get(key);
        problems.add(keyPath(key), tuple == null ? line : Problems.lineOf(tuple.getValueNode()), message);
    }

    /** Any scalar but null, as text; {@code expected} says what should be there, as "a duration such as 10s". */
    public Optional<String> text(String key, String expected) {
        Node node = value(key).orElse(null);
        if (node == null) return Optional.empty();
        if (node instanceof ScalarNode scalar && !isNull(scalar)) return Optional.of(scalar.getValue());
        fail(key, isNull(node) ? "has no value (expected " + expected + ")" : "expected " + expected + ", got " + describe(node));
        return Optional.empty();
    }

    /** A whole number within {@code min..max}. */
    public Optional<Integer> integer(String key, int min, int max) {
        Node node = value(key).orElse(null);
        if (node == null) return Optional.empty();
        String expected = "a whole number (" + min + ".." + max + ")";
        if (!(node instanceof ScalarNode scalar) || isNull(node)) {
            text(key, expected);
            return Optional.empty();
        }
        String text = scalar.getValue();
        if (!Tag.INT.equals(scalar.getTag())) {
            boolean quotedNumber = scalar.getScalarStyle() != ScalarStyle.PLAIN && text.matches("[-+]?[0-9]+");
            fail(key, quotedNumber
                    ? "expected " + expected + ", got the quoted string '" + text + "' (drop the quotes)"
                    : "expected " + expected + ", got " + describe(node));
            return Optional.empty();
        }
        BigInteger value;
        if (text.startsWith("0x")) value = new BigInteger(text.substring(2), 16);
        else if (text.startsWith("0o")) value = new BigInteger(text.substring(2), 8);
        else value = new BigInteger(text.startsWith("+") ? text.substring(1) : text);
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            fail(key, text + " is out of range (" + min + ".." + max + ")");
            return Optional.empty();
        }
        return Optional.of(value.intValue());
    }

    public Optional<Boolean> bool(String key) {
        Node node = value(key).orElse(null);
        if (node == null) return Optional.empty();
        if (node instanceof ScalarNode scalar && Tag.BOOL.equals(scalar.getTag())) {
            return Optional.of(Boolean.parseBoolean(scalar.getValue()));
        }
        if (text(key, "true or false").isPresent()) fail(key, "expected true or false, got " + describe(node));
        return Optional.empty();
    }

    /** A duration; {@code 0} only when {@code zeroAllowed}. */
    public Optional<Duration> duration(String key, boolean zeroAllowed) {
        Optional<String> text = text(key, "a duration such as 10s or 2m");
        if (text.isEmpty()) return Optional.empty();
        try {
            Duration duration = Durations.parse(text.get());
            if (duration.isZero() && !zeroAllowed) {
                fail(key, "must be longer than 0 (try 10s, 2m)");
                return Optional.empty();
            }
            return Optional.of(duration);
        } catch (IllegalArgumentException e) {
            fail(key, e.getMessage());
            return Optional.empty();
        }
    }

    /** A size in bytes, at least {@code minBytes}. */
    public Optional<Long> size(String key, long minBytes) {
        Optional<String> text = text(key, "a size such as 512MB");
        if (text.isEmpty()) return Optional.empty();
        try {
            long bytes = Sizes.parse(text.get());
            if (bytes < minBytes) {
                fail(key, "'" + text.get() + "' is too small: at least " + Sizes.format(minBytes));
                return Optional.empty();
            }
            return Optional.of(bytes);
        } catch (IllegalArgumentException e) {
            fail(key, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * A list of values written as text, each given to {@code problemWith}, which answers what is
     * wrong with it or null; each problem is reported under {@code key[i]}. Empty when absent or
     * when any element has a problem.
     */
    public Optional<List<String>> texts(String key, String expected, java.util.function.Function<String, String> problemWith) {
        Node node = value(key).orElse(null);
        if (node == null) return Optional.empty();
        if (!(node instanceof SequenceNode sequence)) {
            fail(key, isNull(node) ? "has no value (expected a list of " + expected + ")"
                    : "expected a list of " + expected + ", as [" + expected + "], got " + describe(node));
            return Optional.empty();
        }
        List<String> values = new ArrayList<>();
        List<Node> elements = sequence.getValue();
        for (int i = 0; i < elements.size(); i++) {
            Node element = elements.get(i);
            String problem = element instanceof ScalarNode scalar && !isNull(scalar)
                    ? problemWith.apply(scalar.getValue())
                    : "expected " + expected + ", got " + describe(element);
            if (problem == null) {
                values.add(((ScalarNode) element).getValue());
            } else {
                problems.add(keyPath(key) + "[" + i + "]", element, problem);
                bad.add(key);
            }
        }
        return bad.contains(key) ? Optional.empty() : Optional.of(values);
    }

    /** The mapping under {@code key}; empty when absent, or when it is no mapping (reported). */
    public Optional<YamlMap> map(String key, Keys keys) {
        Node node = value(key).orElse(null);
        if (node == null) return Optional.empty();
        if (isNull(node) || !(node instanceof MappingNode)) {
            String expected = "a mapping such as { key: value }";
            fail(key, isNull(node) ? "has no value (expected " + expected + ")" : "expected " + expected + ", got " + describe(node));
            return Optional.empty();
        }
        return Optional.of(read(node, keyPath(key), keyLine(key), keys, problems));
    }

    public static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    /** A node as a message shows it: its text when it is a scalar, else what kind of thing it is. */
    public static String describe(Node node) {
        if (node instanceof MappingNode) return "a mapping";
        if (node instanceof SequenceNode) return "a list";
        if (isNull(node)) return "nothing";
        return "'" + ((ScalarNode) node).getValue() + "'";
    }

    private static String joinLines(List<Integer> lines) {
        List<String> texts = lines.stream().map(String::valueOf).collect(Collectors.toList());
        String last = texts.remove(texts.size() - 1);
        return String.join(", ", texts) + " and " + last;
    }
}
