package sitevisor.db;

import org.h2.api.ErrorCode;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The H2 file: how it is opened (and what happens when it cannot be), the schema, the reads. The
 * writes go through {@link JdbcEventSink}, the pruning through {@link Pruner}, the compaction
 * through {@link Compactor}.
 */
final class HistoryDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(History.class);

    static final String NAME = "history";
    /** How often H2's background thread writes and tidies; commits do not wait for it (see {@link #url}). */
    private static final long BACKGROUND_WRITE_DELAY_MILLIS = 10_000;
    /** H2's page cache, in KB: on the daemon's heap, so its size is the daemon's RSS (see {@link #url}). */
    private static final int CACHE_KB = 1024;
    static final String FILE_NAME = NAME + ".mv.db";
    /** Reader connections kept between queries; more concurrent queries open more and close them after. */
    private static final int IDLE_READERS = 4;
    private static final String COLUMNS = "id, at_millis, site, instance, pid, kind, from_state, to_state, exit_code, signal,"
            + " reason, actor, duration_millis, details";
    private static final DateTimeFormatter ASIDE_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path file;
    private final String url;
    /** Held open for the life of the store: keeps the database open, and so the file locked against a second daemon. */
    private final Connection anchor;
    private final ConcurrentLinkedDeque<Connection> idleReaders = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;
    private final Path movedAsideTo;
    private final String movedAsideBecause;

    private HistoryDatabase(Path file, String url, Connection anchor, Path movedAsideTo, String movedAsideBecause) {
        this.file = file;
        this.url = url;
        this.anchor = anchor;
        this.movedAsideTo = movedAsideTo;
        this.movedAsideBecause = movedAsideBecause;
    }

    /**
     * The JDBC URL, built from the directory alone.
     * <ul>
     * <li>No AUTO_SERVER, no TCP server, no web console: nothing listens, and a second process is
     *     refused by H2's file lock instead of being let in.
     * <li>DB_CLOSE_ON_EXIT=FALSE: the daemon writes its last events during its own shutdown, after
     *     H2's shutdown hook would have closed the database.
     * <li>WRITE_DELAY is 10 s, and every group commit is followed by CHECKPOINT,
     *     which writes it to the file before the waiters are released: a commit that returned survives
     *     kill -9 (HistoryDurabilityTest; without the CHECKPOINT every acknowledged event of a round was
     *     lost). WRITE_DELAY=0 would be as durable, but it also stops H2's background thread, whose
     *     housekeeping rewrites sparse chunks and shrinks the file: without it the file grew several
     *     times larger, and close did not shrink it. {@link Compactor} does what the housekeeping
     *     leaves undone while the database is idle. The background thread wakes at a tenth of
     *     WRITE_DELAY: at H2's default of 500 ms its wake-ups were most of an idle daemon's CPU;
     *     durability does not depend on it, the CHECKPOINT gives that.
     * <li>CACHE_SIZE is 1 MB (H2's default is 16 MB): the page cache lives on the daemon's heap, and
     *     once a large history has been read a bigger cache keeps more of it live and the idle
     *     daemon's RSS higher. One site's last events are still read about as fast; only reading
     *     many sites' in turn is slower. H2 stores the setting in the file, so it is given on every
     *     open rather than once.
     * <li>RETENTION_TIME stays at 45 s: lower values let H2 reuse a chunk the file may still need after
     *     a crash (nitrite-java found files that no longer opened at 0).
     * </ul>
     */
    static String url(Path directory) throws IOException {
        Path absolute = directory.toAbsolutePath().normalize();
        // H2 reads ';' in the URL as the start of a setting: a path must never add settings of its own
        if (absolute.toString().contains(";")) throw new IOException("history directory " + absolute + ": the path contains ';', which H2 would read as a setting; choose another home");
        return "jdbc:h2:file:" + absolute.resolve(NAME) + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=" + BACKGROUND_WRITE_DELAY_MILLIS
                + ";CACHE_SIZE=" + CACHE_KB;
    }

    /**
     * Opens the database in the directory, creating it if needed, and applies the schema. A file that
     * another process holds is refused and left alone; a file that cannot be opened because it is
     * damaged is moved aside (never deleted) and a fresh one created.
     */
    static HistoryDatabase open(Path directory, Clock clock) throws IOException {
        String url = url(directory);
        Path dir = directory.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        try {
            return new HistoryDatabase(file, url, connectAndMigrate(file, url, clock), null, null);
        } catch (Unusable unusable) {
            Path aside = moveAside(file, clock);
            log.error("moved aside: history database {} cannot be opened: {}; moved it to {} (never deleted: H2's Recover tool may"
                    + " save what it holds) and started a fresh history", file, unusable.getMessage(), aside);
            try {
                return new HistoryDatabase(file, url, connectAndMigrate(file, url, clock), aside, unusable.getMessage());
            } catch (Unusable again) {
                throw new IOException("history database " + file + ": a fresh database cannot be opened either: " + again.getMessage(), again);
            }
        }
    }

    private static Connection connectAndMigrate(Path file, String url, Clock clock) throws IOException {
        boolean existed = Files.exists(file) && Files.size(file) > 0;
        Connection connection;
        try {
            connection = connect(url);
        } catch (SQLException e) {
            throw openFailure(file, e);
        }
        try {
            if (existed && !Schema.present(connection)) {
                throw new Unusable("it holds no history tables (a file cut short, or not a history database)");
            }
            Schema.migrate(connection, clock);
            try (Statement statement = connection.createStatement()) {
                // reads the newest pages of the table and of both indexes: damage there shows now, not at the first write
                statement.executeQuery("SELECT MAX(id), MAX(at_millis), COUNT(*) FROM events").close();
                statement.executeQuery("SELECT MAX(site) FROM events").close();
            }
            return connection;
        } catch (SQLException e) {
            closeQuietly(connection);
            IOException failure = openFailure(file, e);
            throw failure instanceof Unusable ? failure : new IOException("history database " + file + ": cannot apply the schema: " + firstLine(e), e);
        } catch (Schema.SchemaTooNewException e) {
            closeQuietly(connection);
            throw new IOException("history database " + file + " " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    /** A database file that cannot be used because of what is in it: moved aside. */
    static final class Unusable extends IOException {
        Unusable(String why) {
            super(why);
        }
    }

    /**
     * What an error opening the file means: held by another process (refused, left alone), damaged
     * ({@link Unusable}: moved aside), or anything else, such as the disk (refused, left alone: moving
     * a file aside for a cause outside it would only hide the history).
     */
    static IOException openFailure(Path file, SQLException e) {
        if (locked(e)) {
            // not H2's own text: it suggests the server mode, which is not for us
            return new IOException("history database " + file + ": another process holds it (is another sitevisor running with the"
                    + " same home?)", e);
        }
        if (damaged(e)) return new Unusable(firstLine(e));
        return new IOException("history database " + file + ": cannot open: " + firstLine(e), e);
    }

    static boolean locked(SQLException e) {
        if (e.getErrorCode() == ErrorCode.DATABASE_ALREADY_OPEN_1 || e.getErrorCode() == ErrorCode.DATABASE_IS_IN_EXCLUSIVE_MODE) return true;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MVStoreException m && m.getErrorCode() == DataUtils.ERROR_FILE_LOCKED) return true;
        }
        return false;
    }

    /**
     * Damaged: H2 says the file is corrupt or of an unknown format, or its store failed reading it
     * with no error from the operating system underneath other than the end of the file (a file cut
     * short ends before its header says it should).
     */
    static boolean damaged(SQLException e) {
        boolean storeFailed = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException && !(t instanceof EOFException)) return false;
            if (t instanceof MVStoreException m) {
                int code = m.getErrorCode();
                if (code == DataUtils.ERROR_FILE_LOCKED || code == DataUtils.ERROR_WRITING_FAILED || code == DataUtils.ERROR_CLOSED) return false;
                storeFailed = true;
            }
        }
        return storeFailed || e.getErrorCode() == ErrorCode.FILE_CORRUPTED_1 || e.getErrorCode() == ErrorCode.FILE_VERSION_ERROR_1;
    }

    /** history.mv.db becomes history-corrupt-20261122T031500Z.mv.db: still a name H2's tools open. */
    private static Path moveAside(Path file, Clock clock) throws IOException {
        String stamp = ASIDE_STAMP.format(clock.instant());
        Path aside = file.resolveSibling(NAME + "-corrupt-" + stamp + ".mv.db");
        for (int n = 2; Files.exists(aside); n++) aside = file.resolveSibling(NAME + "-corrupt-" + stamp + "-" + n + ".mv.db");
        try {
            return Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IOException("history database " + file + ": cannot be opened and cannot be moved aside to " + aside + ": " + e, e);
        }
    }

    static Connection connect(String url) throws SQLException {
        Properties credentials = new Properties();
        // nothing listens, so the file's permissions are the protection; a password would add nothing
        credentials.setProperty("user", "sitevisor");
        credentials.setProperty("password", "");
        Connection connection = DRIVER.connect(url, credentials);
        if (connection == null) throw new SQLException("H2 did not accept the URL " + url);
        return connection;
    }

    /** H2's driver, used directly so that no other JDBC driver on the class path is ever asked. */
    private static final org.h2.Driver DRIVER = new org.h2.Driver();

    Connection connect() throws SQLException {
        return connect(url);
    }

    /** Connections for another part of the daemon, durable at each commit like the history's own writes. */
    DurableConnections durableConnections() {
        return new DurableConnections(url);
    }

    Path file() {
        return file;
    }

    Path movedAsideTo() {
        return movedAsideTo;
    }

    String movedAsideBecause() {
        return movedAsideBecause;
    }

    /** The largest id written so far, 0 when none: the writer gives the next events the ids after it. */
    long maxId() throws SQLException {
        try (Statement statement = anchor.createStatement();
             ResultSet max = statement.executeQuery("SELECT COALESCE(MAX(id), 0) FROM events")) {
            max.next();
            return max.getLong(1);
        }
    }

    List<HistoryEvent> query(HistoryQuery query) throws SQLException {
        return withReader(connection -> {
            try (PreparedStatement select = prepare(connection, "SELECT " + COLUMNS + " FROM events", query);
                 ResultSet rows = select.executeQuery()) {
                List<HistoryEvent> events = new ArrayList<>();
                while (rows.next()) {
                    events.add(new HistoryEvent(rows.getLong(1), rows.getLong(2), rows.getString(3), rows.getInt(4), rows.getLong(5),
                            rows.getString(6), rows.getString(7), rows.getString(8), rows.getInt(9), rows.getInt(10),
                            rows.getString(11), rows.getString(12), rows.getLong(13), rows.getString(14)));
                }
                return events;
            }
        });
    }

    /** H2's plan for the query, as EXPLAIN shows it: tests and the benchmark check it reads an index in order. */
    String explain(HistoryQuery query) throws SQLException {
        return withReader(connection -> {
            try (PreparedStatement explain = prepare(connection, "EXPLAIN SELECT " + COLUMNS + " FROM events", query);
                 ResultSet plan = explain.executeQuery()) {
                plan.next();
                return plan.getString(1);
            }
        });
    }

    /**
     * The query's SQL, from fixed pieces only; the values are bound. H2 reads an index in order only
     * when ORDER BY starts with the index's leading columns, so with a site ORDER BY starts with site
     * and H2 reads events_site_time in order instead of sorting every row of the site; without,
     * events_time is read in order.
     */
    private static PreparedStatement prepare(Connection connection, String select, HistoryQuery query) throws SQLException {
        StringBuilder sql = new StringBuilder(select);
        List<Object> values = new ArrayList<>();
        String joint = " WHERE ";
        if (query.site() != null) {
            sql.append(joint).append("site = ?");
            values.add(query.site());
            joint = " AND ";
        }
        if (query.sinceMillis() != null) {
            sql.append(joint).append("at_millis >= ?");
            values.add(query.sinceMillis());
            joint = " AND ";
        }
        if (query.untilMillis() != null) {
            sql.append(joint).append("at_millis < ?");
            values.add(query.untilMillis());
        }
        sql.append(query.site() != null ? " ORDER BY site DESC, at_millis DESC, id DESC" : " ORDER BY at_millis DESC, id DESC");
        sql.append(" FETCH FIRST ? ROWS ONLY");
        values.add(query.cappedLimit());
        PreparedStatement statement = connection.prepareStatement(sql.toString());
        try {
            for (int i = 0; i < values.size(); i++) statement.setObject(i + 1, values.get(i));
        } catch (SQLException e) {
            statement.close();
            throw e;
        }
        return statement;
    }

    @FunctionalInterface
    interface Read<T> {
        T apply(Connection connection) throws SQLException;
    }

    /** Runs on a pooled reader connection; one that failed is closed, not pooled, so a reopened database gets fresh ones. */
    <T> T withReader(Read<T> read) throws SQLException {
        Connection connection = idleReaders.pollFirst();
        if (connection == null) connection = connect();
        try {
            T result = read.apply(connection);
            if (!closed && idleReaders.size() < IDLE_READERS) {
                idleReaders.addFirst(connection);
                // a query that ends while close() runs must not leave a connection open, or the file stays locked
                if (closed && idleReaders.remove(connection)) closeQuietly(connection);
            } else {
                closeQuietly(connection);
            }
            return result;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    static void bind(PreparedStatement insert, HistoryEvent event) throws SQLException {
        insert.setLong(1, event.id());
        insert.setLong(2, event.atMillis());
        insert.setString(3, event.site());
        insert.setInt(4, event.instance());
        insert.setLong(5, event.pid());
        insert.setString(6, event.kind());
        insert.setString(7, event.fromState());
        insert.setString(8, event.toState());
        insert.setInt(9, event.exitCode());
        insert.setInt(10, event.signal());
        insert.setString(11, event.reason());
        insert.setString(12, event.actor());
        insert.setLong(13, event.durationMillis());
        insert.setString(14, event.details());
    }

    static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    static void closeQuietly(Connection connection) {
        if (connection == null) return;
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            log.debug("history: closing a connection failed: {}", e.toString());
        }
    }

    /** Closes every connection this class opened; with the last one H2 closes the database and its file lock. */
    @Override
    public void close() {
        closed = true;
        for (Connection reader; (reader = idleReaders.pollFirst()) != null; ) closeQuietly(reader);
        closeQuietly(anchor);
    }
}
