package sitevisor.config.file;

import java.util.Locale;
import java.util.Map;

/**
 * Sizes as operators write them in the config: {@code 100B}, {@code 64KB}, {@code 512MB},
 * {@code 1GB}, or a bare number of bytes. KB, MB and GB count in 1024s, as KiB, MiB and GiB
 * (also accepted) do; units are read in any case.
 */
public final class Sizes {

    private static final long KIB = 1024;
    private static final Map<String, Long> UNITS = Map.of(
            "", 1L, "b", 1L,
            "kb", KIB, "kib", KIB,
            "mb", KIB * KIB, "mib", KIB * KIB,
            "gb", KIB * KIB * KIB, "gib", KIB * KIB * KIB);

    private Sizes() {}

    /**
     * Parses a size into bytes.
     *
     * @throws IllegalArgumentException with a one-line reason naming the text, when it is not a size
     */
    public static long parse(String text) {
        if (text == null || text.isBlank()) throw invalid(text == null ? "" : text, "it is empty");
        int i = 0;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') i++;
        if (i == 0) {
            if (text.charAt(0) == '-') throw invalid(text, "a size cannot be negative");
            throw invalid(text, "expected a number first");
        }
        if (i < text.length() && (text.charAt(i) == '.' || text.charAt(i) == ',')) {
            throw invalid(text, "whole numbers only, as in 1536MB");
        }
        String unit = text.substring(i).strip();
        Long multiplier = UNITS.get(unit.toLowerCase(Locale.ROOT));
        if (multiplier == null) throw invalid(text, "unknown unit '" + unit + "', not one of B, KB, MB, GB");
        try {
            return Math.multiplyExact(Long.parseLong(text.substring(0, i)), multiplier);
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(text, "too large");
        }
    }

    /** The largest unit that states the size exactly: {@code 50MB}, {@code 64KB}, {@code 1500B}. */
    public static String format(long bytes) {
        if (bytes != 0 && bytes % (KIB * KIB * KIB) == 0) return bytes / (KIB * KIB * KIB) + "GB";
        if (bytes != 0 && bytes % (KIB * KIB) == 0) return bytes / (KIB * KIB) + "MB";
        if (bytes != 0 && bytes % KIB == 0) return bytes / KIB + "KB";
        return bytes + "B";
    }

    private static IllegalArgumentException invalid(String text, String reason) {
        return new IllegalArgumentException("'" + text + "' is not a size: " + reason + " (try 512MB, 1GB)");
    }
}
