package sitevisor.db;

import org.h2.api.ErrorCode;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The writer's own connection: one INSERT batch, one COMMIT, one CHECKPOINT per group of events. */
final class JdbcEventSink implements EventSink {
    static final String INSERT = "INSERT INTO events (id, at_millis, site, instance, pid, kind, from_state, to_state,"
            + " exit_code, signal, reason, actor, duration_millis, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final HistoryDatabase database;
    private Connection connection;
    private PreparedStatement insert;
    private Statement checkpoint;

    JdbcEventSink(HistoryDatabase database) {
        this.database = database;
    }

    @Override
    public void write(List<HistoryEvent> events) throws SQLException {
        if (events.isEmpty()) return;
        try {
            if (connection == null) open();
            insertOrFindWritten(events);
            // COMMIT alone leaves the rows in memory for up to WRITE_DELAY (10 s here), lost on kill -9;
            // CHECKPOINT writes them to the file now. See HistoryDatabase.url for why not WRITE_DELAY=0.
            checkpoint.execute("CHECKPOINT");
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    /** Inserts and commits the batch, or finds it committed by an earlier attempt. */
    private void insertOrFindWritten(List<HistoryEvent> events) throws SQLException {
        try {
            for (HistoryEvent event : events) {
                HistoryDatabase.bind(insert, event);
                insert.addBatch();
            }
            insert.executeBatch();
            connection.commit();
        } catch (SQLException e) {
            if (e.getErrorCode() != ErrorCode.DUPLICATE_KEY_1 || !alreadyWritten(events)) throw e;
        }
    }

    /**
     * A retried batch whose first attempt was committed after all (the failure came after the
     * commit): a transaction is all or nothing, so the batch is either entirely there or not at all.
     */
    private boolean alreadyWritten(List<HistoryEvent> events) {
        long firstId = events.stream().mapToLong(HistoryEvent::id).min().orElseThrow();
        long lastId = events.stream().mapToLong(HistoryEvent::id).max().orElseThrow();
        try {
            insert.clearBatch();
            connection.rollback();
            try (PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM events WHERE id BETWEEN ? AND ?")) {
                count.setLong(1, firstId);
                count.setLong(2, lastId);
                try (ResultSet rows = count.executeQuery()) {
                    rows.next();
                    return rows.getLong(1) == events.size();
                }
            }
        } catch (SQLException e) {
            return false;
        }
    }

    private void open() throws SQLException {
        connection = database.connect();
        connection.setAutoCommit(false);
        insert = connection.prepareStatement(INSERT);
        checkpoint = connection.createStatement();
    }

    @Override
    public void close() {
        Connection closing = connection;
        connection = null;
        insert = null;
        checkpoint = null;
        HistoryDatabase.closeQuietly(closing);
    }
}
