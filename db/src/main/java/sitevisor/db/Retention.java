package sitevisor.db;

import java.time.Duration;

/**
 * How much history is kept; older events and events beyond the count are pruned in the background.
 *
 * @param keep    events older than this are pruned
 * @param maxRows at most this many events are kept, the oldest pruned first
 */
public record Retention(Duration keep, long maxRows) {
    public static final Retention DEFAULT = new Retention(Duration.ofDays(90), 1_000_000);

    public Retention {
        if (keep == null || keep.isNegative() || keep.isZero()) throw new IllegalArgumentException("history: keep must be a positive duration, got " + keep);
        if (maxRows < 1) throw new IllegalArgumentException("history: maxRows must be 1 or more, got " + maxRows);
    }
}
