package sitevisor.config.file;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Finds the known word an operator probably meant. */
final class Spelling {

    private Spelling() {}

    /**
     * The closest of {@code known} to {@code typed}: equal but for case, within two edits, or one
     * a prefix of the other; the first of equally close ones; empty when none is close.
     */
    static Optional<String> nearest(String typed, Collection<String> known) {
        String wanted = typed.toLowerCase(Locale.ROOT);
        if (wanted.isEmpty()) return Optional.empty();
        String best = null;
        int bestScore = Integer.MAX_VALUE;
        for (String candidate : known) {
            String lower = candidate.toLowerCase(Locale.ROOT);
            int distance = distance(wanted, lower);
            int score;
            if (distance <= 2) score = distance;
            else if (lower.startsWith(wanted) || wanted.startsWith(lower)) score = 3;
            else continue;
            if (score < bestScore) {
                best = candidate;
                bestScore = score;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
