package sitevisor.db;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Connections to the history's database for another part of the daemon (Quartz's job store), with
 * the history's promise: a commit that returned is on the file and survives kill -9. H2 keeps a
 * commit in memory until its background writer runs (every 10 s here, see
 * {@link HistoryDatabase#url}); each commit through these connections is followed by a CHECKPOINT,
 * as the history's own group commits are. Quartz commits once or twice per trigger firing, so the
 * cost is a write per firing, and a firing it recorded is never fired again after a crash.
 */
final class DurableConnections implements DataSource {
    private final String url;
    /** The connections handed out and not closed yet; guarded by this. */
    private final Set<Connection> open = new HashSet<>();
    private boolean closed;

    DurableConnections(String url) {
        this.url = url;
    }

    /**
     * A connection, or a refusal once the history is closed: a Quartz thread that finishes a job
     * after the daemon closed its history would otherwise open the database file again.
     */
    @Override
    public synchronized Connection getConnection() throws SQLException {
        if (closed) throw new SQLException("the history is closed");
        Connection connection = HistoryDatabase.connect(url);
        open.add(connection);
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[]{Connection.class},
                new CheckpointAfterCommit(connection, this));
    }

    /** Refuses connections from now on and closes those still open, so that nothing holds the file once the history closed. */
    synchronized void close() {
        closed = true;
        for (Connection connection : open) {
            try {
                connection.close();
            } catch (SQLException e) {
                // closing: nothing is left to do with it
            }
        }
        open.clear();
    }

    private synchronized void closed(Connection connection) {
        open.remove(connection);
    }

    private record CheckpointAfterCommit(Connection connection, DurableConnections owner) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            try {
                if (method.getName().equals("close") && method.getParameterCount() == 0) owner.closed(connection);
                Object result = method.invoke(connection, args);
                if (method.getName().equals("commit") && method.getParameterCount() == 0) {
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("CHECKPOINT");
                    }
                }
                return result;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the history's connections take no credentials");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // nothing to log
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // an embedded database: there is nothing to wait for
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return false;
    }
}
