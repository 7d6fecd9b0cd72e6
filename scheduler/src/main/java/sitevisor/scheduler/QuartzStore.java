package sitevisor.scheduler;

import org.quartz.Job;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.DirectSchedulerFactory;
import org.quartz.impl.DefaultThreadExecutor;
import org.quartz.impl.jdbcjobstore.JobStoreTX;
import org.quartz.impl.jdbcjobstore.StdJDBCDelegate;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * A Quartz scheduler whose jobs and triggers live in the daemon's own H2 database (Quartz's JDBC
 * job store), so one-off maintenance windows, paused tasks and the time each trigger fires next
 * survive a daemon restart, and runs missed while the daemon was down are known.
 */
final class QuartzStore {
    /** A trigger later than this counts as missed; earlier, it simply fires late (Quartz's default). */
    static final Duration MISFIRE_THRESHOLD = Duration.ofSeconds(60);
    /**
     * How long Quartz's thread sleeps when nothing falls due sooner. Every change of a trigger wakes
     * it, so a long sleep loses nothing; each wake-up reads the triggers table once.
     */
    private static final Duration IDLE_WAIT = Duration.ofMinutes(1);
    static final String TABLE_PREFIX = "QRTZ_";
    private static final String SCHEMA = "org/quartz/impl/jdbcjobstore/tables_h2.sql";

    private QuartzStore() {}

    /**
     * Creates the tables when the database has none, and a scheduler on them, in standby: it fires
     * nothing until started.
     *
     * @param name     the scheduler's name: its rows in the tables carry it, so the daemon keeps one
     *                 name for good; a JVM holds one scheduler per name
     * @param jobClass the class every job of this scheduler is stored with
     */
    static Scheduler create(String name, DataSource connections, Class<? extends Job> jobClass) throws SchedulerException {
        try (Connection connection = connections.getConnection()) {
            createTablesIfMissing(connection);
            storeJobsAs(connection, name, jobClass.getName());
        } catch (SQLException | IOException e) {
            throw new SchedulerException("cannot prepare Quartz's tables: " + e.getMessage(), e);
        }
        String dataSource = "sitevisor-" + name;
        DBConnectionManager.getInstance().addConnectionProvider(dataSource, new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return connections.getConnection();
            }

            @Override
            public void shutdown() {
                // the history owns the database and closes it
            }

            @Override
            public void initialize() {
                // nothing to prepare
            }
        });
        JobStoreTX store = new JobStoreTX();
        store.setDataSource(dataSource);
        store.setTablePrefix(TABLE_PREFIX);
        store.setMisfireThreshold(MISFIRE_THRESHOLD.toMillis());
        try {
            store.setDriverDelegateClass(StdJDBCDelegate.class.getName());
        } catch (Exception e) {
            throw new SchedulerException("Quartz's JDBC delegate: " + e.getMessage(), e);
        }
        store.setMakeThreadsDaemons(true);
        DirectSchedulerFactory factory = DirectSchedulerFactory.getInstance();
        factory.createScheduler(name, name, new LeanThreadPool(2), new DefaultThreadExecutor(), store, null, null, 0,
                IDLE_WAIT.toMillis(), -1, false, null, 1, 0, true);
        return factory.getScheduler(name);
    }

    /**
     * Quartz stores each job with its class's name and loads that class when it reads the job back,
     * so a job stored by an earlier version under a class since renamed would stop the scheduler
     * from opening (TaskScheduler$Firing became QuartzSchedule$Firing). Every job of this scheduler
     * has the one class, so any other name in its rows is a former name of it.
     */
    private static void storeJobsAs(Connection connection, String name, String jobClass) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + TABLE_PREFIX + "JOB_DETAILS SET JOB_CLASS_NAME = ?"
                + " WHERE SCHED_NAME = ? AND JOB_CLASS_NAME <> ?")) {
            update.setString(1, jobClass);
            update.setString(2, name);
            update.setString(3, jobClass);
            update.executeUpdate();
            if (!connection.getAutoCommit()) connection.commit();
        }
    }

    private static void createTablesIfMissing(Connection connection) throws SQLException, IOException {
        try (ResultSet tables = connection.getMetaData().getTables(null, null, TABLE_PREFIX + "LOCKS", null)) {
            if (tables.next()) return;
        }
        String script;
        try (InputStream in = QuartzStore.class.getClassLoader().getResourceAsStream(SCHEMA)) {
            if (in == null) throw new IOException(SCHEMA + " is not in Quartz's jar");
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            StringBuilder sql = new StringBuilder();
            for (String line : script.split("\n")) {
                if (line.strip().startsWith("--")) continue;
                sql.append(line).append('\n');
            }
            for (String command : sql.toString().split(";")) {
                if (!command.isBlank()) statement.execute(command);
            }
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }
}
