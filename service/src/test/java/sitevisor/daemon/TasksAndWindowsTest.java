package sitevisor.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.db.HistoryEvent;
import sitevisor.mbeans.Actor;
import sitevisor.mbeans.SiteState;
import sitevisor.testing.Await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Tasks, drains and maintenance windows through the real parts: Quartz on H2, real processes. */
class TasksAndWindowsTest {
    /** Logs its stop signal, so a test can tell when the stop reached it. */
    private static final String SITE = """
            command: [sh, -c, 'trap "echo site-got-TERM; exit 0" TERM; echo site-up; sleep 1000 & wait']
            startSeconds: 0s
            stopTimeout: 5s
            """;
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private static String never() {
        return "\"0 0 1 1 *\"";
    }

    /** A Quartz cron that fires once, at this second. */
    private static String at(Instant when) {
        ZonedDateTime t = when.atZone(ZoneId.systemDefault());
        return "\"" + t.getSecond() + " " + t.getMinute() + " " + t.getHour() + " " + t.getDayOfMonth() + " " + t.getMonthValue() + " ? " + t.getYear() + "\"";
    }

    private static String logOf(Assembly daemon, String site) throws Exception {
        Path log = daemon.log(site);
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Test
    void aRestartWaitsForTheRunningTaskThenStops() throws Exception {
        try (Assembly daemon = new Assembly(dir)) {
            daemon.write("", "blog:\n" + SITE.indent(2) + """
                      tasks:
                        sitemap: { cron: %s, command: [sh, -c, "echo sitemap-begin; sleep 3; echo sitemap-end"] }
                    """.formatted(never()));
            daemon.start();
            daemon.runs().runTask("blog", "sitemap", Actor.operator("test"));
            Await.until("the task began", WAIT, () -> logOf(daemon, "blog").contains("sitemap-begin"));

            long began = System.nanoTime();
            daemon.supervisor.restart("blog", Actor.operator("test"));
            long tookMillis = (System.nanoTime() - began) / 1_000_000;

            String log = logOf(daemon, "blog");
            int end = log.indexOf("sitemap-end");
            int term = log.indexOf("site-got-TERM");
            assertTrue(end >= 0, "the task's output is complete:\n" + log);
            assertTrue(term > end, "the stop signal came only after the task finished:\n" + log);
            assertTrue(tookMillis >= 1500, "the restart waited for the task: " + tookMillis + " ms");
            assertEquals(SiteState.RUNNING, daemon.supervisor.siteState("blog"));
            Await.until("the drain recorded", WAIT, () -> daemon.wasRecorded("blog", "drained", r -> r.contains("sitemap"))
                    && daemon.wasRecorded("blog", "task done", r -> r.startsWith("sitemap: exit 0")));
            List<HistoryEvent> events = daemon.recorded("blog");
            assertEquals(List.of("draining", "drained"), events.stream().map(HistoryEvent::kind).filter(kind -> kind.startsWith("drain")).toList(),
                    "a drain is one begin, the move to DRAINING, and one end");
        }
    }

    @Test
    void aTaskThatNeverEndsIsStoppedAtTheDrainTimeoutAndTheStopGoesOn() throws Exception {
        try (Assembly daemon = new Assembly(dir)) {
            daemon.write("", "blog:\n" + SITE.indent(2) + """
                      drainTimeout: 1s
                      tasks:
                        stuck: { cron: %s, command: [sh, -c, "echo stuck-begin; sleep 1000"] }
                    """.formatted(never()));
            daemon.start();
            daemon.runs().runTask("blog", "stuck", Actor.operator("test"));
            Await.until("the task began", WAIT, () -> logOf(daemon, "blog").contains("stuck-begin"));

            long began = System.nanoTime();
            daemon.supervisor.stop("blog", Actor.operator("test"));
            long tookMillis = (System.nanoTime() - began) / 1_000_000;

            assertEquals(SiteState.STOPPED, daemon.supervisor.siteState("blog"));
            assertTrue(tookMillis >= 900 && tookMillis < 8000, "stopped at the drain timeout, then the stop went on: " + tookMillis + " ms");
            Await.until("nothing left of the site or its task", WAIT, () -> daemon.processes.alive().isEmpty());
            Await.until("the timeout recorded", WAIT, () -> daemon.wasRecorded("blog", "drain timed out", r -> r.contains("stuck"))
                    && daemon.wasRecorded("blog", "task failed", r -> r.contains("the drain ran out")));
        }
    }

    @Test
    void aTriggerFiringDuringADrainStartsNothingAndRunOnceRunsItOnceAfterwardsSkipNever() throws Exception {
        try (Assembly daemon = new Assembly(dir)) {
            // cron has whole seconds: the triggers fire at due's second, which the setup (the history,
            // Quartz, the site) has several seconds to beat even on a loaded machine
            Instant due = Instant.now().plusSeconds(7).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            daemon.write("", "blog:\n" + SITE.indent(2) + """
                      tasks:
                        slow: { cron: %s, command: [sh, -c, "echo slow-begin; sleep 9; echo slow-end"] }
                        once: { cron: %s, command: [sh, -c, "echo once-ran"], missed: run-once }
                        never: { cron: %s, command: [sh, -c, "echo never-ran"], missed: skip }
                    """.formatted(never(), at(due), at(due)));
            daemon.start();
            daemon.runs().runTask("blog", "slow", Actor.operator("test"));
            Await.until("the slow task began", WAIT, () -> logOf(daemon, "blog").contains("slow-begin"));
            assertTrue(Instant.now().isBefore(due.minusMillis(500)), "the test set up in time");

            daemon.supervisor.restart("blog", Actor.operator("test"));
            assertTrue(Instant.now().isAfter(due), "the restart drained past the triggers' time");

            Await.until("the run-once task ran once after the restart", WAIT, () -> logOf(daemon, "blog").contains("once-ran"));
            List<HistoryEvent> events = daemon.recorded("blog");
            int drainBegan = indexOf(events, "draining", "");
            int drained = indexOf(events, "drained", "");
            for (int i = drainBegan; i < drained; i++) {
                assertNotEquals("task started", events.get(i).kind(), "nothing started during the drain: " + events.get(i).reason());
            }
            assertTrue(indexOf(events, "task missed", "once:") > drainBegan, "the run-once trigger fired during the drain and was missed");
            assertTrue(indexOf(events, "task missed", "never:") > drainBegan, "the skip trigger fired during the drain and was missed");
            // both were owed from the same moment: the site running again; give the skip one the same chance
            Await.until("the run-once run ended", WAIT, () -> daemon.wasRecorded("blog", "task done", r -> r.startsWith("once:")));
            Thread.sleep(500); // a window for a wrong run of `never` to show; the assertion does not depend on its length
            assertFalse(logOf(daemon, "blog").contains("never-ran"), "skip: the missed run never runs");
            assertEquals(1, countOf(logOf(daemon, "blog"), "once-ran"), "run-once: exactly once");
        }
    }

    @Test
    void aWindowForAStoppedSiteIsSkippedAndRecordedAndStartsNothing() throws Exception {
        try (Assembly daemon = new Assembly(dir)) {
            daemon.write("", "blog:\n" + SITE.indent(2) + """
                      autostart: false
                      maintenance: { cron: "* * * * * ?" }
                    """);
            daemon.start();
            Await.until("the window skipped", WAIT, () -> daemon.wasRecorded("blog", "maintenance skipped", r -> r.contains("STOPPED")));
            assertEquals(SiteState.STOPPED, daemon.supervisor.siteState("blog"));
            assertTrue(daemon.recorded("blog").stream().noneMatch(e -> e.kind().equals("spawned")), "no window started the site");
            assertTrue(daemon.processes.alive().isEmpty());
        }
    }

    @Test
    void aOneOffWindowSurvivesADaemonRestart() throws Exception {
        try (Assembly daemon = new Assembly(dir)) {
            daemon.write("", "blog:\n" + SITE.indent(2) + """
                      tasks:
                        sitemap: { cron: %s, command: [sh, -c, "true"] }
                    """.formatted(never()));
            daemon.start();
            long pidBefore = daemon.supervisor.instances("blog").get(0).status().pid();
            Instant at = Instant.now().plusSeconds(12).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            daemon.schedule().scheduleMaintenance("blog", at, Actor.operator("test"));

            daemon.crash();
            daemon.start();
            assertEquals(pidBefore, daemon.supervisor.instances("blog").get(0).status().pid(), "the site was adopted, not restarted");
            assertEquals(at, daemon.schedule().nextMaintenance("blog").orElseThrow(), "the window is still set");

            Await.until("the window restarted the site", Duration.ofSeconds(30), () -> daemon.wasRecorded("blog", "maintenance done", r -> true));
            long pidAfter = daemon.supervisor.instances("blog").get(0).status().pid();
            assertNotEquals(pidBefore, pidAfter, "a new process after the maintenance restart");
            assertEquals(SiteState.RUNNING, daemon.supervisor.siteState("blog"));
            assertTrue(daemon.schedule().nextMaintenance("blog").isEmpty(), "a one-off window is gone once it ran");
        }
    }

    @Test
    void aJobStoreAnEarlierVersionWroteOpensWithItsWindowsAndTasks() throws Exception {
        try (Assembly daemon = new Assembly(dir)) {
            daemon.write("", "blog:\n" + SITE.indent(2) + """
                      tasks:
                        sitemap: { cron: %s, command: [sh, -c, "true"] }
                    """.formatted(never()));
            daemon.start();
            Instant at = Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            daemon.schedule().scheduleMaintenance("blog", at, Actor.operator("test"));
            // the jobs as the version before the scheduler's split stored them: under a class that no longer exists
            try (java.sql.Connection connection = daemon.history.sharedConnections().getConnection();
                 java.sql.Statement statement = connection.createStatement()) {
                assertTrue(statement.executeUpdate("UPDATE QRTZ_JOB_DETAILS SET JOB_CLASS_NAME = 'sitevisor.scheduler.TaskScheduler$Firing'") >= 2);
                if (!connection.getAutoCommit()) connection.commit();
            }

            daemon.crash();
            daemon.start();
            assertEquals(at, daemon.schedule().nextMaintenance("blog").orElseThrow(), "the one-off window is still set");
            assertEquals(List.of("sitemap"), daemon.runs().tasks("blog").stream().map(t -> t.name()).toList());
        }
    }

    @Test
    void fiveSitesInOneWindowWithMaxConcurrentOneRestartOneAfterAnother() throws Exception {
        try (Assembly daemon = new Assembly(dir)) {
            Instant due = Instant.now().plusSeconds(6).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            StringBuilder sites = new StringBuilder();
            // each site takes a second to stop, so the five due together overlap; how many find
            // another window under way when they fire is up to the machine: Quartz fires the five
            // one after another, a database round trip each, and under load they spread over seconds
            for (int i = 0; i < 5; i++) {
                sites.append("s").append(i).append(":\n").append("""
                          command: [sh, -c, 'trap "sleep 1; exit 0" TERM; sleep 1000 & wait']
                          startSeconds: 0s
                          maintenance: { cron: %s }
                        """.formatted(at(due)));
            }
            daemon.write("maintenance: { maxConcurrent: 1 }\n", sites.toString());
            daemon.start();
            Await.until("every window done", Duration.ofSeconds(30), () -> {
                for (int i = 0; i < 5; i++) if (!daemon.wasRecorded("s" + i, "maintenance done", r -> true)) return false;
                return true;
            });
            List<long[]> spans = new ArrayList<>();
            int waited = 0;
            for (int i = 0; i < 5; i++) {
                List<HistoryEvent> events = daemon.recorded("s" + i);
                HistoryEvent began = events.get(indexOf(events, "maintenance", ""));
                HistoryEvent done = events.get(indexOf(events, "maintenance done", ""));
                spans.add(new long[]{began.atMillis(), done.atMillis()});
                if (indexOf(events, "maintenance waits", "") >= 0) waited++;
            }
            spans.sort((a, b) -> Long.compare(a[0], b[0]));
            for (int i = 1; i < spans.size(); i++) {
                assertTrue(spans.get(i)[0] >= spans.get(i - 1)[1], "one site at a time: window " + i + " began at " + spans.get(i)[0]
                        + ", before the one ahead ended at " + spans.get(i - 1)[1]);
            }
            assertTrue(waited >= 1, "the windows that fired while another was under way waited their turn"
                    + " (recorded for " + waited + " of the five)");
        }
    }

    @Test
    void anHttpTaskSucceedsOn2xxFailsOtherwiseAndIsAbandonedAtItsTimeout() throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.createContext("/broken", exchange -> {
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        server.createContext("/hang", exchange -> {
            try {
                release.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        try (Assembly daemon = new Assembly(dir)) {
            daemon.write("", "blog:\n" + SITE.indent(2) + """
                      tasks:
                        ok: { cron: %s, http: "%s/ok", method: POST }
                        broken: { cron: %s, http: "%s/broken" }
                        hang: { cron: %s, http: "%s/hang", timeout: 1s }
                    """.formatted(never(), base, never(), base, never(), base));
            daemon.start();
            daemon.runs().runTask("blog", "ok", Actor.operator("test"));
            daemon.runs().runTask("blog", "broken", Actor.operator("test"));
            daemon.runs().runTask("blog", "hang", Actor.operator("test"));
            Await.until("each run ended as its answer says", WAIT, () -> daemon.wasRecorded("blog", "task done", r -> r.startsWith("ok: HTTP 200"))
                    && daemon.wasRecorded("blog", "task failed", r -> r.startsWith("broken: HTTP 500"))
                    && daemon.wasRecorded("blog", "task timed out", r -> r.startsWith("hang: timed out after 1s")));
            var hang = daemon.runs().tasks("blog").stream().filter(t -> t.name().equals("hang")).findFirst().orElseThrow();
            assertNull(hang.runningSince(), "the abandoned request is no longer running");
            assertFalse(hang.lastRun().ok());
        } finally {
            release.countDown();
            server.stop(0);
        }
    }

    private static int indexOf(List<HistoryEvent> events, String kind, String reasonStart) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).kind().equals(kind) && events.get(i).reason().startsWith(reasonStart)) return i;
        }
        return -1;
    }

    private static int countOf(String text, String word) {
        int count = 0;
        for (int at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) count++;
        return count;
    }
}
