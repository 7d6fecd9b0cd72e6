package sitevisor.client;

import javax.management.ObjectName;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One request to one of the daemon's MBeans — a read of an attribute or an operation with its
 * arguments — and how to read the value it answers. Made by {@link SiteCalls} and
 * {@link SupervisorCalls}, one method per method of the MXBean; sent by {@link JolokiaClient},
 * alone or with another in one HTTP request.
 *
 * @param <T> the answer's value, as the client reads the MXBean's type: text, a number, a list
 *            of texts, or rows as JSON objects whose fields the renderers print in their own order
 */
public final class Call<T> {
    private final Map<String, Object> request;
    private final String name;
    private final Function<Object, T> reader;

    private Call(Map<String, Object> request, String name, Function<Object, T> reader) {
        this.request = request;
        this.name = name;
        this.reader = reader;
    }

    /** A read of {@code attribute} (as JMX names it: {@code Instances} for {@code getInstances()}). */
    static <T> Call<T> read(ObjectName mbean, String attribute, Function<Object, T> reader) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("type", "read");
        request.put("mbean", mbean.getCanonicalName());
        request.put("attribute", attribute);
        return new Call<>(Collections.unmodifiableMap(request), attribute, reader);
    }

    /** An exec of {@code operation}; Jolokia takes the arguments in the operation's order. */
    static <T> Call<T> exec(ObjectName mbean, String operation, Function<Object, T> reader, Object... arguments) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("type", "exec");
        request.put("mbean", mbean.getCanonicalName());
        request.put("operation", operation);
        if (arguments.length > 0) request.put("arguments", List.of(arguments));
        return new Call<>(Collections.unmodifiableMap(request), operation, reader);
    }

    /** The operation's name ({@code forceRestart}) or the attribute's ({@code Instances}). */
    public String name() {
        return name;
    }

    /** The request as Jolokia's JSON protocol has it. */
    Map<String, Object> request() {
        return request;
    }

    /** What one answer of the agent (a JSON object with {@code status}, and {@code value} or {@code error}) says. */
    Answer<T> answer(Object raw) {
        Map<String, Object> answer = Json.map(raw);
        long status = Json.number(answer, "status");
        if (status == 200) return Answer.value(reader.apply(answer.get("value")));
        // Jolokia's error, without the exception's class name an operator does not need
        String error = Json.text(answer, "error");
        String type = Json.text(answer, "error_type");
        if (!type.isEmpty() && error.startsWith(type)) error = error.substring(type.length()).replaceFirst("^\\s*:\\s*", "");
        return Answer.error(error.isEmpty() ? "failed (HTTP agent status " + status + ")" : error);
    }

    // how the client reads each MXBean type from Jolokia's JSON (CallsTest holds the facade to this table)

    static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    static Long longNumber(Object value) {
        return value instanceof Number number ? number.longValue() : 0L;
    }

    static Integer intNumber(Object value) {
        return value instanceof Number number ? number.intValue() : 0;
    }

    static List<String> texts(Object value) {
        return Json.list(value).stream().map(Object::toString).toList();
    }

    static Map<String, Object> row(Object value) {
        return Json.map(value);
    }

    static List<Map<String, Object>> rows(Object value) {
        return Json.list(value).stream().map(Json::map).toList();
    }
}
