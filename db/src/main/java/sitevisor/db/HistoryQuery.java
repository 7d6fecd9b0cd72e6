package sitevisor.db;

/**
 * Which events to read, newest first.
 *
 * @param site        one site's events, or null for every site and the daemon
 * @param sinceMillis UTC epoch ms, inclusive; null for no lower bound
 * @param untilMillis UTC epoch ms, exclusive; null for no upper bound
 * @param limit       at most this many events; more than {@link #MAX_LIMIT} reads {@link #MAX_LIMIT}
 */
public record HistoryQuery(String site, Long sinceMillis, Long untilMillis, int limit) {
    /** The most events one query returns, so that no request can make the daemon read the whole table. */
    public static final int MAX_LIMIT = 10_000;

    public HistoryQuery {
        if (limit < 0) throw new IllegalArgumentException("history: limit must be 0 or more, got " + limit);
    }

    /** The newest {@code limit} events of one site. */
    public static HistoryQuery latest(String site, int limit) {
        return new HistoryQuery(site, null, null, limit);
    }

    /** The newest {@code limit} events of every site. */
    public static HistoryQuery latestOfAll(int limit) {
        return new HistoryQuery(null, null, null, limit);
    }

    int cappedLimit() {
        return Math.min(limit, MAX_LIMIT);
    }
}
