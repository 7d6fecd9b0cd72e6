package sitevisor.db;

import java.sql.SQLException;
import java.util.List;

/**
 * Where the writer thread puts events: the database, or in tests a wrapper that fails the way a
 * full or broken disk does.
 */
interface EventSink extends AutoCloseable {
    /**
     * Writes every event (each with its id) in one transaction, on the file when this returns. A
     * batch that failed is retried as exactly the same batch, so a retry of a batch that was in
     * fact written is recognised instead of duplicated.
     */
    void write(List<HistoryEvent> events) throws SQLException;

    /** Closes the connection; never throws. */
    @Override
    void close();
}
