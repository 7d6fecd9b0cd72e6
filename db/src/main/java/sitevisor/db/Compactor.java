package sitevisor.db;

import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Keeps the file from growing with every commit. Each commit writes a chunk of its own (the changed
 * pages of the table and both indexes); most of it is dead by the next commit, but a page or two
 * (a leaf that filled up) stay live in each chunk for as long as their rows are kept, and a chunk's
 * space is reused only once all of it is dead. H2's background housekeeping rewrites such sparse
 * chunks, but it gives up while the database is idle, which for a daemon's history is most of the
 * time, so the file grows to many times its live pages. This rewrites the live pages of sparse
 * chunks into new ones, a step of about 1 MB at a time (a commit waits while a step holds H2's
 * store lock), so the old chunks die and their space is reused.
 * <p>
 * It reaches the MVStore through H2's engine classes, which are public but not a promised API: if
 * a later H2 moves them, compaction says so once and H2's own housekeeping is left to do what it can.
 */
final class Compactor {
    /** Chunks less full than this are rewritten. */
    static final int TARGET_FILL_PERCENT = 80;
    /** What one step rewrites at least, so that one step holds H2's store lock for only a short time. */
    static final int STEP_WRITE_BYTES = 1024 * 1024;

    /** What one run did. */
    record Compacted(int steps, long tookMillis) {}

    private final HistoryDatabase database;
    private volatile boolean stopping;

    Compactor(HistoryDatabase database) {
        this.database = database;
    }

    /** Rewrites sparse chunks until none is left or the budget is spent. */
    Compacted compact(long budgetMillis) throws SQLException {
        long began = System.nanoTime();
        long deadline = began + budgetMillis * 1_000_000;
        int steps = 0;
        try (Connection connection = database.connect()) {
            MVStore store = store(connection);
            while (!stopping && System.nanoTime() < deadline && store.compact(TARGET_FILL_PERCENT, STEP_WRITE_BYTES)) steps++;
        }
        return new Compacted(steps, (System.nanoTime() - began) / 1_000_000);
    }

    /** The store under an embedded connection: connection → session → database → store. */
    static MVStore store(Connection connection) throws SQLException {
        try {
            SessionLocal session = (SessionLocal) connection.unwrap(JdbcConnection.class).getSession();
            return session.getDatabase().getStore().getMvStore();
        } catch (ClassCastException | LinkageError e) {
            throw new SQLException("H2 " + org.h2.engine.Constants.VERSION + " does not give its MVStore to an embedded connection the way 2.3 does: " + e, e);
        }
    }

    /** Ends a run between two steps. */
    void stop() {
        stopping = true;
    }
}
