package sitevisor.daemon;

import org.jolokia.json.parser.JSONParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.client.LockFile;
import sitevisor.testing.Await;
import sitevisor.testing.Launched;
import sitevisor.testing.Launched.Run;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static sitevisor.testing.Probes.freePort;
import static sitevisor.testing.Probes.get;
import static sitevisor.testing.Probes.isAlive;

/**
 * The CLI as operators run it: {@code bin/sitevisor} against a daemon that {@code bin/sitevisor run}
 * started, over real HTTP, with real sites. Runs after {@code package}, on the built jar.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CliIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path LAUNCHER = Launched.LAUNCHER;
    private static final String JAVA = Launched.JAVA;

    @TempDir
    Path dir;
    Launched launched;
    Path config;
    int webPort;

    @BeforeEach
    void setUp() throws Exception {
        launched = new Launched(dir);
        config = launched.config();
    }

    @AfterEach
    void stopEverythingThisTestStarted() {
        launched.close();
    }

    private String sites() {
        return """
                  web:
                    command: [%s, -cp, '%s', sitevisor.demo.DemoSite, '{port}', web]
                    port: %d
                  worker:
                    command: [sh, -c, 'echo "worker {instance} up"; exec sleep 1000']
                    startSeconds: 0
                    instances: 2
                """.formatted(JAVA, System.getProperty("java.class.path"), webPort);
    }

    private void writeConfig(String sites) throws IOException {
        launched.writeConfig("", sites);
    }

    private Process startDaemon() throws Exception {
        webPort = freePort();
        return startDaemon(sites());
    }

    private Process startDaemon(String sites) throws Exception {
        writeConfig(sites);
        return launched.startDaemon();
    }

    private Run cli(String... arguments) throws Exception {
        return launched.cli(arguments);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> json(Run run) throws Exception {
        assertEquals(0, run.exitCode(), run.toString());
        return (Map<String, Object>) new JSONParser().parse(run.out());
    }

    /** Instance rows of one site from {@code status --json}. */
    private List<Map<String, Object>> instancesOf(String site) throws Exception {
        for (Object each : Json.list(json(cli("status", "--json")).get("sites"))) {
            Map<String, Object> row = Json.map(each);
            if (site.equals(row.get("site"))) return Json.list(row.get("instances")).stream().map(Json::map).toList();
        }
        throw new AssertionError("no site " + site + " in status");
    }

    private long pidOf(String site, int instance) throws Exception {
        return Json.number(instancesOf(site).get(instance), "pid");
    }

    @Test
    void aCommandGivenWhileTheDaemonStartsWaitsForItsHttpAgent() throws Exception {
        webPort = freePort();
        writeConfig(sites());
        Process daemon = launched.launchDaemon();
        // the daemon holds its home before its sites start, and opens the HTTP agent a second or so later
        Await.until("the daemon holding its home", WAIT, () -> LockFile.isHeld(launched.home()));
        Run status = cli("status");
        assertEquals(0, status.exitCode(), status + "\n" + launched.daemonOutput(1));
        assertTrue(status.out().lines().anyMatch(line -> line.startsWith("web ")), status.toString());

        daemon.destroy();
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
        assertFalse(LockFile.isHeld(launched.home()), "the lock outlived its daemon");
        Run unreachable = cli("status");
        assertEquals(3, unreachable.exitCode(), unreachable.toString());
        assertTrue(unreachable.err().contains("not reachable"), unreachable.toString());
    }

    @Test
    void theDaemonAndTheClientRunOnClassArchivesWrittenAfterTheBuild() throws Exception {
        Path target = LAUNCHER.getParent().getParent().resolve("service/target");
        Path clientTarget = LAUNCHER.getParent().getParent().resolve("client/target");
        Process first = startDaemon();
        first.destroy();
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        // a rebuild that changed only a library: the JVM refuses an archive older than any jar on its class path
        Path library;
        try (var libraries = Files.list(target.resolve("lib"))) {
            library = libraries.filter(file -> file.getFileName().toString().startsWith("sitevisor-scheduler")).findFirst().orElseThrow();
        }
        Files.setLastModifiedTime(library, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
        Process daemon = startDaemon();
        assertEquals(0, cli("status").exitCode());
        Path daemonArchive = target.resolve("sitevisor-daemon.jsa");
        assertTrue(Files.getLastModifiedTime(daemonArchive).compareTo(Files.getLastModifiedTime(library)) > 0,
                "the daemon's archive was written again after its library changed");
        assertTrue(Files.getLastModifiedTime(daemonArchive).compareTo(Files.getLastModifiedTime(target.resolve("sitevisor.jar"))) > 0,
                "the daemon's archive is newer than the jar");
        assertTrue(Files.readString(Path.of("/proc/" + daemon.pid() + "/maps")).contains(daemonArchive.toString()),
                "the daemon maps " + daemonArchive);
        Path clientArchive = clientTarget.resolve("sitevisor-client.jsa");
        assertTrue(Files.getLastModifiedTime(clientArchive).compareTo(Files.getLastModifiedTime(clientTarget.resolve("sitevisor-client.jar"))) > 0,
                "the client's archive is newer than its jar");
        for (Path folder : List.of(target, clientTarget)) {
            try (var leftovers = Files.list(folder)) {
                assertTrue(leftovers.noneMatch(file -> file.getFileName().toString().matches("sitevisor-(daemon|client)\\.jsa\\..*")),
                        "no half-written archive is left in " + folder);
            }
        }
    }

    @Test
    void statusShowsEveryInstanceAndRestartGivesANewPidThatServes() throws Exception {
        startDaemon();
        Run status = cli("status");
        assertEquals(0, status.exitCode(), status.toString());
        List<String> lines = status.out().lines().toList();
        assertTrue(lines.get(0).matches("SITE\\s+INSTANCE\\s+STATE\\s+PID\\s+UPTIME\\s+PORT\\s+MEMORY\\s+RESTARTS\\s+NEXT MAINT\\..*"), status.toString());
        assertTrue(lines.get(1).matches("web\\s+0\\s+RUNNING\\s+\\d+\\s+\\S+\\s+" + webPort + "\\s.*"), status.toString());
        // worker has no port, and a few MB of memory: sh exec'd into sleep; no maintenance window
        assertTrue(lines.get(2).matches("worker\\s+0\\s+RUNNING\\s+\\d+\\s+\\d+s\\s+-\\s+[0-9.]+[KM]B\\s+0\\s+-"), status.toString());
        assertTrue(lines.get(3).matches("worker\\s+1\\s+RUNNING\\s+\\d+.*"), status.toString());

        long before = pidOf("web", 0);
        Run restart = cli("restart", "web");
        assertEquals(0, restart.exitCode(), restart.toString());
        assertTrue(restart.out().startsWith("web: RUNNING: pid "), restart.toString());
        long after = pidOf("web", 0);
        assertNotEquals(before, after);
        assertFalse(isAlive(before), "the old process outlived the restart");
        assertEquals(200, get("http://127.0.0.1:" + webPort + "/"));
        // who asked travels with the event: the OS user the CLI runs as, through the HTTP agent
        String daemonLog = Files.readString(dir.resolve("var/sitevisor.log"));
        assertTrue(daemonLog.contains("[operator cli user " + System.getProperty("user.name") + " (jolokia user sitevisor from 127.0.0.1)]"), daemonLog);
    }

    @Test
    void stopLeavesNoProcessAndStartAllBringsEverySiteBack() throws Exception {
        startDaemon();
        long worker0 = pidOf("worker", 0);
        long worker1 = pidOf("worker", 1);
        Run stop = cli("stop", "worker");
        assertEquals(0, stop.exitCode(), stop.toString());
        assertFalse(isAlive(worker0) || isAlive(worker1), "a worker process outlived its stop");
        assertFalse(Files.exists(dir.resolve("var/run/worker-0.pid")));
        assertEquals("STOPPED", instancesOf("worker").get(1).get("state"));

        Run stopAll = cli("stop", "all", "--json");
        Map<String, Object> stopped = json(stopAll);
        assertEquals(true, stopped.get("ok"), stopAll.toString());
        assertEquals(3, Json.list(stopped.get("outcomes")).size(), stopAll.toString());

        Run startAll = cli("start", "all");
        assertEquals(0, startAll.exitCode(), startAll.toString());
        for (String row : List.of("web\\s+0\\s+RUNNING.*", "worker\\s+0\\s+RUNNING.*", "worker\\s+1\\s+RUNNING.*")) {
            assertTrue(startAll.out().lines().anyMatch(line -> line.matches(row)), row + " in\n" + startAll);
        }
        assertEquals(200, get("http://127.0.0.1:" + webPort + "/"));
    }

    @Test
    void exitCodesSayWhatHappened() throws Exception {
        Process daemon = startDaemon();
        // 2: not a command line
        for (String[] usage : List.of(new String[]{"frob"}, new String[]{"restart"}, new String[]{"kill", "all"},
                new String[]{"status", "--bogus"}, new String[]{"logs", "web", "-n", "many"})) {
            Run run = cli(usage);
            assertEquals(2, run.exitCode(), String.join(" ", usage) + ": " + run);
            assertTrue(run.err().contains("usage: sitevisor"), run.toString());
        }
        // 1: refused, and the message says why
        Run unknown = cli("restart", "wbe");
        assertEquals(1, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.err().contains("no site named 'wbe' (known: web, worker)"), unknown.toString());
        assertEquals(0, cli("stop", "web").exitCode());
        try (ServerSocket squatter = new ServerSocket(webPort, 1, InetAddress.getLoopbackAddress())) {
            Run refused = cli("start", "web", "--json");
            assertEquals(1, refused.exitCode(), refused.toString());
            String error = Json.text(Json.map(new JSONParser().parse(refused.out())), "error");
            assertTrue(error.contains("port " + webPort + " is held by pid " + ProcessHandle.current().pid()), refused.toString());
        }
        // 1: a start that did not end RUNNING failed, even though the daemon answered
        writeConfig(sites() + "  broken:\n    command: [sh, -c, 'exit 3']\n    startSeconds: 1s\n    autostart: false\n");
        Run reload = cli("reload");
        assertEquals(0, reload.exitCode(), reload.toString());
        Run backoff = cli("start", "broken");
        assertEquals(1, backoff.exitCode(), backoff.toString());
        assertTrue(backoff.err().startsWith("sitevisor start: broken: BACKOFF: "), backoff.toString());
        assertEquals(0, cli("stop", "broken").exitCode());
        // 2: a time the daemon would refuse
        Run badSince = cli("history", "--since", "yesterday");
        assertEquals(2, badSince.exitCode(), badSince.toString());
        // 0, and 1 for the reload: the config now names another port, but the daemon of this home runs on
        int running = launched.jolokiaPort();
        int edited = freePort();
        Files.writeString(config, Files.readString(config).replace("jolokia: { port: " + running, "jolokia: { port: " + edited));
        Run stillFound = cli("status");
        assertEquals(0, stillFound.exitCode(), stillFound.toString());
        assertTrue(stillFound.err().contains("listens on 127.0.0.1:" + running + ", not on 127.0.0.1:" + edited), stillFound.toString());
        Run reloadRefused = cli("reload");
        assertEquals(1, reloadRefused.exitCode(), reloadRefused.toString());
        assertTrue(reloadRefused.err().contains("jolokia.port changed from " + running + " to " + edited), reloadRefused.toString());
        // 3: nothing answers for this config, and the message says how to start it
        daemon.destroy();
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon did not stop on SIGTERM");
        Run unreachable = cli("status");
        assertEquals(3, unreachable.exitCode(), unreachable.toString());
        assertTrue(unreachable.err().contains("start it with: sitevisor run -c " + config), unreachable.toString());
    }

    @Test
    void logsPrintsTheLastLinesOfEveryInstanceAndFollowsNewOnes() throws Exception {
        startDaemon();
        Await.until("both workers wrote", WAIT, () -> wroteUp(dir.resolve("var/logs/worker/worker-0.log"))
                && wroteUp(dir.resolve("var/logs/worker/worker-1.log")));
        Run logs = cli("logs", "worker", "-n", "1");
        assertEquals(0, logs.exitCode(), logs.toString());
        assertEquals("==> worker-0.log <==\nworker 0 up\n\n==> worker-1.log <==\nworker 1 up\n", logs.out());

        Path followed = dir.resolve("follow.out");
        long oldPid = pidOf("web", 0);
        Process follow = launched.start(new ProcessBuilder(LAUNCHER.toString(), "logs", "web", "-f", "-n", "1", "-c", config.toString())
                .redirectOutput(followed.toFile()).redirectError(dir.resolve("follow.err").toFile()));
        // once the last line is printed the follower knows where the file ends: what comes next, it must follow
        Await.until("the last line printed", WAIT, () -> Files.readString(followed).contains("pid " + oldPid));
        assertEquals(0, cli("restart", "web").exitCode());
        long newPid = pidOf("web", 0);
        Await.until("the new process's first line followed", WAIT, () -> Files.readString(followed).contains("pid " + newPid));
        follow.destroy();
    }

    private static boolean wroteUp(Path log) throws IOException {
        return Files.exists(log) && Files.readString(log).contains("up");
    }

    private static String sleeper(String name, int seconds) {
        return "  " + name + ":\n    command: [sleep, \"" + seconds + "\"]\n    startSeconds: 0\n";
    }

    @Test
    void reloadStartsTheAddedStopsTheRemovedRestartsTheChangedAndLeavesTheRestAlone() throws Exception {
        startDaemon(sleeper("keep", 1000) + sleeper("gone", 1001) + sleeper("change", 1002));
        long keep = pidOf("keep", 0);
        long gone = pidOf("gone", 0);
        long change = pidOf("change", 0);

        writeConfig(sleeper("keep", 1000) + sleeper("change", 1003) + sleeper("fresh", 1004));
        Run reload = cli("reload");
        assertEquals(0, reload.exitCode(), reload.toString());
        assertTrue(reload.out().startsWith("added:     fresh\nremoved:   gone\nchanged:   change\nretuned:   -\nunchanged: keep\n"), reload.toString());
        assertEquals(keep, pidOf("keep", 0), "an untouched site was restarted");
        assertFalse(isAlive(gone), "the removed site still runs");
        long changed = pidOf("change", 0);
        assertNotEquals(change, changed);
        assertFalse(isAlive(change));
        assertTrue(Files.readString(Path.of("/proc/" + changed + "/cmdline")).contains("1003"), "the changed site runs its old command");
        assertTrue(isAlive(pidOf("fresh", 0)));
        Run afterRemoval = cli("status", "gone");
        assertEquals(1, afterRemoval.exitCode(), afterRemoval.toString());
        assertTrue(afterRemoval.err().contains("(known: keep, change, fresh)"), afterRemoval.toString());

        // a config with an error is refused whole: the running one stays, every process with it
        writeConfig(sleeper("keep", 1000) + "  change:\n    command: [/no/such/program]\n" + sleeper("fresh", 1004) + sleeper("later", 1005));
        Run refused = cli("reload");
        assertEquals(1, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("reload refused"), refused.toString());
        assertTrue(refused.err().contains("sites.change.command"), refused.toString());
        assertEquals(keep, pidOf("keep", 0));
        assertEquals(changed, pidOf("change", 0));
        Run status = cli("status");
        assertFalse(status.out().contains("later"), status.toString());

        // another file that names the same home reaches this daemon, whose reload would re-read its own file
        Path copy = launched.config().resolveSibling("edited-copy.yml");
        Files.writeString(copy, Files.readString(launched.config()).replace("/no/such/program", "sleep") + sleeper("other", 1006));
        Run elsewhere = launched.cli(copy, "reload");
        assertEquals(1, elsewhere.exitCode(), elsewhere.toString());
        assertTrue(elsewhere.err().contains("the daemon of this home runs " + launched.config()) && elsewhere.err().contains("not " + copy),
                elsewhere.toString());
        assertFalse(cli("status").out().contains("other"), "nothing was reloaded");
    }

    /** The web site of {@link #sites()} with one task, never due on its own (1 January), that says its name into the site's log. */
    private String sitesWithATask() {
        return sites().replace("    port: " + webPort + "\n", "    port: " + webPort + "\n"
                + "    tasks:\n"
                + "      hello: { cron: \"0 0 1 1 *\", command: [sh, -c, \"echo task-ran-$SITEVISOR_TASK\"] }\n");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> task(String site, String name) throws Exception {
        for (Object each : Json.list(json(cli("tasks", site, "--json")).get("tasks"))) {
            if (name.equals(Json.map(each).get("name"))) return Json.map(each);
        }
        throw new AssertionError("no task " + name + " in tasks " + site);
    }

    private static String lineOf(Run run, String start) {
        return run.out().lines().filter(line -> line.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + start + "' in\n" + run));
    }

    @Test
    void tasksListRunPauseAndResume() throws Exception {
        webPort = freePort();
        String sites = sitesWithATask();
        assertTrue(sites.contains("hello:"), sites);
        startDaemon(sites);

        Run tasks = cli("tasks", "web");
        assertEquals(0, tasks.exitCode(), tasks.toString());
        assertTrue(tasks.out().startsWith("TASK"), tasks.toString());
        assertTrue(tasks.out().lines().findFirst().orElseThrow()
                .matches("TASK\\s+SCHEDULE\\s+NEXT RUN\\s+LAST RUN\\s+TOOK\\s+RESULT\\s+RUNNING\\s+MISSED"), tasks.toString());
        // never run yet: next 1 January at midnight, in the daemon's offset
        assertTrue(lineOf(tasks, "hello").matches("hello\\s+0 0 1 1 \\*\\s+01-01 00:00:00\\s+-\\s+-\\s+-\\s+-\\s+0"), tasks.toString());
        assertFalse(tasks.out().contains("paused"), tasks.toString());
        Run none = cli("tasks", "worker");
        assertEquals(0, none.exitCode(), none.toString());
        assertEquals("worker: no scheduled tasks\n", none.out());

        Run run = cli("tasks", "web", "run", "hello");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().startsWith("web: "), run.toString());
        Path log = dir.resolve("var/logs/web/web.log");
        Await.until("the task's line in the site's log", WAIT, () -> Files.exists(log) && Files.readString(log).contains("task-ran-hello"));
        Await.until("the run's end", WAIT, () -> {
            Map<String, Object> ended = task("web", "hello");
            return !Json.text(ended, "lastRunStart").isEmpty() && Json.text(ended, "runningSince").isEmpty();
        });
        Map<String, Object> hello = task("web", "hello");
        assertEquals(true, hello.get("lastOk"), hello.toString());
        // in the words TaskInfo's contract gives: exit 0, HTTP 200, timed out after ...
        assertEquals("exit 0", hello.get("lastResult"), hello.toString());
        assertTrue(Json.text(hello, "lastRunStart").matches("\\d{4}-\\d\\d-\\d\\dT.*"), hello.toString());
        assertTrue(lineOf(cli("tasks", "web"), "hello").matches("hello\\s+0 0 1 1 \\*\\s+01-01 00:00:00\\s+\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+\\d+m?s\\s+exit 0\\s+-\\s+0"));

        // refused: the message says why, exit 1
        Run noSuchTask = cli("tasks", "web", "run", "nosuch");
        assertEquals(1, noSuchTask.exitCode(), noSuchTask.toString());
        assertTrue(noSuchTask.err().contains("no task named 'nosuch'"), noSuchTask.toString());
        Run noSuchSite = cli("tasks", "wbe");
        assertEquals(1, noSuchSite.exitCode(), noSuchSite.toString());
        assertTrue(noSuchSite.err().contains("no site named 'wbe' (known: web, worker)"), noSuchSite.toString());
        Run noSuchSiteRun = cli("tasks", "wbe", "run", "hello", "--json");
        assertEquals(1, noSuchSiteRun.exitCode(), noSuchSiteRun.toString());
        assertTrue(Json.text(Json.map(new JSONParser().parse(noSuchSiteRun.out())), "error").contains("no site named 'wbe'"), noSuchSiteRun.toString());
        // usage: exit 2
        for (String[] usage : List.of(new String[]{"tasks"}, new String[]{"tasks", "web", "run"}, new String[]{"tasks", "web", "frob"})) {
            Run wrong = cli(usage);
            assertEquals(2, wrong.exitCode(), String.join(" ", usage) + ": " + wrong);
        }

        Run pause = cli("tasks", "web", "pause");
        assertEquals(0, pause.exitCode(), pause.toString());
        Run paused = cli("tasks", "web");
        assertEquals(0, paused.exitCode(), paused.toString());
        assertTrue(lineOf(paused, "hello").matches("hello\\s+0 0 1 1 \\*\\s+paused\\s.*"), paused.toString());
        assertTrue(paused.out().contains("\npaused: no task of web falls due until: sitevisor tasks web resume\n"), paused.toString());
        assertEquals(true, json(cli("tasks", "web", "--json")).get("paused"));

        Run resume = cli("tasks", "web", "resume", "--json");
        Map<String, Object> resumed = json(resume);
        assertEquals(true, resumed.get("ok"), resume.toString());
        assertEquals("resumeTasks", resumed.get("operation"), resume.toString());
        Run again = cli("tasks", "web");
        assertFalse(again.out().contains("paused"), again.toString());
        assertTrue(lineOf(again, "hello").contains("01-01 00:00:00"), again.toString());
        assertEquals(false, json(cli("tasks", "web", "--json")).get("paused"));
    }

    @Test
    void maintenanceFillsTheStatusColumnAndForceStopsWithoutTheDrain() throws Exception {
        webPort = freePort();
        startDaemon(sitesWithATask());

        Run at = cli("maintenance", "web", "--at", "23:59");
        assertEquals(0, at.exitCode(), at.toString());
        assertTrue(at.out().startsWith("web: "), at.toString());
        Run status = cli("status");
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(lineOf(status, "web").matches("web\\s+0\\s+RUNNING\\s.*\\s\\d\\d-\\d\\d 23:59(\\s.*)?"), status.toString());
        assertTrue(lineOf(status, "worker").matches("worker\\s+0\\s+RUNNING\\s.*\\s0\\s+-"), status.toString());
        assertTrue(Json.text(instancesOf("web").get(0), "nextMaintenance").matches("\\d{4}-\\d\\d-\\d\\dT23:59:00([+-]\\d\\d:\\d\\d|Z)"),
                instancesOf("web").toString());
        assertEquals("", instancesOf("worker").get(0).get("nextMaintenance"));

        Run noAt = cli("maintenance", "web");
        assertEquals(2, noAt.exitCode(), noAt.toString());
        assertTrue(noAt.err().contains("maintenance needs --at TIME"), noAt.toString());
        Run badTime = cli("maintenance", "web", "--at", "25:99");
        assertEquals(2, badTime.exitCode(), badTime.toString());
        assertTrue(badTime.err().contains("'25:99' is not a time"), badTime.toString());
        // a time already past is refused as a bad argument, before the daemon is asked
        Run past = cli("maintenance", "web", "--at", "2001-01-01T00:00", "--json");
        assertEquals(2, past.exitCode(), past.toString());
        assertTrue(past.err().contains("--at 2001-01-01T00:00 is not in the future"), past.toString());

        for (String[] usage : List.of(new String[]{"start", "web", "--force"}, new String[]{"status", "--force"})) {
            Run wrong = cli(usage);
            assertEquals(2, wrong.exitCode(), String.join(" ", usage) + ": " + wrong);
        }

        long web = pidOf("web", 0);
        Run stop = cli("stop", "web", "--force");
        assertEquals(0, stop.exitCode(), stop.toString());
        assertTrue(stop.out().startsWith("web: STOPPED"), stop.toString());
        assertEquals("STOPPED", instancesOf("web").get(0).get("state"));
        assertFalse(isAlive(web), "the site's process outlived its forced stop");

        Run restartAll = cli("restart", "all", "--force", "--json");
        Map<String, Object> restarted = json(restartAll);
        assertEquals(true, restarted.get("ok"), restartAll.toString());
        assertEquals("forceRestart", restarted.get("operation"), restartAll.toString());
        assertEquals(3, Json.list(restarted.get("outcomes")).size(), restartAll.toString());
        assertEquals("RUNNING", instancesOf("web").get(0).get("state"));
        assertEquals(200, get("http://127.0.0.1:" + webPort + "/"));
    }

    /** Typed reads of what Jolokia's parser read: the client's own helpers are not its contract. */
    private static final class Json {
        @SuppressWarnings("unchecked")
        static Map<String, Object> map(Object value) {
            return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
        }

        @SuppressWarnings("unchecked")
        static List<Object> list(Object value) {
            return value instanceof List<?> list ? (List<Object>) list : List.of();
        }

        static String text(Map<String, Object> map, String key) {
            Object value = map.get(key);
            return value == null ? "" : value.toString();
        }

        static long number(Map<String, Object> map, String key) {
            return map.get(key) instanceof Number number ? number.longValue() : 0;
        }
    }
}
