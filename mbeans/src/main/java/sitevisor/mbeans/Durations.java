package sitevisor.mbeans;

import java.time.Duration;

/**
 * Durations as operators write them in the config and the client's options, and as every message
 * of the daemon writes them: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d},
 * combined largest unit first as in {@code 1m30s}, or a bare {@code 0}.
 */
public final class Durations {

    private static final String HINT = " (try 10s, 2m)";
    /** Largest first: a duration names each unit at most once, in this order. */
    private static final String[] UNITS = {"d", "h", "m", "s", "ms"};
    private static final long[] UNIT_MILLIS = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};

    private Durations() {}

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException with a one-line reason naming the text, when it is not a duration
     */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) throw invalid("", "it is empty");
        if (text.equals("0")) return Duration.ZERO;
        long millis = 0;
        int lastUnit = -1;
        int i = 0;
        while (i < text.length()) {
            int digitsStart = i;
            while (i < text.length() && isDigit(text.charAt(i))) i++;
            if (i == digitsStart) {
                char c = text.charAt(i);
                if (c == '-') throw invalid(text, "a duration cannot be negative");
                if (Character.isWhitespace(c)) throw invalid(text, "no spaces inside a duration, as in 1m30s");
                throw invalid(text, "expected a number at '" + text.substring(i) + "'");
            }
            String digits = text.substring(digitsStart, i);
            if (i < text.length() && (text.charAt(i) == '.' || text.charAt(i) == ',')) {
                throw invalid(text, "whole numbers only, as in 1s500ms or 1m30s");
            }
            int unitStart = i;
            while (i < text.length() && Character.isLetter(text.charAt(i))) i++;
            String unit = text.substring(unitStart, i);
            if (unit.isEmpty()) {
                if (i == text.length()) throw invalid(text, "no unit after " + digits + ", one of ms, s, m, h, d");
                throw invalid(text, "unexpected '" + text.charAt(i) + "'");
            }
            int rank = rankOf(unit);
            if (rank < 0) throw invalid(text, "unknown unit '" + unit + "', not one of ms, s, m, h, d");
            if (rank <= lastUnit) throw invalid(text, "units go largest first, each once, as in 1h30m");
            lastUnit = rank;
            try {
                millis = Math.addExact(millis, Math.multiplyExact(Long.parseLong(digits), UNIT_MILLIS[rank]));
            } catch (NumberFormatException | ArithmeticException e) {
                throw invalid(text, "too large");
            }
        }
        return Duration.ofMillis(millis);
    }

    /** The compact form {@link #parse} reads back: {@code 1m30s}, {@code 250ms}, {@code 0}; to the millisecond, rounded down. */
    public static String format(Duration duration) {
        if (duration.isNegative()) return "-" + format(duration.negated());
        long millis = duration.toMillis();
        if (millis == 0) return "0";
        StringBuilder out = new StringBuilder();
        for (int rank = 0; rank < UNITS.length; rank++) {
            long count = millis / UNIT_MILLIS[rank];
            if (count > 0) out.append(count).append(UNITS[rank]);
            millis %= UNIT_MILLIS[rank];
        }
        return out.toString();
    }

    /** A measured time, as messages report how long something took: {@code 250 ms} below a second, else {@code 3.2 s}. */
    public static String formatElapsedMillis(long millis) {
        if (millis < 1000) return millis + " ms";
        return millis / 1000 + "." + millis % 1000 / 100 + " s";
    }

    private static int rankOf(String unit) {
        for (int rank = 0; rank < UNITS.length; rank++) {
            if (UNITS[rank].equals(unit)) return rank;
        }
        return -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException invalid(String text, String reason) {
        return new IllegalArgumentException("'" + text + "' is not a duration: " + reason + HINT);
    }
}
