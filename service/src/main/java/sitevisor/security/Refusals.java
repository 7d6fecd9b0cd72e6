package sitevisor.security;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The log lines of a door's refusals: who was turned away and why, so an operator sees a wrong
 * password or a web page trying its luck. At most one line per kind of refusal a minute, which
 * then says how many more came, so a client that retries in a loop cannot flood the log.
 */
public final class Refusals {
    static final Duration WINDOW = Duration.ofMinutes(1);
    // a door open beyond loopback meets many addresses: past this many kinds the counts start afresh
    private static final int MAX_KINDS = 1000;

    private final Logger log;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        long startedNanos;
        int suppressed;
    }

    public Refusals(Logger log) {
        this(log, System::nanoTime);
    }

    Refusals(Logger log, LongSupplier nanoTime) {
        this.log = log;
        this.nanoTime = nanoTime;
    }

    /**
     * Logs {@code refused: <message>} unless a refusal of the same {@code kind} was logged in the
     * last minute; then it is only counted, and the next line of that kind says how many.
     * Characters outside printable ASCII are logged as {@code ?}.
     */
    public void refused(String kind, String message) {
        long now = nanoTime.getAsLong();
        if (windows.size() > MAX_KINDS) windows.clear();
        int[] suppressed = {-1};
        windows.compute(kind, (key, window) -> {
            if (window != null && now - window.startedNanos < WINDOW.toNanos()) {
                window.suppressed++;
                return window;
            }
            Window fresh = new Window();
            fresh.startedNanos = now;
            suppressed[0] = window == null ? 0 : window.suppressed;
            return fresh;
        });
        if (suppressed[0] < 0) return;
        // what a client sent never forges a line of its own
        log.warn("refused: {}{}", message.replaceAll("[^\\x20-\\x7e]", "?"),
                suppressed[0] == 0 ? "" : " (and " + suppressed[0] + " more like it since the last such line)");
    }
}
