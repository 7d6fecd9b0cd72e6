package sitevisor.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The versioned schema: H2's own SQL in {@code db/migration/V<n>__<what>.sql}, applied in order on
 * open, each recorded in {@code schema_version} once it ran. No migration library: one table and
 * one script do not need one, and it keeps a dependency and its start-up out of the daemon.
 */
final class Schema {
    /** Every migration, in order; a new one is a new file here and in src/main/resources/db/migration. */
    static final List<String> MIGRATIONS = List.of("V1__events.sql");

    private static final Pattern NAME = Pattern.compile("V(\\d+)__(\\w+)\\.sql");

    record Migration(int version, String description, String resource) {}

    private Schema() {}

    static int latestVersion() {
        return migrations().get(migrations().size() - 1).version();
    }

    static List<Migration> migrations() {
        List<Migration> all = new ArrayList<>();
        for (String name : MIGRATIONS) {
            Matcher m = NAME.matcher(name);
            if (!m.matches()) throw new IllegalStateException("migration " + name + " is not named V<n>__<what>.sql");
            all.add(new Migration(Integer.parseInt(m.group(1)), m.group(2).replace('_', ' '), "/db/migration/" + name));
        }
        return all;
    }

    /** Whether this database holds our schema at all (an existing file without it was cut short or is not ours). */
    static boolean present(Connection connection) throws SQLException {
        try (ResultSet tables = connection.getMetaData().getTables(null, "PUBLIC", "SCHEMA_VERSION", null)) {
            return tables.next();
        }
    }

    /**
     * Brings the schema to the latest version and returns the version it found. H2 commits each
     * CREATE on its own, so a script is not atomic: the scripts are written to run again safely,
     * and the version row is written only after the whole script ran.
     *
     * @throws SchemaTooNewException when a newer sitevisor wrote this database
     */
    static int migrate(Connection connection, Clock clock) throws SQLException, IOException {
        boolean autoCommit = connection.getAutoCommit();
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                    + "version INT NOT NULL PRIMARY KEY, description VARCHAR(200) NOT NULL, applied_at_millis BIGINT NOT NULL)");
            int found;
            try (ResultSet max = statement.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
                max.next();
                found = max.getInt(1);
            }
            if (found > latestVersion()) throw new SchemaTooNewException(found, latestVersion());
            connection.setAutoCommit(false);
            for (Migration migration : migrations()) {
                if (migration.version() <= found) continue;
                for (String sql : statements(read(migration.resource()))) statement.execute(sql);
                try (PreparedStatement record = connection.prepareStatement(
                        "INSERT INTO schema_version (version, description, applied_at_millis) VALUES (?, ?, ?)")) {
                    record.setInt(1, migration.version());
                    record.setString(2, migration.description());
                    record.setLong(3, clock.millis());
                    record.executeUpdate();
                }
                connection.commit();
            }
            // on the file now, not within WRITE_DELAY: a daemon killed right after its first start
            // must not leave a file without tables, which the next start would have to move aside
            if (found < latestVersion()) statement.execute("CHECKPOINT");
            return found;
        } catch (SQLException | IOException e) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection is closed by the caller; the first error is the one to report
            }
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** A database written by a newer sitevisor: refused, never moved aside, since it is not damaged. */
    static final class SchemaTooNewException extends IOException {
        SchemaTooNewException(int found, int known) {
            super("has schema version " + found + " but this sitevisor knows up to " + known + ": run the newer sitevisor that wrote it");
        }
    }

    private static String read(String resource) throws IOException {
        try (InputStream in = Schema.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("migration " + resource + " is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The script's statements: comment lines dropped, split where a line ends with ';'. */
    static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) continue;
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                statements.add(current.toString().strip().replaceAll(";$", ""));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) statements.add(current.toString().strip());
        return statements;
    }
}
