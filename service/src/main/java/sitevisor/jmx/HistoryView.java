package sitevisor.jmx;

import sitevisor.db.History;
import sitevisor.db.HistoryEvent;
import sitevisor.db.HistoryQuery;
import sitevisor.mbeans.HistoryEntry;

import java.time.Instant;
import java.util.OptionalLong;

/** The history as the MBeans show it: rows newest first, bounded, and the writer's health. */
final class HistoryView {
    static final int MAX_ROWS = 10_000;

    private final History history;

    /** @param history null when this daemon keeps none (tests of the MBeans alone) */
    HistoryView(History history) {
        this.history = history;
    }

    /** @param site null for every site and the daemon */
    HistoryEntry[] rows(String site, OptionalLong sinceMillis, int limit) {
        if (limit < 1 || limit > MAX_ROWS) throw new IllegalArgumentException("limit must be 1 to " + MAX_ROWS + ", got " + limit);
        if (history == null) throw new IllegalStateException("this daemon keeps no history");
        return history.query(new HistoryQuery(site, sinceMillis.isPresent() ? sinceMillis.getAsLong() : null, null, limit))
                .stream().map(HistoryView::entry).toArray(HistoryEntry[]::new);
    }

    String health() {
        return history == null ? "off" : history.health().toString();
    }

    static HistoryEntry entry(HistoryEvent e) {
        return new HistoryEntry(e.id(), e.atMillis(), Instant.ofEpochMilli(e.atMillis()).toString(), e.site(), e.instance(), e.pid(),
                e.kind(), e.fromState(), e.toState(), e.exitCode(), e.signal(), e.reason(), e.actor(), e.durationMillis(), e.details());
    }
}
