package sitevisor.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;

/**
 * Retention: deletes events older than {@code keep}, then the oldest beyond {@code maxRows}, in
 * transactions of at most {@code batchRows} rows, so the writer's commits and the readers never
 * wait long behind it (H2 locks rows, not the table, and readers see a snapshot).
 */
final class Pruner {
    /** What one run deleted. */
    record Pruned(long byAge, long byCount) {
        long total() {
            return byAge + byCount;
        }
    }

    /** Events older than the cutoff, at most a batch; reads events_time. */
    static final String DELETE_OLD = "DELETE FROM events WHERE at_millis < ? FETCH FIRST ? ROWS ONLY";
    /**
     * The ids of the oldest events, at most a batch, read from events_time in order ("index sorted"),
     * then deleted by id. One DELETE ... WHERE id IN (SELECT ...) has a plan as good and is quick on
     * its own, but becomes many times slower while the writer commits meanwhile, as it does in a
     * daemon; deleting by id is not slowed that way.
     */
    static final String SELECT_OLDEST = "SELECT id FROM events ORDER BY at_millis, id FETCH FIRST ? ROWS ONLY";
    static final String DELETE_ID = "DELETE FROM events WHERE id = ?";

    private final HistoryDatabase database;
    private final Retention retention;
    private final Clock clock;
    private final int batchRows;
    private volatile boolean stopping;

    Pruner(HistoryDatabase database, Retention retention, Clock clock, int batchRows) {
        this.database = database;
        this.retention = retention;
        this.clock = clock;
        this.batchRows = batchRows;
    }

    Pruned prune() throws SQLException {
        long cutoffMillis = clock.millis() - retention.keep().toMillis();
        try (Connection connection = database.connect()) {
            long byAge = 0;
            // each statement is its own transaction (auto-commit)
            try (PreparedStatement old = connection.prepareStatement(DELETE_OLD)) {
                old.setLong(1, cutoffMillis);
                old.setInt(2, batchRows);
                while (!stopping) {
                    int deleted = old.executeUpdate();
                    byAge += deleted;
                    if (deleted < batchRows) break;
                }
            }
            long excess;
            try (Statement count = connection.createStatement(); ResultSet rows = count.executeQuery("SELECT COUNT(*) FROM events")) {
                rows.next();
                excess = rows.getLong(1) - retention.maxRows();
            }
            long byCount = 0;
            try (PreparedStatement oldest = connection.prepareStatement(SELECT_OLDEST);
                 PreparedStatement delete = connection.prepareStatement(DELETE_ID)) {
                while (excess > 0 && !stopping) {
                    oldest.setLong(1, Math.min(batchRows, excess));
                    int ids = 0;
                    try (ResultSet rows = oldest.executeQuery()) {
                        for (; rows.next(); ids++) {
                            delete.setLong(1, rows.getLong(1));
                            delete.addBatch();
                        }
                    }
                    if (ids == 0) break;
                    // one transaction per batch
                    connection.setAutoCommit(false);
                    int deleted = 0;
                    for (int count : delete.executeBatch()) deleted += count;
                    connection.commit();
                    connection.setAutoCommit(true);
                    byCount += deleted;
                    excess -= ids;
                }
            }
            return new Pruned(byAge, byCount);
        }
    }

    /** Ends a run between two batches. */
    void stop() {
        stopping = true;
    }
}
