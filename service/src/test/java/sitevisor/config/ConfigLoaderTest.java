package sitevisor.config;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import sitevisor.config.file.ConfigException;
import sitevisor.config.file.ConfigProblem;
import sitevisor.config.file.DaemonAddress;
import sitevisor.config.file.Endpoint;
import sitevisor.posix.Signal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ConfigLoaderTest {

    /** The daemon's PATH in these tests, so that what is found does not depend on the machine running them. */
    private static final String DAEMON_PATH = "/usr/bin:/bin";
    private static final Function<String, String> DAEMON_ENVIRONMENT = name -> name.equals("PATH") ? DAEMON_PATH : null;

    @TempDir
    Path dir;

    @BeforeEach
    void programs() throws IOException {
        script(dir.resolve("worker/run.sh"), "rwxr-xr-x");
        script(dir.resolve("tools/bin/tool"), "rwxr-xr-x");
        script(dir.resolve("plain.sh"), "rw-r--r--");
    }

    @Test
    void loadsEverySettingWithDefaultsAndPathsResolved() throws Exception {
        Path file = write("""
                home: state
                jolokia: { host: 0.0.0.0, port: 9778, origins: [http://localhost:8080, "HTTPS://Console.Example.org:443"], allowedHosts: [sitevisor.example.org] }
                jmx: { port: 9999 }
                history: { keep: 30d, maxRows: 50000 }
                memory:
                  emergency: { available: 2.5%, for: 20s, grace: 3s }
                sites:
                  blog:
                    command: [sleep, "1000", --port, "{port}"]
                    directory: worker
                    environment: { APP_ENV: prod, WORKERS: 4, DEBUG: false, LISTEN: "127.0.0.1:{port}" }
                    port: 8001
                    health: http://127.0.0.1:{port}/health?i={instance}
                    pidFile: run/blog-{instance}.pid
                    instances: 2
                    autostart: false
                    restart: always
                    startTimeout: 45s
                    startSeconds: 0
                    startRetries: 7
                    stopSignal: SIGQUIT
                    stopTimeout: 1m30s
                    restartLimit: 9
                    restartWindow: 10m
                    backoff: 250ms
                    backoffMax: 1m
                    logs: { maxSize: 1GB, backups: 0 }
                    memory: { warn: 400MB, restart: 1GB, for: 1m }
                    priority: 10
                  worker:
                    command: ./run.sh --queue 'mail jobs'
                    directory: worker
                  tools:
                    command: [tool]
                    environment: { PATH: "/nonexistent:tools/bin" }
                  shell:
                    command: [/bin/sh, -c, "exec sleep 1000 | cat"]
                """);

        Config config = ConfigLoader.load(dir.resolve("sub/../sitevisor.yml"), DAEMON_ENVIRONMENT);

        assertEquals(file, config.file());
        assertEquals(dir.resolve("state"), config.home());
        assertEquals(new Endpoint("0.0.0.0", 9778), config.jolokia());
        // origins as a browser sends them: lower case, no default port
        assertEquals(new Config.HttpAccess(List.of("http://localhost:8080", "https://console.example.org"), List.of("sitevisor.example.org")),
                config.httpAccess());
        assertEquals(9999, config.jmxPort());
        assertEquals(new Config.HistoryPolicy(java.time.Duration.ofDays(30), 50_000), config.history());
        assertEquals(List.of("blog", "worker", "tools", "shell"), config.siteNames());
        assertEquals(Optional.of(new MemoryEmergency(2.5, 0, Duration.ofSeconds(20), Duration.ofSeconds(3))), config.memoryEmergency());

        SiteConfig blog = config.sites().get("blog");
        assertAll(
                () -> assertEquals(List.of("sleep", "1000", "--port", "{port}"), blog.command()),
                () -> assertEquals(firstOnPath("sleep"), blog.program()),
                () -> assertEquals(dir.resolve("worker"), blog.directory()),
                () -> assertEquals(Map.of("APP_ENV", "prod", "WORKERS", "4", "DEBUG", "false", "LISTEN", "127.0.0.1:{port}"),
                        blog.environment()),
                () -> assertEquals(8001, blog.port()),
                () -> assertEquals(URI.create("http://127.0.0.1:8002/health?i=1"), blog.healthOf(1).orElseThrow()),
                () -> assertEquals(dir.resolve("worker/run/blog-1.pid"), blog.pidFileOf(1).orElseThrow()),
                () -> assertEquals(2, blog.instances()),
                () -> assertEquals(false, blog.autostart()),
                () -> assertEquals(RestartPolicy.ALWAYS, blog.restart()),
                () -> assertEquals(Duration.ofSeconds(45), blog.startTimeout()),
                () -> assertEquals(Duration.ZERO, blog.startSeconds()),
                () -> assertEquals(7, blog.startRetries()),
                () -> assertEquals(Signal.QUIT, blog.stopSignal()),
                () -> assertEquals(Duration.ofSeconds(90), blog.stopTimeout()),
                () -> assertEquals(9, blog.restartLimit()),
                () -> assertEquals(Duration.ofMinutes(10), blog.restartWindow()),
                () -> assertEquals(Duration.ofMillis(250), blog.backoff()),
                () -> assertEquals(Duration.ofMinutes(1), blog.backoffMax()),
                () -> assertEquals(new LogPolicy(1024L * 1024 * 1024, 0), blog.logs()),
                () -> assertEquals(new MemoryLimits(400L * 1024 * 1024, 1024L * 1024 * 1024, Duration.ofMinutes(1)), blog.memory()),
                () -> assertEquals(10, blog.priority()),
                () -> assertEquals(List.of("sleep", "1000", "--port", "8002"), blog.commandOf(1)),
                () -> assertEquals("127.0.0.1:8002", blog.environmentOf(1).get("LISTEN")));

        SiteConfig worker = config.sites().get("worker");
        assertAll(
                () -> assertEquals(List.of("./run.sh", "--queue", "mail jobs"), worker.command()),
                () -> assertEquals(dir.resolve("worker/run.sh"), worker.program()),
                () -> assertEquals(Map.of(), worker.environment()),
                () -> assertEquals(0, worker.port()),
                () -> assertNull(worker.health()),
                () -> assertNull(worker.pidFile()),
                () -> assertEquals(1, worker.instances()),
                () -> assertEquals(true, worker.autostart()),
                () -> assertEquals(RestartPolicy.ON_FAILURE, worker.restart()),
                () -> assertEquals(Duration.ofSeconds(30), worker.startTimeout()),
                () -> assertEquals(Duration.ofSeconds(1), worker.startSeconds()),
                () -> assertEquals(3, worker.startRetries()),
                () -> assertEquals(Signal.TERM, worker.stopSignal()),
                () -> assertEquals(Duration.ofSeconds(10), worker.stopTimeout()),
                () -> assertEquals(5, worker.restartLimit()),
                () -> assertEquals(Duration.ofMinutes(1), worker.restartWindow()),
                () -> assertEquals(Duration.ofSeconds(1), worker.backoff()),
                () -> assertEquals(Duration.ofSeconds(30), worker.backoffMax()),
                () -> assertEquals(LogPolicy.DEFAULT, worker.logs()),
                () -> assertEquals(MemoryLimits.NONE, worker.memory()),
                () -> assertEquals(100, worker.priority()));

        SiteConfig tools = config.sites().get("tools");
        assertEquals(dir, tools.directory(), "the default directory is the config file's folder");
        assertEquals(dir.resolve("tools/bin/tool"), tools.program(), "found on the site's own PATH, relative to its directory");

        SiteConfig shell = config.sites().get("shell");
        assertEquals(List.of("/bin/sh", "-c", "exec sleep 1000 | cat"), shell.command(), "a list is passed as written");
        assertEquals(Path.of("/bin/sh"), shell.program());
    }

    @Test
    void anEmptyFileIsADaemonWithNoSites() throws Exception {
        write("# nothing yet\n");

        Config config = ConfigLoader.load(dir.resolve("sitevisor.yml"), DAEMON_ENVIRONMENT);

        assertEquals(dir.resolve("var"), config.home());
        assertEquals(DaemonAddress.DEFAULT_JOLOKIA, config.jolokia());
        assertEquals(Config.HttpAccess.NONE, config.httpAccess(), "no browser origin unless listed");
        assertEquals(0, config.jmxPort());
        assertEquals(Optional.empty(), config.memoryEmergency(), "no site is stopped for the host's memory unless asked");
        assertEquals(Map.of(), config.sites());
    }

    @Test
    void anEmptySitesKeyIsADaemonWithNoSites() throws Exception {
        write("sites:\n");

        assertEquals(Map.of(), ConfigLoader.load(dir.resolve("sitevisor.yml"), DAEMON_ENVIRONMENT).sites());
    }

    private static final String BLOG = """
            sites:
              blog:
                command: [sleep, "1"]
            """;

    /** Each row: what it shows, the YAML ($DIR is the config's folder), how many problems, and what the message names. */
    static Stream<Arguments> badConfigs() {
        return Stream.of(
                arguments("unknown key, with a suggestion", BLOG + "    stopTimout: 10s\n", 1,
                        List.of("sites.blog.stopTimout in $FILE line 4: unknown key (did you mean 'stopTimeout'?)")),
                arguments("unknown key differing in case", BLOG + "    StopSignal: TERM\n", 1,
                        List.of("sites.blog.StopSignal", "line 4", "(did you mean 'stopSignal'?)")),
                // the client reads the top level on its own (DaemonAddress) and refuses this one with the same words
                arguments("top-level typo", "jolokai: { port: 9000 }\n", 1,
                        List.of("jolokai in $FILE line 1: unknown key (did you mean 'jolokia'?)")),
                arguments("unknown key, nothing close", "colour: blue\n", 1,
                        List.of("colour in $FILE line 1: unknown key (known keys: home, jolokia, jmx, history, maintenance, memory, sites)")),
                arguments("unknown nested key", BLOG + "    logs: { maxsize: 1MB }\n", 1,
                        List.of("sites.blog.logs.maxsize", "line 4", "did you mean 'maxSize'?")),
                arguments("planned key", BLOG + "    socket: { port: 9000 }\n", 1,
                        List.of("sites.blog.socket in $FILE line 4: not supported by this version of sitevisor yet")),
                arguments("task without an action", BLOG + "    tasks: { sitemap: { cron: '0 * * * *' } }\n", 1,
                        List.of("sites.blog.tasks.sitemap.cron in $FILE line 4", "the task needs an action")),
                arguments("task with both actions", BLOG + "    tasks: { sitemap: { cron: '0 * * * *', http: 'http://127.0.0.1:8001/x', command: [true] } }\n", 1,
                        List.of("sites.blog.tasks.sitemap.command", "either http: or command:, not both")),
                arguments("task cron both days", BLOG + "    tasks: { sitemap: { cron: '0 3 1 * 1', http: 'http://127.0.0.1:8001/x' } }\n", 1,
                        List.of("sites.blog.tasks.sitemap.cron", "day-of-month", "day-of-week")),
                arguments("task cron fields", BLOG + "    tasks: { sitemap: { cron: '*/5 * * *', http: 'http://127.0.0.1:8001/x' } }\n", 1,
                        List.of("sites.blog.tasks.sitemap.cron", "has 4 fields")),
                arguments("task unknown key", BLOG + "    tasks: { sitemap: { cron: '0 * * * *', http: 'http://127.0.0.1:8001/x', timout: 1m } }\n", 1,
                        List.of("sites.blog.tasks.sitemap.timout", "did you mean 'timeout'?")),
                arguments("task missed policy", BLOG + "    tasks: { sitemap: { cron: '0 * * * *', http: 'http://127.0.0.1:8001/x', missed: twice } }\n", 1,
                        List.of("sites.blog.tasks.sitemap.missed", "'twice' is not a policy for missed runs (run-once or skip)")),
                arguments("task program missing", BLOG + "    tasks: { sitemap: { cron: '0 * * * *', command: [./no-such-script.sh] } }\n", 1,
                        List.of("sites.blog.tasks.sitemap.command", "no-such-script.sh", "not found")),
                arguments("task http not a url", BLOG + "    tasks: { sitemap: { cron: '0 * * * *', http: 'ftp://x/y' } }\n", 1,
                        List.of("sites.blog.tasks.sitemap.http", "not an http:// or https:// URL")),
                arguments("task name", BLOG + "    tasks: { Site-Map: { cron: '0 * * * *', http: 'http://127.0.0.1:8001/x' } }\n", 1,
                        List.of("sites.blog.tasks.Site-Map", "must match [a-z0-9][a-z0-9._-]*")),
                arguments("maintenance cron", BLOG + "    maintenance: { cron: '61 3 * * *' }\n", 1,
                        List.of("sites.blog.maintenance.cron", "minute 61")),
                arguments("drain timeout", BLOG + "    drainTimeout: 5x\n", 1,
                        List.of("sites.blog.drainTimeout", "5x")),
                arguments("maintenance maxConcurrent", "maintenance: { maxConcurrent: 0 }\n" + BLOG, 1,
                        List.of("maintenance.maxConcurrent", "line 1")),
                arguments("memory limit not a size", BLOG + "    memory: { warn: 400 megs }\n", 1,
                        List.of("sites.blog.memory.warn in $FILE line 4: '400 megs' is not a size: unknown unit 'megs'")),
                arguments("memory limit too small", BLOG + "    memory: { restart: 512 }\n", 1,
                        List.of("sites.blog.memory.restart in $FILE line 4: '512' is too small: at least 1MB")),
                arguments("memory warning not below the restart", BLOG + "    memory:\n      warn: 600MB\n      restart: 512MB\n", 1,
                        List.of("sites.blog.memory.warn in $FILE line 5: 600MB is not below restart (512MB)")),
                arguments("memory without a limit", BLOG + "    memory: { for: 30s }\n", 2,
                        List.of("sites.blog.memory in $FILE line 4: sets no limit: write warn:, restart: or both",
                                "sites.blog.memory.for in $FILE line 4: says how long the site may stay over restart:, which is not set")),
                arguments("memory key misspelt", BLOG + "    memory: { restrat: 512MB }\n", 2,
                        List.of("sites.blog.memory.restrat", "(did you mean 'restart'?)")),
                arguments("memory for not a duration", BLOG + "    memory: { restart: 512MB, for: soon }\n", 1,
                        List.of("sites.blog.memory.for in $FILE line 4: 'soon' is not a duration")),
                arguments("priority out of range", BLOG + "    priority: -1\n", 1,
                        List.of("sites.blog.priority in $FILE line 4: -1 is out of range (0..1000)")),
                arguments("emergency floor neither share nor size", "memory: { emergency: { available: lots } }\n", 1,
                        List.of("memory.emergency.available in $FILE line 1: 'lots' is neither a share such as 5% nor a size such as 512MB")),
                arguments("emergency floor of 100 %", "memory: { emergency: { available: 100% } }\n", 1,
                        List.of("memory.emergency.available in $FILE line 1: '100%' must be more than 0% and less than 100%")),
                arguments("emergency grace of nothing", "memory:\n  emergency: { grace: 0s }\n", 1,
                        List.of("memory.emergency.grace in $FILE line 2: must be longer than 0")),
                arguments("emergency key misspelt", "memory: { emergency: { availble: 5% } }\n", 1,
                        List.of("memory.emergency.availble in $FILE line 1: unknown key (did you mean 'available'?)")),
                arguments("duplicate key", BLOG + "    port: 8001\n    autostart: true\n    port: 8002\n", 1,
                        List.of("sites.blog.port in $FILE line 6: key 'port' appears twice (lines 4 and 6)")),
                arguments("duplicate site", BLOG + "  blog:\n    command: [sleep, '2']\n", 1,
                        List.of("sites.blog", "line 4", "key 'blog' appears twice (lines 2 and 4)")),
                arguments("YAML syntax error", "sites:\n  blog:\n    command: [sleep, 1\n    port: 8001\n", 1,
                        List.of("$FILE line 4: not valid YAML")),
                arguments("tab indentation", "sites:\n\tblog: {}\n", 1,
                        List.of("$FILE line 2: not valid YAML", "TAB")),
                arguments("site name with capitals", "sites:\n  Blog.Main:\n    command: [sleep, '1']\n", 1,
                        List.of("sites.Blog.Main in $FILE line 2: site name 'Blog.Main' must match [a-z0-9][a-z0-9._-]*",
                                "try 'blog.main'")),
                arguments("site name with a space", "sites:\n  my site:\n    command: [sleep, '1']\n", 1,
                        List.of("sites.my site", "line 2", "must match [a-z0-9][a-z0-9._-]* (it becomes a JMX name and file names)")),
                arguments("site named all", "sites:\n  all:\n    command: [sleep, '1']\n", 1,
                        List.of("sites.all in $FILE line 2: 'all' cannot name a site: sitevisor start|stop|restart all means every site")),
                arguments("site names differing only in case",
                        BLOG + "  Blog:\n    command: [sleep, '2']\n", 2,
                        List.of("sites.Blog in $FILE line 4: site names 'blog' and 'Blog' differ only in case",
                                "sites.Blog in $FILE line 4: site name 'Blog' must match")),
                arguments("ports of two sites overlap",
                        "sites:\n  blog:\n    command: [sleep, '{port}']\n    port: 8001\n    instances: 2\n"
                                + "  shop:\n    command: [sleep, '1']\n    port: 8002\n", 1,
                        List.of("sites.shop.port in $FILE line 8: port 8002 is already used by site 'blog'")),
                arguments("site port on jolokia's default port", BLOG + "    port: 8778\n", 1,
                        List.of("sites.blog.port in $FILE line 4: port 8778 is already used by jolokia.port")),
                arguments("site port on jolokia's port", "jolokia: { port: 9000 }\nsites:\n  blog:\n"
                                + "    command: [sleep, '{port}']\n    port: 8999\n    instances: 3\n", 1,
                        List.of("sites.blog.port in $FILE line 5: this site's 3 instances take ports 8999..9001,"
                                + " and port 9000 is already used by jolokia.port")),
                arguments("history keep not a duration", "history: { keep: 90 }\n", 1,
                        List.of("history.keep", "line 1")),
                arguments("history maxRows too small", "history: { keep: 30d, maxRows: 10 }\n", 1,
                        List.of("history.maxRows", "line 1")),
                arguments("history unknown key", "history: { kept: 30d }\n", 1,
                        List.of("history.kept", "line 1", "keep")),
                arguments("jmx on jolokia's port", "jolokia: { port: 9000 }\njmx: { port: 9000 }\n", 1,
                        List.of("jmx.port in $FILE line 2: port 9000 is already used by jolokia.port")),
                arguments("ports past 65535", BLOG + "    port: 65535\n    instances: 2\n", 1,
                        List.of("sites.blog.port", "line 4", "would need ports up to 65536")),
                arguments("bad duration", BLOG + "    stopTimeout: 10x\n", 1,
                        List.of("sites.blog.stopTimeout in $FILE line 4: '10x' is not a duration", "(try 10s, 2m)")),
                arguments("zero duration where more is needed", BLOG + "    startTimeout: 0\n", 1,
                        List.of("sites.blog.startTimeout", "line 4", "must be longer than 0")),
                arguments("backoffMax under backoff", BLOG + "    backoff: 10s\n    backoffMax: 5s\n", 1,
                        List.of("sites.blog.backoffMax", "line 5", "must be at least backoff (10s)")),
                arguments("bad size", BLOG + "    logs: { maxSize: 50XB }\n", 1,
                        List.of("sites.blog.logs.maxSize in $FILE line 4: '50XB' is not a size", "(try 512MB, 1GB)")),
                arguments("size too small", BLOG + "    logs: { maxSize: 100B }\n", 1,
                        List.of("sites.blog.logs.maxSize", "at least 1KB")),
                arguments("program not on PATH", "sites:\n  blog:\n    command: [pyhton3, site.py]\n", 1,
                        List.of("sites.blog.command in $FILE line 3: program 'pyhton3' not found on PATH (/usr/bin:/bin)")),
                arguments("program not on the site's PATH", BLOG + "    environment: { PATH: /nonexistent }\n", 1,
                        List.of("sites.blog.command", "program 'sleep' not found on the site's PATH (/nonexistent)")),
                arguments("program not executable", "sites:\n  blog:\n    command: ./plain.sh\n", 1,
                        List.of("sites.blog.command in $FILE line 3: program '$DIR/plain.sh' is not executable (chmod +x it)")),
                arguments("program missing from the site directory",
                        "sites:\n  blog:\n    command: [./run.sh]\n    directory: tools\n", 1,
                        List.of("sites.blog.command", "program '$DIR/tools/run.sh' not found")),
                arguments("missing directory", BLOG + "    directory: nowhere\n", 1,
                        List.of("sites.blog.directory in $FILE line 4: '$DIR/nowhere' does not exist")),
                arguments("directory that is a file", BLOG + "    directory: plain.sh\n", 1,
                        List.of("sites.blog.directory", "'$DIR/plain.sh' is not a directory")),
                arguments("unknown placeholder", "sites:\n  blog:\n    command: [sleep, '{pot}']\n    port: 8001\n", 1,
                        List.of("sites.blog.command in $FILE line 3: unknown placeholder {pot}")),
                arguments("{port} without a port", "sites:\n  blog:\n    command: [sleep, '{port}']\n", 1,
                        List.of("sites.blog.command in $FILE line 3: uses {port}, but the site has no port")),
                arguments("{port} in the environment without a port",
                        BLOG + "    environment:\n      LISTEN: ':{port}'\n", 1,
                        List.of("sites.blog.environment.LISTEN in $FILE line 5: uses {port}, but the site has no port")),
                arguments("several instances on one port", BLOG + "    port: 8001\n    instances: 3\n", 1,
                        List.of("sites.blog.instances in $FILE line 5:", "every instance would try port 8001", "use {port}")),
                arguments("several instances, one pid file",
                        "sites:\n  blog:\n    command: [sleep, '{port}']\n    port: 8001\n    instances: 2\n"
                                + "    pidFile: run/blog.pid\n", 1,
                        List.of("sites.blog.pidFile", "line 6", "would write the same pid file")),
                arguments("pid file name shared with another site's instance",
                        "sites:\n  blog:\n    command: [sleep, '1']\n    instances: 2\n"
                                + "  blog-1:\n    command: [sleep, '1']\n", 1,
                        List.of("sites.blog-1 in $FILE line 5:", "'blog-1'", "instance 1 of site 'blog'", "run/blog-1.pid")),
                arguments("a shell pipeline in a command string", "sites:\n  blog:\n    command: sleep 1 | cat\n", 1,
                        List.of("sites.blog.command in $FILE line 3: '|' is shell syntax", "not run through a shell",
                                "[sh, -c, \"...\"]")),
                arguments("an unclosed quote in a command string", "sites:\n  blog:\n    command: sleep '1\n", 1,
                        List.of("sites.blog.command", "line 3", "never closed")),
                arguments("no command", "sites:\n  blog:\n    port: 8001\n", 1,
                        List.of("sites.blog.command in $FILE line 2: is required")),
                arguments("empty command", "sites:\n  blog:\n    command: []\n", 1,
                        List.of("sites.blog.command", "line 3", "is empty")),
                arguments("wrong type: a list for a number", BLOG + "    port: [8001]\n", 1,
                        List.of("sites.blog.port in $FILE line 4: expected a whole number (0..65535), got a list")),
                arguments("wrong type: a word for a number", BLOG + "    instances: two\n", 1,
                        List.of("sites.blog.instances", "line 4", "expected a whole number (1..1000), got 'two'")),
                arguments("wrong type: a quoted number", BLOG + "    port: \"8001\"\n", 1,
                        List.of("sites.blog.port", "got the quoted string '8001' (drop the quotes)")),
                arguments("wrong type: a word for a boolean", BLOG + "    autostart: yes\n", 1,
                        List.of("sites.blog.autostart", "line 4", "expected true or false, got 'yes'")),
                arguments("wrong type: a word for a mapping", BLOG + "    environment: prod\n", 1,
                        List.of("sites.blog.environment", "line 4", "expected a mapping such as { key: value }, got 'prod'")),
                arguments("wrong type: a mapping for a command word", BLOG.replace("[sleep, \"1\"]", "[sleep, {a: 1}]"), 1,
                        List.of("sites.blog.command[1] in $FILE line 3: expected a word of the command, got a mapping")),
                arguments("wrong type: a word for a site", "sites:\n  blog: sleep 1\n", 1,
                        List.of("sites.blog in $FILE line 2: expected the site's settings (command:, port: ...), got 'sleep 1'")),
                arguments("wrong type: a word for a command", BLOG.replace("[sleep, \"1\"]", "{ program: sleep }"), 1,
                        List.of("sites.blog.command", "line 3", "expected a list such as [python3, site.py], or one string, got a mapping")),
                arguments("wrong type: a list for the sites", "sites: [blog, shop]\n", 1,
                        List.of("sites in $FILE line 1: expected a mapping of site names")),
                arguments("out of range", BLOG + "    startRetries: 101\n", 1,
                        List.of("sites.blog.startRetries", "line 4", "101 is out of range (0..100)")),
                arguments("no value", BLOG + "    stopTimeout:\n", 1,
                        List.of("sites.blog.stopTimeout", "line 4", "has no value")),
                arguments("restart policy", BLOG + "    restart: sometimes\n", 1,
                        List.of("sites.blog.restart in $FILE line 4: 'sometimes' is not a restart policy (always, on-failure, never)")),
                arguments("stop signal", BLOG + "    stopSignal: TERMINATE\n", 1,
                        List.of("sites.blog.stopSignal in $FILE line 4: 'TERMINATE' is not a signal")),
                arguments("health URL not http", BLOG + "    health: ftp://127.0.0.1/health\n", 1,
                        List.of("sites.blog.health", "line 4", "not an http:// or https:// URL")),
                arguments("health URL without a host", BLOG + "    health: http:///health\n", 1,
                        List.of("sites.blog.health", "line 4", "names no host")),
                arguments("environment variable name", BLOG + "    environment: { APP-ENV: prod }\n", 1,
                        List.of("sites.blog.environment.APP-ENV", "line 4", "must match [A-Za-z_][A-Za-z0-9_]*")),
                arguments("jolokia port out of range", "jolokia: { port: 70000 }\n", 1,
                        List.of("jolokia.port in $FILE line 1: 70000 is out of range (1..65535)")),
                arguments("origins not a list", "jolokia: { origins: http://localhost:8080 }\n", 1,
                        List.of("jolokia.origins in $FILE line 1: expected a list of origins such as http://localhost:8080")),
                arguments("origin with a path", "jolokia:\n  origins:\n    - http://localhost:8080/hawtio\n", 1,
                        List.of("jolokia.origins[0] in $FILE line 3: 'http://localhost:8080/hawtio' has a path")),
                arguments("origin that allows everyone", "jolokia: { origins: [http://localhost:8080, '*'] }\n", 1,
                        List.of("jolokia.origins[1] in $FILE line 1: '*' would let every web page drive the daemon")),
                arguments("origin without a scheme", "jolokia: { origins: [localhost:8080] }\n", 1,
                        List.of("jolokia.origins[0] in $FILE line 1: 'localhost:8080' is not an origin")),
                arguments("allowed host with a port", "jolokia: { allowedHosts: ['sitevisor.example.org:8778'] }\n", 1,
                        List.of("jolokia.allowedHosts[0] in $FILE line 1: 'sitevisor.example.org:8778' is not a host name")),
                arguments("top level not a mapping", "- blog\n", 1,
                        List.of("$FILE line 1: expected a mapping with home, jolokia, jmx, history and sites, got a list")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void refusesABadConfigNamingFileKeyAndReason(String what, String yaml, int problems, List<String> expected) throws IOException {
        Path file = write(yaml.replace("$DIR", dir.toString()));

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, DAEMON_ENVIRONMENT));

        String message = e.getMessage();
        assertTrue(message.contains(file.toString()), message);
        for (String part : expected) {
            String wanted = part.replace("$FILE", file.toString()).replace("$DIR", dir.toString());
            assertTrue(message.contains(wanted), () -> "wanted: " + wanted + "\n   got: " + message);
        }
        assertEquals(problems, e.problems().size(), message);
    }

    @Test
    void reportsEveryProblemInFileOrderNotJustTheFirst() throws IOException {
        Path file = write("""
                sites:
                  blog:
                    command: [pyhton3, site.py]
                    stopTimout: 10s
                  shop:
                    command: [sleep, "1"]
                    backoff: soon
                """);

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, DAEMON_ENVIRONMENT));

        List<String> lines = e.getMessage().lines().toList();
        assertEquals(3, lines.size(), e.getMessage());
        assertTrue(lines.get(0).startsWith("sites.blog.command in " + file + " line 3: program 'pyhton3' not found"), lines.get(0));
        assertTrue(lines.get(1).startsWith("sites.blog.stopTimout in " + file + " line 4: unknown key"), lines.get(1));
        assertTrue(lines.get(2).startsWith("sites.shop.backoff in " + file + " line 7: 'soon' is not a duration"), lines.get(2));
        assertEquals(List.of(3, 4, 7), e.problems().stream().map(ConfigProblem::line).toList());
    }

    @Test
    void aFileThatCannotBeReadIsOneProblemWithoutALine() {
        Path missing = dir.resolve("missing.yml");

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));

        assertEquals(missing + ": cannot read: No such file or directory", e.getMessage());
        assertEquals(List.of(new ConfigProblem(missing, 0, "", "cannot read: No such file or directory")), e.problems());
    }

    @Test
    void aProblemPrintsAsOneOperatorLine() {
        Path file = Path.of("/etc/sitevisor.yml");

        assertEquals("sites.blog.stopTimeout in /etc/sitevisor.yml line 12: '10x' is not a duration (try 10s, 2m)",
                new ConfigProblem(file, 12, "sites.blog.stopTimeout", "'10x' is not a duration (try 10s, 2m)").toString());
        assertEquals("jmx.port in /etc/sitevisor.yml: port 8778 is already used by jolokia.port",
                new ConfigProblem(file, 0, "jmx.port", "port 8778 is already used by jolokia.port").toString());
        assertEquals("/etc/sitevisor.yml line 3: not valid YAML: found unexpected end of stream",
                new ConfigProblem(file, 3, "", "not valid YAML: found unexpected end of stream").toString());
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("sitevisor.yml"), yaml);
    }

    private static void script(Path file, String permissions) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\nexec sleep 1000\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
    }

    private static Path firstOnPath(String program) {
        for (String folder : DAEMON_PATH.split(":")) {
            Path candidate = Path.of(folder, program);
            if (Files.isExecutable(candidate)) return candidate;
        }
        throw new AssertionError(program + " is not on " + DAEMON_PATH + "; these tests need it");
    }
}
