package sitevisor.cli;

import org.jolokia.json.JSONWriter;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Jolokia's small JSON library, and typed reads of what it parsed. */
final class Json {
    private Json() {}

    /** Maps keep their iteration order, so a LinkedHashMap prints its fields in the order they were put. */
    static String write(Object value) {
        StringWriter out = new StringWriter();
        try {
            JSONWriter.serialize(value, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        return value instanceof List<?> list ? (List<Object>) list : List.of();
    }

    static String text(Map<String, Object> map, String key) {
        Object value = map.get(key);
        return value == null ? "" : value.toString();
    }

    static long number(Map<String, Object> map, String key) {
        return map.get(key) instanceof Number number ? number.longValue() : 0;
    }

    static boolean flag(Map<String, Object> map, String key) {
        return Boolean.TRUE.equals(map.get(key));
    }
}
