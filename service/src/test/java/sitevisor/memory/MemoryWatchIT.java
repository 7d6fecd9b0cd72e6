package sitevisor.memory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.posix.ProcessMemory;
import sitevisor.testing.Await;
import sitevisor.testing.GrowingSite;
import sitevisor.testing.Launched;
import sitevisor.testing.Launched.Run;
import sitevisor.testing.PreforkedPool;
import sitevisor.testing.Probes;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The memory watch of a daemon as operators run it ({@code bin/sitevisor run}), on real sites that
 * grow on request, a real preforked pool, and a host emergency brought about by pointing the
 * daemon at a meminfo file of the test's own, so the machine's memory is never exhausted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MemoryWatchIT {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final long MB = 1024 * 1024;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    Launched launched;

    @BeforeEach
    void setUp() throws Exception {
        launched = new Launched(dir);
        Files.writeString(dir.resolve("grow.py"), GrowingSite.script());
    }

    @AfterEach
    void stopEverythingThisTestStarted() {
        launched.close();
    }

    private static String grow(int port, int megabytes) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/grow?mb=" + megabytes)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private List<String> log() throws IOException {
        return launched.daemonOutput(1).lines().toList();
    }

    /** Waits for a line of the daemon's log; a test that fails here shows the whole log. */
    private String awaitLine(String what, Predicate<String> line) throws Exception {
        try {
            Await.until(what, WAIT, () -> log().stream().anyMatch(line));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n--- the daemon's log:\n" + launched.daemonOutput(1), e);
        }
        return log().stream().filter(line).findFirst().orElseThrow();
    }

    private int indexOf(Predicate<String> line) throws IOException {
        List<String> lines = log();
        for (int i = 0; i < lines.size(); i++) if (line.test(lines.get(i))) return i;
        return -1;
    }

    private static Predicate<String> has(String... parts) {
        return line -> {
            for (String part : parts) if (!line.contains(part)) return false;
            return true;
        };
    }

    private Run cli(String... arguments) throws Exception {
        Run run = launched.cli(arguments);
        assertEquals(0, run.exitCode(), run + "\n--- the daemon's log:\n" + launched.daemonOutput(1));
        return run;
    }

    private long pidOf(String site) throws Exception {
        Matcher pid = Pattern.compile("\"pid\":(\\d+)").matcher(cli("status", site, "--json").out());
        assertTrue(pid.find());
        return Long.parseLong(pid.group(1));
    }

    @Test
    void aSiteOverItsWarningIsToldOnceAndOverItsLimitIsRestartedGracefullyWithTheFigures() throws Exception {
        int port = Probes.freePort();
        launched.writeConfig("", """
                  grow:
                    command: [python3, grow.py, "{port}"]
                    port: %d
                    memory: { warn: 40MB, restart: 60MB, for: 1s }
                """.formatted(port));
        launched.startDaemon();
        String row = cli("status", "grow").out().lines().filter(line -> line.startsWith("grow ")).findFirst().orElseThrow();
        assertTrue(row.matches(".* [0-9.]+MB/60MB .*"), "the memory with the limit beside it: " + row);
        long before = pidOf("grow");

        grow(port, 35);
        awaitLine("the warning", has("memory: grow: ", "over warn 40MB (restart at 60MB) [policy memory]"));
        grow(port, 1);
        grow(port, 30);
        String ready = awaitLine("the restart's new process ready", has("ready: grow: ", "[policy memory]"));

        int over = indexOf(has("memory: grow: ", "over restart 60MB; restarting in 1s unless it falls back under"));
        int restarting = indexOf(has("memory: grow: restarting: ", "over restart 60MB for 1s"));
        int stopping = indexOf(has("stopping: grow: SIGTERM to pid " + before, "[policy memory]"));
        int stopped = indexOf(has("stopped: grow: stopped in ", "[policy memory]"));
        assertTrue(over >= 0 && over < restarting && restarting < stopping && stopping < stopped && stopped < indexOf(has(ready)),
                "warned, over, restarting, then a graceful stop and start:\n" + launched.daemonOutput(1));
        assertEquals(1, log().stream().filter(has("memory: grow: ", "over warn")).count(), "one warning per crossing, not one per reading");
        assertNotEquals(before, pidOf("grow"));

        String history = cli("history", "grow").out();
        assertTrue(history.contains("over restart 60MB for 1s") && history.contains("policy memory"), history);
    }

    @Test
    void limitsAReloadGivesARunningSiteAreWatchedFromThenOnWithoutARestart() throws Exception {
        int port = Probes.freePort();
        String site = """
                  grow:
                    command: [python3, grow.py, "{port}"]
                    port: %d
                """.formatted(port);
        launched.writeConfig("", site);
        launched.startDaemon();
        long before = pidOf("grow");
        assertTrue(launched.daemonOutput(1).contains("memory: no site has memory limits; no host emergency"), launched.daemonOutput(1));

        launched.writeConfig("", site + "    memory: { restart: 60MB, for: 0s }\n");
        String reload = cli("reload").out();
        assertTrue(reload.contains("retuned:   grow"), reload);
        assertEquals(before, pidOf("grow"), "new limits restart nothing");

        grow(port, 70);
        awaitLine("the restart the new limit called for", has("ready: grow: ", "[policy memory]"));
        assertNotEquals(before, pidOf("grow"));
    }

    @Test
    void aPreforkedPoolIsNotRestartedAtALimitOnlyItsSummedResidentSizeCrosses() throws Exception {
        Files.writeString(dir.resolve("pool.py"), PreforkedPool.script(64 * MB, 3));
        int port = Probes.freePort();
        // the pool first: each reading of the watch reads it before the site that shows the watch acts
        launched.writeConfig("", """
                  pool:
                    command: [python3, pool.py]
                    startSeconds: 0
                    memory: { restart: 150MB, for: 0s }
                  grow:
                    command: [python3, grow.py, "{port}"]
                    port: %d
                    memory: { restart: 60MB, for: 0s }
                """.formatted(port));
        launched.startDaemon();
        long pool = pidOf("pool");
        Await.until("the pool's master and its three workers holding their shared pages", WAIT,
                () -> ProcessMemory.tree(pool).size() == 4 && ProcessMemory.residentBytes(ProcessMemory.tree(pool)) > 200 * MB);

        grow(port, 80);
        awaitLine("the site over its limit restarted", has("ready: grow: ", "[policy memory]"));

        long summedResident = ProcessMemory.residentBytes(ProcessMemory.tree(pool));
        assertTrue(summedResident > 150 * MB, "summed over its workers, the pool's resident size is over the limit: " + summedResident);
        assertEquals(-1, indexOf(has("memory: pool: ")), "the pool's own cost is under its limit:\n" + launched.daemonOutput(1));
        assertEquals(pool, pidOf("pool"));
    }

    @Test
    void aSiteOverItsLimitRightAfterEachRestartBacksOffThenIsLeftFatal() throws Exception {
        // holds 80 MB before it listens: over its limit from the start, every time
        Files.writeString(dir.resolve("hog.py"), """
                import socket, sys, time
                held = bytearray(80 * 1024 * 1024)
                for i in range(0, len(held), 4096):
                    held[i] = 1
                listener = socket.socket()
                listener.bind(('127.0.0.1', int(sys.argv[1])))
                listener.listen()
                time.sleep(1000)
                """);
        launched.writeConfig("", """
                  hog:
                    command: [python3, hog.py, "{port}"]
                    port: %d
                    memory: { restart: 50MB, for: 0s }
                    restartLimit: 2
                    backoff: 1s
                """.formatted(Probes.freePort()));
        launched.startDaemon();

        String gaveUp = awaitLine("the site left FATAL", has("gave up: hog: memory: "));
        assertTrue(gaveUp.contains("over restart 50MB again within 1m of each of its last 2 memory restarts (restartLimit 2)"), gaveUp);
        assertEquals(2, log().stream().filter(has("memory: hog: restarting: ")).count(), launched.daemonOutput(1));
        assertTrue(indexOf(has("memory: hog: ", "restarting in 1s unless it falls back under")) >= 0, "the second restart waited its back-off");
        String status = cli("status", "hog").out();
        assertTrue(status.contains("FATAL") && status.contains("memory: "), status);
    }

    @Test
    void aHostEmergencyStopsTheLowestPriorityFirstThenTheLargestAndKillsOnlyWhileItHolds() throws Exception {
        Path meminfo = dir.resolve("meminfo");
        writeMeminfo(meminfo, 900_000);
        launched.daemonEnvironment("SITEVISOR_MEMINFO", meminfo.toString());
        Files.writeString(dir.resolve("stubborn.py"), """
                import signal, time
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                time.sleep(1000)
                """);
        int bigPort = Probes.freePort();
        launched.writeConfig("memory: { emergency: { available: 10%, for: 1s, grace: 1s } }\n", """
                  small:
                    command: [sleep, "1000"]
                    startSeconds: 0
                    priority: 50
                  big:
                    command: [python3, grow.py, "{port}"]
                    port: %d
                    priority: 50
                  stubborn:
                    command: [python3, stubborn.py]
                    startSeconds: 0
                    stopTimeout: 60s
                    priority: 10
                """.formatted(bigPort));
        // a process of no site, which nothing the daemon does may touch
        Process bystander = launched.start(new ProcessBuilder("sleep", "1000"));
        launched.startDaemon();
        grow(bigPort, 50);
        long stubborn = pidOf("stubborn");

        writeMeminfo(meminfo, 50_000);
        awaitLine("every site stopped", has("memory: emergency: ", "no site is left running to stop"));
        int first = indexOf(has("memory: stubborn: host memory emergency: the host has 49MB available of 977MB (5.0%), under 10%"));
        int killed = indexOf(has("memory: stubborn: SIGKILL: ", "still under 10% 1s after the stop signal"));
        int stubbornStopped = indexOf(has("stopped: stubborn: ", "by SIGKILL: pid " + stubborn, "outlived SIGTERM until a kill"));
        int second = indexOf(has("memory: big: host memory emergency: ", "stopping big (priority 50, "));
        int third = indexOf(has("memory: small: host memory emergency: ", "stopping small (priority 50, "));
        assertTrue(first >= 0 && first < killed && killed < stubbornStopped && stubbornStopped < second && second < third,
                "the lowest priority first, killed only after its grace; then the larger of the two others:\n" + launched.daemonOutput(1));
        assertTrue(indexOf(has("stopped in the host memory emergency: it had ")) >= 0, launched.daemonOutput(1));
        assertEquals(-1, indexOf(has("memory: big: SIGKILL")), "big ended on its stop signal: nothing to kill");

        writeMeminfo(meminfo, 900_000);
        awaitLine("the emergency over", has("memory: emergency over: ", "back over 10%; stopped stubborn, big, small"));
        assertTrue(bystander.isAlive(), "a process of no site is never stopped");
        String status = cli("status").out();
        assertEquals(3, status.lines().filter(line -> line.contains("STOPPED")).count(), status);
    }

    private static void writeMeminfo(Path file, long availableKilobytes) throws IOException {
        Files.writeString(file, """
                MemTotal:        1000000 kB
                MemFree:         %d kB
                MemAvailable:    %d kB
                SwapTotal:             0 kB
                SwapFree:              0 kB
                """.formatted(availableKilobytes, availableKilobytes));
    }
}
