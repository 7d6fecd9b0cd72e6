package sitevisor.scheduler;

import java.time.Duration;

/** Durations as messages write them: {@code 250ms}, {@code 3.2s}, {@code 5m}, {@code 1h30m}. */
final class Durations {
    private Durations() {}

    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 1000 != 0 || millis == 0) return millis + "ms";
        long seconds = millis / 1000;
        StringBuilder text = new StringBuilder();
        long hours = seconds / 3600, minutes = seconds % 3600 / 60, rest = seconds % 60;
        if (hours > 0) text.append(hours).append('h');
        if (minutes > 0) text.append(minutes).append('m');
        if (rest > 0) text.append(rest).append('s');
        return text.toString();
    }

    /** A measured time: milliseconds below a second, else seconds with one decimal. */
    static String formatMillis(long millis) {
        if (millis < 1000) return millis + " ms";
        return millis / 1000 + "." + millis % 1000 / 100 + " s";
    }
}
