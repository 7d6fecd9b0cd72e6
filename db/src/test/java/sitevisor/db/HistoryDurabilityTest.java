package sitevisor.db;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kill -9 of the daemon in a loop loses no acknowledged event (H2's default write delay loses hundreds). */
class HistoryDurabilityTest {
    static final int ROUNDS = 5;
    static final int APPENDER_THREADS = 4;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedEventSurvivesSigkill() throws Exception {
        Path db = dir.resolve("db");
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Set<String> acknowledged = new HashSet<>();
        for (int round = 0; round < ROUNDS; round++) {
            try (ChildJvm child = new ChildJvm(dir.resolve("child-" + round + ".err"), "append", db.toString(),
                    Integer.toString(round), Integer.toString(APPENDER_THREADS))) {
                assertEquals("opened", child.readLine(), "round " + round + ": the child opened the history (see " + dir + ")");
                // a random moment in the stream of commits: after 20 to 600 acknowledgements
                int killAfter = 20 + random.nextInt(580);
                for (int seen = 0; seen < killAfter; ) {
                    String line = child.readLine();
                    if (line == null) throw new AssertionError("round " + round + ": the child ended early; see " + dir);
                    if (acknowledgement(line, acknowledged)) seen++;
                }
                child.kill();
                // what it printed between our last read and its death counts too
                for (String line; (line = child.readLine()) != null; ) acknowledgement(line, acknowledged);
            }
        }

        try (History history = History.open(db, Retention.DEFAULT, Clock.systemUTC())) {
            assertNull(history.health().movedAsideTo(), "opened as it was, not moved aside");
            Set<String> stored = new HashSet<>();
            for (int t = 0; t < APPENDER_THREADS; t++) {
                List<HistoryEvent> events = history.query(HistoryQuery.latest("site" + t, HistoryQuery.MAX_LIMIT));
                assertTrue(events.size() < HistoryQuery.MAX_LIMIT, "the query saw every event of site" + t);
                events.forEach(e -> stored.add(e.reason()));
            }
            Set<String> lost = new TreeSet<>(acknowledged);
            lost.removeAll(stored);
            assertTrue(acknowledged.size() > ROUNDS * 20, "acknowledged " + acknowledged.size());
            assertEquals(Set.of(), lost, lost.size() + " of " + acknowledged.size() + " acknowledged events lost (seed " + seed + ")");
        }
    }

    /** A complete line {@code acked <reason>;}; a line cut short by the kill has no ';' and was never acknowledged. */
    private static boolean acknowledgement(String line, Set<String> acknowledged) {
        if (!line.startsWith("acked ") || !line.endsWith(";")) return false;
        acknowledged.add(line.substring("acked ".length(), line.length() - 1));
        return true;
    }
}
