package sitevisor.config.file;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code home}, {@code jolokia.host} and {@code jolokia.port} from a config written in the
 * plain forms the examples use — {@code key: value}, a one-line {@code { k: v, k: v }}, or a
 * block of {@code k: v} lines — without a YAML parser, whose start-up would cost a one-request
 * client more than its request. Anything else it answers with empty, never with a guess: then
 * the YAML parser reads the file, and reports what is wrong with it.
 */
final class TopLevelReader {
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");
    // YAML 1.2's core schema reads these as null, booleans or numbers, not as text
    private static final Pattern NOT_TEXT = Pattern.compile(
            "~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?(\\.[0-9]+|[0-9][0-9]*(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)|0x[0-9a-fA-F]+|0o[0-7]+");
    private static final Set<String> SKIPPED = Set.of("sites", "jmx", "history", "maintenance");

    private TopLevelReader() {}

    /** {@code home}, {@code jolokia.host} and {@code jolokia.port} as written, when the file is in the plain forms. */
    static Optional<Map<String, String>> read(String text) {
        Map<String, String> values = new HashMap<>();
        String[] lines = text.split("\n", -1);
        int i = 0;
        while (i < lines.length) {
            String line = stripCr(lines[i]);
            if (isBlankOrComment(line)) {
                i++;
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) return Optional.empty(); // indented where no block is open
            int colon = line.indexOf(':');
            if (colon <= 0 || !KEY.matcher(line.substring(0, colon)).matches()) return Optional.empty();
            String key = line.substring(0, colon);
            String rest = withoutComment(line.substring(colon + 1));
            if (rest == null || values.containsKey(key) || values.containsKey(key + ".host") || values.containsKey(key + ".port")) {
                return Optional.empty();
            }
            // the lines of a block under this key
            int end = i + 1;
            while (end < lines.length && (isBlankOrComment(stripCr(lines[end])) || Character.isWhitespace(stripCr(lines[end]).charAt(0)))) end++;
            boolean hasBlock = false;
            for (int j = i + 1; j < end; j++) hasBlock |= !isBlankOrComment(stripCr(lines[j]));
            switch (key) {
                case "home" -> {
                    if (hasBlock) return Optional.empty();
                    Optional<String> home = scalar(rest, false);
                    if (home.isEmpty() || home.get().isEmpty()) return Optional.empty();
                    values.put("home", home.get());
                }
                case "jolokia" -> {
                    Map<String, String> jolokia = new HashMap<>();
                    if (!rest.isEmpty() && (hasBlock || !flowMap(rest, jolokia))) return Optional.empty();
                    if (rest.isEmpty() && !blockMap(lines, i + 1, end, jolokia)) return Optional.empty();
                    for (Map.Entry<String, String> entry : jolokia.entrySet()) {
                        if (!Set.of("host", "port").contains(entry.getKey())) return Optional.empty();
                        values.put("jolokia." + entry.getKey(), entry.getValue());
                    }
                    values.putIfAbsent("jolokia", "");
                }
                default -> {
                    if (!SKIPPED.contains(key)) return Optional.empty(); // unknown: the parser names it
                    values.put(key, "");
                }
            }
            i = end;
        }
        values.remove("jolokia");
        values.remove("sites");
        values.remove("jmx");
        values.remove("history");
        values.remove("maintenance");
        return Optional.of(values);
    }

    /** {@code k: v} lines of one indentation, each value a plain scalar. */
    private static boolean blockMap(String[] lines, int from, int to, Map<String, String> into) {
        int indent = -1;
        for (int j = from; j < to; j++) {
            String line = stripCr(lines[j]);
            if (isBlankOrComment(line)) continue;
            int spaces = 0;
            while (spaces < line.length() && line.charAt(spaces) == ' ') spaces++;
            if (spaces == 0 || spaces < line.length() && line.charAt(spaces) == '\t') return false;
            if (indent < 0) indent = spaces;
            if (spaces != indent) return false;
            if (!pair(stripComment(line.substring(spaces)), into)) return false;
        }
        return indent > 0;
    }

    /** {@code { k: v, k: v }} on one line. */
    private static boolean flowMap(String text, Map<String, String> into) {
        if (!text.startsWith("{") || !text.endsWith("}")) return false;
        String inside = text.substring(1, text.length() - 1).trim();
        if (inside.isEmpty()) return true;
        if (inside.contains("{") || inside.contains("}") || inside.contains("[") || inside.contains("\"") || inside.contains("'")) return false;
        for (String entry : inside.split(",", -1)) {
            if (!pair(entry.trim(), into)) return false;
        }
        return true;
    }

    private static boolean pair(String entry, Map<String, String> into) {
        int colon = entry.indexOf(": ");
        if (colon <= 0) return false;
        String key = entry.substring(0, colon);
        Optional<String> value = scalar(entry.substring(colon + 2).trim(), key.equals("port"));
        if (!KEY.matcher(key).matches() || value.isEmpty() || into.containsKey(key)) return false;
        into.put(key, value.get());
        return true;
    }

    /** A plain or simply quoted scalar that YAML reads as text (or as a port number); empty for anything else. */
    private static Optional<String> scalar(String text, boolean port) {
        if (port) return text.matches("[0-9]{1,5}") ? Optional.of(text) : Optional.empty();
        if (text.length() >= 2 && (text.startsWith("'") && text.endsWith("'") || text.startsWith("\"") && text.endsWith("\""))) {
            String inside = text.substring(1, text.length() - 1);
            return inside.contains("'") || inside.contains("\"") || inside.contains("\\") ? Optional.empty() : Optional.of(inside);
        }
        if (text.isEmpty() || "-?:,[]{}#&*!|>'\"%@`".indexOf(text.charAt(0)) >= 0 || text.contains(": ") || text.contains(" #")) {
            return Optional.empty();
        }
        return NOT_TEXT.matcher(text).matches() ? Optional.empty() : Optional.of(text);
    }

    /** The text after {@code key:} without a trailing comment, trimmed; null when what follows the colon is not a separator. */
    private static String withoutComment(String afterColon) {
        if (!afterColon.isEmpty() && afterColon.charAt(0) != ' ' && afterColon.charAt(0) != '\t') return null;
        return stripComment(afterColon);
    }

    private static String stripComment(String text) {
        int hash = text.indexOf(" #");
        return (hash >= 0 ? text.substring(0, hash) : text).trim();
    }

    private static boolean isBlankOrComment(String line) {
        String trimmed = line.trim();
        return trimmed.isEmpty() || trimmed.startsWith("#");
    }

    private static String stripCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }
}
