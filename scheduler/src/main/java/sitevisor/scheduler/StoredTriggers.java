package sitevisor.scheduler;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Whether the job store holds work for a scheduler, asked without loading Quartz: the daemon opens
 * the scheduler only when there is something to fire, since Quartz on its JDBC store adds more to
 * the daemon's RSS and to its CPU at start than any other of its services.
 */
public final class StoredTriggers {
    private StoredTriggers() {}

    /**
     * Whether the database holds a trigger of the named scheduler: a task or a window that a config
     * or an operator set in an earlier run, which is due, missed, or to be removed. False when
     * Quartz's tables do not exist yet.
     */
    public static boolean exist(String schedulerName, DataSource connections) throws IOException {
        try (Connection connection = connections.getConnection()) {
            try (ResultSet tables = connection.getMetaData().getTables(null, null, QuartzStore.TABLE_PREFIX + "TRIGGERS", null)) {
                if (!tables.next()) return false;
            }
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT 1 FROM " + QuartzStore.TABLE_PREFIX + "TRIGGERS WHERE SCHED_NAME = ? LIMIT 1")) {
                query.setString(1, schedulerName);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next();
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot read the scheduler's triggers: " + e.getMessage(), e);
        }
    }
}
