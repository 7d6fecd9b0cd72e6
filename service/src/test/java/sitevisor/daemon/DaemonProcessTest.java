package sitevisor.daemon;

import sitevisor.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sitevisor.db.History;
import sitevisor.db.HistoryEvent;
import sitevisor.db.HistoryQuery;
import sitevisor.db.Retention;
import sitevisor.posix.Cgroups;
import sitevisor.posix.ProcStat;
import sitevisor.posix.Processes;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME;
import static org.junit.jupiter.api.Assertions.*;
import static sitevisor.testing.Probes.freePort;
import static sitevisor.testing.Probes.get;
import static sitevisor.testing.Probes.isAlive;

/** The daemon as operators run it: its own JVM, signalled and killed for real. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DaemonProcessTest {
    // a daemon JVM starting beside the rest of the suite on 2 cores: 30 s was once not enough
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final String runId = UUID.randomUUID().toString();
    private final List<Process> daemons = new ArrayList<>();
    private int jolokiaPort;

    @TempDir
    Path dir;

    /** On a failure, before anything is stopped: what each daemon of the test printed, and its log file. */
    @RegisterExtension
    final AfterTestExecutionCallback printTheDaemonsOutput = context -> {
        if (context.getExecutionException().isEmpty()) return;
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".out")).sorted().toList()) {
                System.err.println("--- " + file.getFileName() + "\n" + Files.readString(file));
            }
        }
        Path log = dir.resolve("var/sitevisor.log");
        if (Files.exists(log)) System.err.println("--- " + log + "\n" + Files.readString(log));
    };

    @AfterEach
    void killEverythingThisTestStarted() throws Exception {
        daemons.forEach(Process::destroyForcibly);
        for (ProcStat p : Processes.all()) {
            if (Processes.environmentContains(p.pid(), "SITEVISOR_TEST_RUN=" + runId)) {
                ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        // and what dropped its environment, found in the home's cgroups, which go with it
        sitevisor.testing.SiteCgroups.killAndRemove(dir.resolve("var/run"));
    }

    private Path writeConfig(int webPort) throws IOException {
        return writeConfig(webPort, 0);
    }

    private Path writeConfig(int webPort, int jmxPort) throws IOException {
        Path config = dir.resolve("sitevisor.yml");
        if (jolokiaPort == 0) jolokiaPort = freePort();
        Files.writeString(config, """
                home: var
                jolokia: { port: %d }
                jmx: { port: %d }
                sites:
                  web:
                    command: [%s, -cp, '%s', sitevisor.demo.DemoSite, '{port}', web]
                    port: %d
                  worker:
                    command: [sleep, "1000"]
                    startSeconds: 0
                    instances: 2
                """.formatted(jolokiaPort, jmxPort, Path.of(System.getProperty("java.home"), "bin", "java"), System.getProperty("java.class.path"), webPort));
        return config;
    }

    private Process startDaemon(Path config, String outputName) throws IOException {
        return startDaemon(config, outputName, Map.of());
    }

    private Process startDaemon(Path config, String outputName, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "sitevisor.daemon.Main", "run", "-c", config.toString());
        builder.environment().putAll(environment);
        builder.environment().put("SITEVISOR_TEST_RUN", runId);
        builder.redirectErrorStream(true).redirectOutput(dir.resolve(outputName).toFile());
        Process daemon = builder.start();
        daemons.add(daemon);
        return daemon;
    }

    private String output(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            return "";
        }
    }

    private long pidIn(String pidFile) throws IOException {
        for (String line : Files.readAllLines(dir.resolve("var/run").resolve(pidFile))) {
            if (line.startsWith("pid=")) return Long.parseLong(line.substring(4));
        }
        throw new AssertionError("no pid in " + pidFile);
    }

    @Test
    void afterKill9TheNextDaemonAdoptsEveryRunningSiteThenStopsThemAllOnSigterm() throws Exception {
        int port = freePort();
        Path config = writeConfig(port);
        Process first = startDaemon(config, "first.out");
        await("first daemon supervising", () -> output("first.out").contains("supervising:"));
        long web = pidIn("web.pid");
        long worker0 = pidIn("worker-0.pid");
        long worker1 = pidIn("worker-1.pid");

        first.destroyForcibly();
        assertTrue(first.waitFor(10, TimeUnit.SECONDS), "kill -9 did not end the daemon");
        // the sites outlive the daemon and still serve — their output does not go through it
        assertTrue(isAlive(web) && isAlive(worker0) && isAlive(worker1));
        assertEquals(200, get("http://127.0.0.1:" + port + "/"));
        assertEquals(200, get("http://127.0.0.1:" + port + "/"));

        Process second = startDaemon(config, "second.out");
        await("second daemon supervising", () -> output("second.out").contains("supervising:"));
        String log = output("second.out");
        assertTrue(log.contains("adopted: web: pid " + web), log);
        assertTrue(log.contains("adopted: worker-0: pid " + worker0), log);
        assertTrue(log.contains("adopted: worker-1: pid " + worker1), log);
        assertFalse(log.contains("spawned:"), "a second copy was started:\n" + log);
        assertTrue(log.contains("found: web: pid " + web + " in web.pid"), log);
        // an adoption is the normal course after a daemon restart, nothing to warn about
        assertFalse(log.contains(" WARN "), log);
        assertEquals(web, pidIn("web.pid"));

        second.destroy(); // SIGTERM
        assertTrue(second.waitFor(30, TimeUnit.SECONDS), "daemon did not exit after SIGTERM");
        assertEquals(0, second.exitValue(), output("second.out"));
        assertFalse(isAlive(web) || isAlive(worker0) || isAlive(worker1), "a site outlived the daemon's graceful stop");
        assertTrue(output("second.out").contains("stopped: web"), output("second.out"));
        assertFalse(Files.exists(dir.resolve("var/run/web.pid")));
    }

    @Test
    void aSecondDaemonOnTheSameHomeIsRefusedAndDisturbsNothing() throws Exception {
        Path config = writeConfig(freePort());
        Process first = startDaemon(config, "first.out");
        await("first daemon supervising", () -> output("first.out").contains("supervising:"));
        long web = pidIn("web.pid");
        long worker0 = pidIn("worker-0.pid");

        Process second = startDaemon(config, "second.out");
        assertTrue(second.waitFor(15, TimeUnit.SECONDS), "the second daemon kept running beside the first");
        assertEquals(1, second.exitValue());
        String refusal = output("second.out");
        assertTrue(refusal.contains("another sitevisor daemon (pid " + first.pid() + ")"), refusal);
        for (String verb : List.of("spawned:", "adopted:", "stopping:", "killing:", "stale:")) {
            assertFalse(refusal.contains(verb), "the refused daemon acted (" + verb + "):\n" + refusal);
        }
        assertTrue(first.isAlive());
        assertEquals(web, pidIn("web.pid"));
        assertEquals(worker0, pidIn("worker-0.pid"));
        assertTrue(isAlive(web) && isAlive(worker0));
    }

    @Test
    void remoteJmxOnLoopbackAsksForTheGeneratedCredentials() throws Exception {
        int jmxPort = freePort();
        Path config = writeConfig(freePort(), jmxPort);
        startDaemon(config, "out");
        await("daemon supervising", () -> output("out").contains("supervising:"));
        assertTrue(output("out").contains("listening: remote JMX on service:jmx:rmi://127.0.0.1:" + jmxPort), output("out"));
        String credentials = Files.readString(dir.resolve("var/credentials")).trim();
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("var/credentials"))));
        String[] pair = {credentials.substring(0, credentials.indexOf(':')), credentials.substring(credentials.indexOf(':') + 1)};
        javax.management.remote.JMXServiceURL url = new javax.management.remote.JMXServiceURL(
                "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
        assertThrows(SecurityException.class, () -> javax.management.remote.JMXConnectorFactory.connect(url,
                java.util.Map.of(javax.management.remote.JMXConnector.CREDENTIALS, new String[]{pair[0], "guess"})).close());
        try (var connector = javax.management.remote.JMXConnectorFactory.connect(url,
                java.util.Map.of(javax.management.remote.JMXConnector.CREDENTIALS, pair))) {
            var connection = connector.getMBeanServerConnection();
            assertEquals("RUNNING", connection.getAttribute(sitevisor.mbeans.ObjectNames.site("web"), "State"));
            assertEquals(pidIn("web.pid"), connection.getAttribute(sitevisor.mbeans.ObjectNames.site("web"), "Pid"));
        }
    }

    @Test
    void theHttpAgentAnswersWithTheGeneratedCredentialsOnly() throws Exception {
        Path config = writeConfig(freePort());
        startDaemon(config, "out");
        await("daemon supervising", () -> output("out").contains("supervising:"));
        assertTrue(output("out").contains("listening: HTTP agent on http://127.0.0.1:" + jolokiaPort + "/jolokia/"), output("out"));
        String credentials = Files.readString(dir.resolve("var/credentials")).trim();
        var client = java.net.http.HttpClient.newHttpClient();
        var read = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + jolokiaPort + "/jolokia/read/sitevisor:type=Site,name=web/State"));
        assertEquals(401, client.send(read.build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
        var answer = client.send(read.header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(credentials.getBytes())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode());
        assertTrue(answer.body().contains("\"value\":\"RUNNING\""), answer.body());
    }

    /** The pid file of a running site is gone (it could not be written, or was lost): the next daemon finds the site by its marker. */
    @Test
    void aSiteWithoutItsPidFileIsFoundByItsMarkerAfterKill9OfTheDaemon() throws Exception {
        Path config = writeConfig(freePort());
        Process first = startDaemon(config, "first.out");
        await("first daemon supervising", () -> output("first.out").contains("supervising:"));
        long worker0 = pidIn("worker-0.pid");
        long worker1 = pidIn("worker-1.pid");
        Files.delete(dir.resolve("var/run/worker-0.pid"));
        first.destroyForcibly();
        assertTrue(first.waitFor(10, TimeUnit.SECONDS), "kill -9 did not end the daemon");

        Process second = startDaemon(config, "second.out");
        await("second daemon supervising", () -> output("second.out").contains("supervising:"));
        String log = output("second.out");
        assertTrue(log.contains("found: worker-0: pid " + worker0 + " by its marker, without a pid file"), log);
        assertTrue(log.contains("adopted: worker-0: pid " + worker0), log);
        assertTrue(log.contains("adopted: worker-1: pid " + worker1), log);
        assertFalse(log.contains("spawned: worker-0"), "a second copy of worker-0 was started:\n" + log);
        assertEquals(worker0, pidIn("worker-0.pid"), "the pid file was not written again");

        second.destroy();
        assertTrue(second.waitFor(30, TimeUnit.SECONDS), "daemon did not exit after SIGTERM");
        assertFalse(isAlive(worker0), "worker-0 outlived the daemon's shutdown: it was not supervised");
    }

    /** A program that wrote over its environment (as nginx does) and lost its pid file: its cgroup still names it. */
    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void aSiteWithoutPidFileOrMarkerIsFoundInItsCgroupAfterKill9OfTheDaemon(String cgroups) throws Exception {
        Cgroups.Found found = Cgroups.forHome(dir.resolve("var/run"), cgroups);
        org.junit.jupiter.api.Assumptions.assumeTrue(found.cgroups().isPresent(),
                "no cgroup " + cgroups + " here (" + found.whyNone() + "): only markers and pid files find a site's processes");
        Map<String, String> choice = Map.of(Cgroups.CHOICE, cgroups);
        Path config = dir.resolve("sitevisor.yml");
        jolokiaPort = freePort();
        Files.writeString(config, """
                home: var
                jolokia: { port: %d }
                sites:
                  bare:
                    command: [env, -i, sleep, "1000"]
                    startSeconds: 0
                """.formatted(jolokiaPort));
        Process first = startDaemon(config, "first.out", choice);
        await("first daemon supervising", () -> output("first.out").contains("supervising:"));
        long bare = pidIn("bare.pid");
        Files.delete(dir.resolve("var/run/bare.pid"));
        first.destroyForcibly();
        assertTrue(first.waitFor(10, TimeUnit.SECONDS), "kill -9 did not end the daemon");

        Process second = startDaemon(config, "second.out", choice);
        await("second daemon supervising", () -> output("second.out").contains("supervising:"));
        String log = output("second.out");
        assertTrue(log.contains("tracking: the sites' processes in a cgroup per instance, cgroup " + cgroups), log);
        assertTrue(log.contains("found: bare: pid " + bare + " in its cgroup, without a pid file"), log);
        assertFalse(log.contains("spawned: bare"), "a second copy was started:\n" + log);

        second.destroy();
        assertTrue(second.waitFor(30, TimeUnit.SECONDS), "daemon did not exit after SIGTERM");
        assertFalse(isAlive(bare), "the site outlived the daemon's shutdown: it was not supervised");
    }

    @Test
    void configErrorsStopTheDaemonBeforeItActsOnAnything() throws Exception {
        Path config = dir.resolve("sitevisor.yml");
        Files.writeString(config, """
                home: var
                sites:
                  blog:
                    command: [sleep, "1000"]
                    stopTimout: 10s
                """);
        Process daemon = startDaemon(config, "out");
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, daemon.exitValue());
        assertTrue(output("out").contains("sites.blog.stopTimout"), output("out"));
        assertTrue(output("out").contains("stopTimeout"), output("out"));
        assertFalse(Files.exists(dir.resolve("var/run")), "acted on a bad config");
    }

    @Test
    void aHeldHttpAgentPortStopsTheDaemonBeforeAnySiteStarts() throws Exception {
        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path marker = dir.resolve("site-started");
            Path config = dir.resolve("sitevisor.yml");
            Files.writeString(config, """
                    home: var
                    jolokia: { port: %d }
                    sites:
                      blog:
                        command: [touch, '%s']
                        startSeconds: 0
                    """.formatted(held.getLocalPort(), marker));
            Process daemon = startDaemon(config, "out");
            assertTrue(daemon.waitFor(30, TimeUnit.SECONDS), "the daemon ran on without its HTTP agent");
            assertEquals(1, daemon.exitValue());
            String out = output("out");
            assertTrue(out.contains("cannot listen for the HTTP agent on 127.0.0.1:" + held.getLocalPort()), out);
            assertTrue(out.contains("held by pid " + ProcessHandle.current().pid()), out);
            assertFalse(out.contains("spawned:"), out);
            assertFalse(out.contains("\tat "), "one line an operator reads, not a stack trace:\n" + out);
            assertFalse(Files.exists(marker), "a site started although the daemon could not open its HTTP agent");
        }
    }

    @Test
    void everyEventOfTheStartIsInTheHistoryInItsOrderThoughTheSitesStartWhileItOpens() throws Exception {
        Path config = writeConfig(freePort());
        Process daemon = startDaemon(config, "out");
        await("daemon supervising", () -> output("out").contains("supervising:"));
        long web = pidIn("web.pid");
        daemon.destroy(); // SIGTERM
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS), "daemon did not exit after SIGTERM");
        assertEquals(0, daemon.exitValue(), output("out"));

        try (History history = History.open(dir.resolve("var/db"), Retention.DEFAULT, Clock.systemUTC())) {
            List<HistoryEvent> oldestFirst = new ArrayList<>(history.query(HistoryQuery.latestOfAll(1000)));
            Collections.reverse(oldestFirst);
            List<String> lines = oldestFirst.stream().map(e -> e.site() + " " + e.kind() + " " + e.toState() + " " + e.reason()).toList();
            int started = indexOf(lines, l -> l.startsWith(" daemon ") && l.contains("started: pid " + daemon.pid()));
            int webStarting = indexOf(lines, l -> l.startsWith("web ") && l.contains(" STARTING pid " + web));
            int webRunning = indexOf(lines, l -> l.startsWith("web ") && l.contains(" RUNNING pid " + web));
            int webStopped = indexOf(lines, l -> l.startsWith("web ") && l.contains(" STOPPED "));
            int exiting = indexOf(lines, l -> l.startsWith(" daemon ") && l.contains("exiting: every site stopped"));
            assertTrue(0 <= started && started < webStarting && webStarting < webRunning && webRunning < webStopped && webStopped < exiting,
                    "the start's events are missing or out of order:\n" + String.join("\n", lines));
            assertEquals(2, lines.stream().filter(l -> l.startsWith("worker ") && l.contains(" RUNNING ")).count(), String.join("\n", lines));
        }
    }

    @Test
    void aHistoryThatCannotOpenEndsTheDaemonAndTheSitesItStartedRunOnForTheNextOneToAdopt() throws Exception {
        int port = freePort();
        Path config = writeConfig(port);
        Files.createDirectories(dir.resolve("var"));
        Files.writeString(dir.resolve("var/db"), "a file where the history's folder belongs\n");
        Process first = startDaemon(config, "first.out");
        assertTrue(first.waitFor(30, TimeUnit.SECONDS), "the daemon ran on without its history");
        assertEquals(1, first.exitValue(), output("first.out"));
        String out = output("first.out");
        assertTrue(out.contains("cannot start:") && out.contains("var/db") && out.contains("the sites keep running"), out);
        long web = pidIn("web.pid");
        long worker0 = pidIn("worker-0.pid");
        assertTrue(isAlive(web) && isAlive(worker0), "the sites did not outlive a daemon that could not open its history");
        assertEquals(200, get("http://127.0.0.1:" + port + "/"));

        Files.delete(dir.resolve("var/db"));
        Process second = startDaemon(config, "second.out");
        await("second daemon supervising", () -> output("second.out").contains("supervising:"));
        String log = output("second.out");
        assertTrue(log.contains("adopted: web: pid " + web) && log.contains("adopted: worker-0: pid " + worker0), log);
        assertFalse(log.contains("spawned:"), "a second copy was started:\n" + log);
        second.destroy();
        assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, second.exitValue(), output("second.out"));
        assertFalse(isAlive(web) || isAlive(worker0));
    }

    @Test
    void withNothingScheduledQuartzOpensOnlyWhenAnOperatorSetsAWindowWhichFiresAndIsKeptForTheNextDaemon() throws Exception {
        Path config = writeConfig(freePort());
        Process first = startDaemon(config, "first.out");
        await("first daemon supervising", () -> output("first.out").contains("supervising:"));
        assertTrue(output("first.out").contains("deferred: the scheduler"), output("first.out"));
        assertFalse(runsQuartz(first.pid()), "Quartz runs in a daemon with nothing scheduled");

        long web = pidIn("web.pid");
        // seconds ahead: this first scheduling call is also what opens Quartz on the history, which a loaded machine takes a while to do
        OffsetDateTime soon = OffsetDateTime.now().plusSeconds(8).truncatedTo(ChronoUnit.SECONDS);
        OffsetDateTime later = soon.plusHours(6);
        for (OffsetDateTime at : List.of(soon, later)) {
            String answer = jolokia("{\"type\":\"exec\",\"mbean\":\"sitevisor:type=Site,name=web\",\"operation\":\"scheduleMaintenance\",\"arguments\":[\"" + ISO_OFFSET_DATE_TIME.format(at) + "\"]}");
            assertTrue(answer.contains("\"status\":200") && answer.contains("maintenance restart of site 'web' set for"), answer);
        }
        assertTrue(output("first.out").contains("(an operator acts on tasks or windows)"), output("first.out"));
        assertTrue(runsQuartz(first.pid()), "the scheduler did not open for the operator's window");
        await("the window restarted web", () -> Files.exists(dir.resolve("var/run/web.pid")) && pidIn("web.pid") != web
                && output("first.out").contains("maintenance done: web"));

        first.destroy();
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        Process second = startDaemon(config, "second.out");
        await("second daemon supervising", () -> output("second.out").contains("supervising:"));
        assertTrue(output("second.out").contains("(an earlier run stored tasks or windows)"), output("second.out"));
        String next = jolokia("{\"type\":\"read\",\"mbean\":\"sitevisor:type=Site,name=web\",\"attribute\":\"NextMaintenance\"}");
        assertTrue(next.contains("\"value\":\"" + ISO_OFFSET_DATE_TIME.format(later) + "\""), "the later window is not next: " + next);
    }

    @Test
    void aReloadThatBringsTheFirstTaskOpensTheSchedulerAndTheTaskRuns() throws Exception {
        Path config = writeConfig(freePort());
        Process daemon = startDaemon(config, "out");
        await("daemon supervising", () -> output("out").contains("supervising:"));
        assertFalse(runsQuartz(daemon.pid()), "Quartz runs in a daemon with nothing scheduled");

        Path ran = dir.resolve("ran");
        Files.writeString(config, Files.readString(config) + """
                    tasks:
                      mark: { cron: "* * * * * ?", command: [touch, '%s'] }
                """.formatted(ran));
        String answer = jolokia("{\"type\":\"exec\",\"mbean\":\"sitevisor:type=Supervisor\",\"operation\":\"reload\"}");
        assertTrue(answer.contains("\"status\":200"), answer);
        assertTrue(output("out").contains("(a reload brought tasks or windows)"), output("out"));
        await("the reloaded task ran", () -> Files.exists(ran));
    }

    /** Whether a thread of the daemon is Quartz's: its scheduler thread is there from the moment Quartz opens. */
    private static boolean runsQuartz(long pid) throws IOException {
        try (var threads = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path thread : threads.toList()) {
                try {
                    if (Files.readString(thread.resolve("comm")).contains("Quartz")) return true;
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return false;
    }

    private String jolokia(String request) throws Exception {
        String credentials = Files.readString(dir.resolve("var/credentials")).trim();
        var post = java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + jolokiaPort + "/jolokia/"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(credentials.getBytes()))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(request)).build();
        return java.net.http.HttpClient.newHttpClient().send(post, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int indexOf(List<String> lines, java.util.function.Predicate<String> match) {
        for (int i = 0; i < lines.size(); i++) if (match.test(lines.get(i))) return i;
        return -1;
    }

    private static void await(String what, Await.Condition condition) throws Exception {
        Await.until(what, WAIT, condition);
    }
}
