package sitevisor.history;

import org.jolokia.json.parser.JSONParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.mbeans.ObjectNames;
import sitevisor.testing.Await;
import sitevisor.testing.Launched;

import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import static sitevisor.testing.Probes.freePort;
import static sitevisor.testing.Probes.isAlive;

/** The history as operators meet it: a real daemon through bin/sitevisor, a real H2 file, killed for real. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class HistoryIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String WEB = "  web:\n    command: [sleep, \"1000\"]\n    startSeconds: 0\n";

    @TempDir
    Path dir;
    Launched launched;

    @BeforeEach
    void setUp() throws Exception {
        launched = new Launched(dir);
    }

    @AfterEach
    void tearDown() {
        launched.close();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> history(String... arguments) throws Exception {
        List<String> all = new ArrayList<>(List.of("history"));
        all.addAll(List.of(arguments));
        all.add("--json");
        Launched.Run run = launched.cli(all.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.toString());
        List<Object> events = (List<Object>) ((Map<String, Object>) new JSONParser().parse(run.out())).get("events");
        return events.stream().map(e -> (Map<String, Object>) e).toList();
    }

    private long pidOfWeb() throws Exception {
        Launched.Run status = launched.cli("status", "web", "--json");
        Matcher pid = Pattern.compile("\"pid\":(\\d+)").matcher(status.out());
        assertTrue(pid.find(), status.toString());
        return Long.parseLong(pid.group(1));
    }

    private String credentials() throws Exception {
        return Files.readString(launched.home().resolve("credentials")).trim();
    }

    @Test
    void aCrashARestartThroughTheCliAndOneThroughJmxAreRecordedWithWhoAsked() throws Exception {
        int jmxPort = freePort();
        launched.writeConfig("jmx: { port: " + jmxPort + " }\n", WEB);
        launched.startDaemon();

        assertEquals(0, launched.cli("restart", "web").exitCode());
        String[] userAndPassword = credentials().split(":", 2);
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"),
                Map.of(JMXConnector.CREDENTIALS, new String[]{userAndPassword[0], userAndPassword[1]}))) {
            MBeanServerConnection jmx = connector.getMBeanServerConnection();
            jmx.invoke(ObjectNames.site("web"), "restart", new Object[0], new String[0]);
        }
        long beforeCrash = pidOfWeb();
        ProcessHandle.of(beforeCrash).orElseThrow().destroyForcibly();
        Await.until("the crash restarted by the policy", WAIT, () -> !isAlive(beforeCrash) && pidOfWeb() != 0 && pidOfWeb() != beforeCrash);

        List<Map<String, Object>> events = history("web", "-n", "100");
        String cliUser = "operator cli user " + System.getProperty("user.name") + " (jolokia user sitevisor from 127.0.0.1)";
        assertTrue(has(events, "stopping", cliUser), "no stop asked through the CLI in " + events);
        assertTrue(has(events, "ready", cliUser), events.toString());
        assertTrue(has(events, "stopping", "operator jmx user sitevisor"), "no stop asked through JMX in " + events);
        Map<String, Object> crash = events.stream().filter(e -> "exited".equals(e.get("kind")) && ((Number) e.get("pid")).longValue() == beforeCrash)
                .findFirst().orElseThrow(() -> new AssertionError("no crash of " + beforeCrash + " in " + events));
        assertEquals(9L, ((Number) crash.get("signal")).longValue(), crash.toString());
        assertTrue(((Number) crash.get("durationMillis")).longValue() >= 0, "a crash records how long the process ran: " + crash);
        // newest first, and the daemon's own start is in the history of all sites
        for (int i = 1; i < events.size(); i++) {
            assertTrue(((Number) events.get(i - 1).get("id")).longValue() > ((Number) events.get(i).get("id")).longValue(), "not newest first");
        }
        assertTrue(history().stream().anyMatch(e -> "daemon".equals(e.get("kind")) && e.get("reason").toString().startsWith("started: pid")));

        // the table an operator reads: newest first, with the change of state, what it took and who asked
        Launched.Run table = launched.cli("history", "web", "-n", "200", "--since", "1h");
        assertEquals(0, table.exitCode(), table.toString());
        List<String> lines = table.out().lines().toList();
        assertTrue(lines.get(0).matches("TIME\\s+SITE\\s+INSTANCE\\s+EVENT\\s+STATE\\s+PID\\s+TOOK\\s+WHO\\s+REASON"), table.toString());
        assertTrue(lines.stream().anyMatch(line -> line.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+web\\s+0\\s+stopping\\s+RUNNING -> STOPPING\\s+\\d+\\s+\\S+\\s+"
                + Pattern.quote(cliUser) + "\\s+.*")), table.toString());
        Launched.Run unknown = launched.cli("history", "wbe");
        assertEquals(1, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.err().contains("no site named 'wbe' (known: web)"), unknown.toString());
    }

    private static boolean has(List<Map<String, Object>> events, String kind, String actor) {
        return events.stream().anyMatch(e -> kind.equals(e.get("kind")) && actor.equals(e.get("actor")));
    }

    @Test
    void killDashNineMidStreamLosesNoAcknowledgedEventAndRecordsTheAdoption() throws Exception {
        launched.writeConfig("", WEB);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        List<Long> acknowledged = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            Process daemon = launched.startDaemon();
            String authorization = "Basic " + Base64.getEncoder().encodeToString(credentials().getBytes(StandardCharsets.UTF_8));
            HttpRequest restart = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + launched.jolokiaPort() + "/jolokia/"))
                    .header("Authorization", authorization)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"exec\",\"mbean\":\"sitevisor:type=Site,name=web\",\"operation\":\"restart\"}"))
                    .build();
            // restarts as fast as they are acknowledged, in another thread, while this one kills the daemon mid-stream
            List<Long> thisRound = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread operator = new Thread(() -> {
                try {
                    while (true) {
                        String body = http.send(restart, HttpResponse.BodyHandlers.ofString()).body();
                        Matcher pid = Pattern.compile("RUNNING: pid (\\d+)").matcher(body);
                        if (pid.find()) thisRound.add(Long.parseLong(pid.group(1)));
                    }
                } catch (Exception daemonGone) {
                    // the kill ended the connection: what was acknowledged before is in thisRound
                }
            });
            operator.start();
            int target = 5 + round * 3;
            Await.until("restarts acknowledged", WAIT, () -> thisRound.size() >= target);
            daemon.destroyForcibly();
            assertTrue(daemon.waitFor(10, TimeUnit.SECONDS));
            operator.join(10_000);
            acknowledged.addAll(thisRound);
        }
        // killed once more while the site runs, quietly: the next daemon must adopt it, and say so
        Process daemon = launched.startDaemon();
        assertEquals(0, launched.cli("restart", "web").exitCode());
        long running = pidOfWeb();
        daemon.destroyForcibly();
        assertTrue(daemon.waitFor(10, TimeUnit.SECONDS));
        launched.startDaemon();
        assertEquals(running, pidOfWeb(), "the daemon did not adopt the running site");
        List<Map<String, Object>> events = history("web", "-n", "10000");
        for (long pid : acknowledged) {
            assertTrue(events.stream().anyMatch(e -> "ready".equals(e.get("kind")) && ((Number) e.get("pid")).longValue() == pid),
                    "the acknowledged restart to pid " + pid + " is not in the history");
        }
        assertTrue(events.stream().anyMatch(e -> "adopted".equals(e.get("kind")) && ((Number) e.get("pid")).longValue() == running),
                "the adoption of pid " + running + " after the last kill -9 is not in the history");
        assertTrue(acknowledged.size() >= 5 + 8 + 11, "fewer restarts acknowledged than asked: " + acknowledged.size());
    }

    @Test
    void aCorruptDatabaseIsMovedAsideAndTheDaemonStillSupervises() throws Exception {
        launched.writeConfig("", WEB);
        Path db = launched.home().resolve("db");
        Files.createDirectories(db);
        byte[] garbage = new byte[64 * 1024];
        new java.util.Random(42).nextBytes(garbage);
        Files.write(db.resolve("history.mv.db"), garbage);

        launched.startDaemon();
        assertTrue(pidOfWeb() > 0, "the daemon does not supervise");
        List<Path> movedAside = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(db)) {
            for (Path file : files) if (!file.getFileName().toString().startsWith("history.")) movedAside.add(file);
        }
        assertEquals(1, movedAside.size(), "expected the corrupt file moved aside in " + db);
        assertArrayEquals(garbage, Files.readAllBytes(movedAside.get(0)), "the moved file is not the corrupt one, whole");
        assertTrue(launched.daemonOutput(1).contains(movedAside.get(0).getFileName().toString()), "not told loudly:\n" + launched.daemonOutput(1));
        assertTrue(history().stream().anyMatch(e -> e.get("reason").toString().contains(movedAside.get(0).getFileName().toString())),
                "the fresh history does not say what was moved aside");
    }
}
