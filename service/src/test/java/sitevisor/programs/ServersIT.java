package sitevisor.programs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import sitevisor.posix.Cgroups;
import sitevisor.testing.Await;
import sitevisor.testing.Launched;
import sitevisor.testing.Probes;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Servers as operators run them, each a site started by {@code bin/sitevisor} the way
 * docs/programs.md says: it answers; a request in flight finishes across a graceful restart; a
 * worker killed is replaced by the server with the site untouched; the master killed is
 * restarted by the site's policy with nothing of the old one left; after {@code kill -9} of the
 * daemon the next one adopts it; a stop leaves none of its processes. Each server's files are
 * written by the test; its program comes from Debian's packages, installed by scripts/setup.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServersIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    /**
     * A server as a site.
     *
     * @param program  what must be installed
     * @param command  the site's command, {@code $DIR} for the test's folder
     * @param settings further keys of the site
     * @param files    files the server needs, by path under the folder, {@code $DIR} and {@code $PORT} replaced
     * @param workers  how many processes the server's master forks to serve
     */
    record Server(String name, Path program, String command, String settings, Map<String, String> files, int workers) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final String WSGI = """
            import time
            def app(environ, start_response):
                slow = environ['PATH_INFO'] == '/slow'
                if slow:
                    open('$DIR/marks/slow-started', 'w').close()
                    time.sleep(3)
                body = b'slow done\\n' if slow else b'hello\\n'
                start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
                return [body]
            """;

    static final String ASGI = """
            import asyncio
            async def app(scope, receive, send):
                if scope['type'] != 'http':
                    return
                slow = scope['path'] == '/slow'
                if slow:
                    open('$DIR/marks/slow-started', 'w').close()
                    await asyncio.sleep(3)
                body = b'slow done\\n' if slow else b'hello\\n'
                await send({'type': 'http.response.start', 'status': 200, 'headers': [(b'content-type', b'text/plain')]})
                await send({'type': 'http.response.body', 'body': body})
            """;

    static final String NODE = """
            const http = require('http');
            const server = http.createServer((request, response) => {
              if (request.url === '/slow') {
                require('fs').writeFileSync('$DIR/marks/slow-started', '');
                setTimeout(() => response.end('slow done\\n'), 3000);
              }
              else response.end('hello\\n');
            });
            server.listen(Number(process.argv[2]), '127.0.0.1');
            process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeIdleConnections(); });
            """;

    static final String APACHE = """
            ServerRoot /etc/apache2
            ServerName localhost
            Listen 127.0.0.1:$PORT
            PidFile $DIR/apache2.pid
            ErrorLog $DIR/apache2-error.log
            Mutex file:$DIR
            LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
            LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
            LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
            LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
            DirectoryIndex index.html
            LoadModule cgi_module /usr/lib/apache2/modules/mod_cgi.so
            StartServers 2
            MinSpareServers 2
            MaxSpareServers 2
            User www-data
            Group www-data
            DocumentRoot $DIR/htdocs
            <Directory $DIR>
              Require all granted
            </Directory>
            ScriptAlias /slow $DIR/slow.cgi
            """;

    static final String SLOW_CGI = "#!/bin/sh\n: > $DIR/marks/slow-started\nsleep 3\nprintf 'Content-Type: text/plain\\r\\n\\r\\nslow done\\n'\n";

    static final String JVM = """
            import com.sun.net.httpserver.HttpServer;
            import java.net.InetSocketAddress;
            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.util.concurrent.Executors;

            public class Server {
                public static void main(String[] arguments) throws Exception {
                    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(arguments[0])), 50);
                    server.setExecutor(Executors.newFixedThreadPool(4));
                    server.createContext("/", exchange -> {
                        boolean slow = exchange.getRequestURI().getPath().equals("/slow");
                        if (slow) {
                            Files.writeString(Path.of("$DIR/marks/slow-started"), "");
                            try {
                                Thread.sleep(3000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        byte[] body = (slow ? "slow done\\n" : "hello\\n").getBytes();
                        exchange.sendResponseHeaders(200, body.length);
                        exchange.getResponseBody().write(body);
                        exchange.close();
                    });
                    server.start();
                    // SIGTERM: the listening socket closes, the exchanges under way finish; a short
                    // delay, as JDK 17's stop waited out much of it with none under way here
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(5)));
                }
            }
            """;

    static Stream<Server> servers() {
        return Stream.of(
                new Server("gunicorn with 2 workers", PYTHON,
                        "[/usr/bin/python3, -m, gunicorn, --bind, '127.0.0.1:{port}', --workers, '2', --graceful-timeout, '20', --chdir, $DIR, app:app]",
                        "stopTimeout: 25s", Map.of("app.py", WSGI), 2),
                new Server("uvicorn", PYTHON,
                        "[/usr/bin/python3, -m, uvicorn, --host, 127.0.0.1, --port, '{port}', --app-dir, $DIR, asgi:app]",
                        "stopTimeout: 25s", Map.of("asgi.py", ASGI), 0),
                new Server("Node", Path.of("/usr/bin/node"),
                        "[/usr/bin/node, $DIR/server.js, '{port}']",
                        "stopTimeout: 25s", Map.of("server.js", NODE), 0),
                new Server("a JVM (the JDK's HTTP server, run from its source)", Path.of(Launched.JAVA),
                        "[" + Launched.JAVA + ", $DIR/Server.java, '{port}']",
                        "stopTimeout: 25s", Map.of("Server.java", JVM), 0),
                new Server("Apache httpd in the foreground", Path.of("/usr/sbin/apache2"),
                        "[/usr/sbin/apache2, -f, $DIR/httpd.conf, -DFOREGROUND]",
                        "stopSignal: WINCH\nstopTimeout: 25s", Map.of("httpd.conf", APACHE, "slow.cgi", SLOW_CGI, "htdocs/index.html", "hello\n"), 2),
                new Server("Apache httpd as it ships, with its pid file", Path.of("/usr/sbin/apache2"),
                        "[/usr/sbin/apache2, -f, $DIR/httpd.conf]",
                        "pidFile: $DIR/apache2.pid\nstopSignal: WINCH\nstopTimeout: 25s",
                        Map.of("httpd.conf", APACHE, "slow.cgi", SLOW_CGI, "htdocs/index.html", "hello\n"), 2));
    }

    @TempDir
    Path dir;
    Launched launched;
    int port;
    SiteUnderTest site;

    @RegisterExtension
    final AfterTestExecutionCallback printTheDaemonsLog = context -> {
        if (context.getExecutionException().isEmpty()) return;
        for (int n = 1; n <= 2; n++) {
            try {
                System.err.println("--- daemon " + n + "\n" + launched.daemonOutput(n));
            } catch (Exception none) {
                break;
            }
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                System.err.println("--- " + file.getFileName() + "\n" + Files.readString(file));
            }
        }
        Path siteLog = launched.home().resolve("logs/server/server.log");
        if (Files.exists(siteLog)) System.err.println("--- the site's output\n" + Files.readString(siteLog));
    };

    @BeforeEach
    void setUp() throws Exception {
        launched = new Launched(dir);
        port = Probes.freePort();
        site = new SiteUnderTest(launched, "server", port);
        // the servers' workers run as another user (Apache's www-data): they must reach the folder
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void tearDown() {
        launched.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void servesRestartsGracefullyRecoversFromCrashesIsAdoptedAndStopsClean(Server server) throws Exception {
        assertTrue(Files.isExecutable(server.program()),
                server.program() + " is missing: run `bash scripts/setup`, which installs the Debian packages the servers come from");
        Path marks = Files.createDirectories(dir.resolve("marks"));
        Files.setPosixFilePermissions(marks, PosixFilePermissions.fromString("rwxrwxrwx"));
        for (Map.Entry<String, String> file : server.files().entrySet()) {
            Path path = dir.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue().replace("$DIR", dir.toString()).replace("$PORT", Integer.toString(port)));
            if (file.getKey().endsWith(".cgi")) Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        launched.writeConfig("", """
                  server:
                    command: %s
                    port: %d
                %s
                """.formatted(server.command().replace("$DIR", dir.toString()), port, server.settings().replace("$DIR", dir.toString()).indent(4)));
        Process daemon = launched.startDaemon();
        assertEquals("hello\n", site.get("/"), "it does not answer");
        long master = site.pid();
        Path cgroup = site.cgroup();

        // a request in flight finishes across a graceful restart
        CompletableFuture<HttpResponse<String>> slow = SiteUnderTest.client().sendAsync(site.request("/slow"), HttpResponse.BodyHandlers.ofString());
        Await.until("the slow request at the server", WAIT, () -> Files.exists(marks.resolve("slow-started")));
        Launched.Run restart = launched.cli("restart", "server");
        assertEquals(0, restart.exitCode(), restart.toString());
        HttpResponse<String> finished = slow.get(30, TimeUnit.SECONDS);
        assertEquals("slow done\n", finished.body(), "the request in flight was cut off by the restart (HTTP " + finished.statusCode() + ")");
        long restarted = site.pid();
        assertNotEquals(master, restarted);
        assertEquals("hello\n", site.get("/"));

        if (server.workers() > 0) {
            // a worker killed: the server's master makes another, and the site stays as it is
            long worker = ProcessHandle.of(restarted).orElseThrow().children().findFirst().orElseThrow().pid();
            ProcessHandle.of(worker).orElseThrow().destroyForcibly();
            Await.until("the server replacing its worker", WAIT, () -> ProcessHandle.of(restarted).orElseThrow().children()
                    .filter(child -> child.pid() != worker).count() >= server.workers());
            assertEquals(restarted, site.pid());
            assertEquals("hello\n", site.get("/"));
        }

        // the master killed: back by the policy, nothing of the old one left in its cgroup
        List<Long> before = Cgroups.pids(cgroup);
        ProcessHandle.of(restarted).orElseThrow().destroyForcibly();
        Await.until("the site back with a new master", WAIT, () -> site.pid() != restarted && site.pid() != 0 && site.answers("/"));
        for (long old : before) assertFalse(Cgroups.pids(cgroup).contains(old), "pid " + old + " of the killed master's outlived it");

        // the daemon killed: the next one adopts the server as it runs
        long beforeKill = site.pid();
        daemon.destroyForcibly();
        assertTrue(daemon.waitFor(10, TimeUnit.SECONDS), "kill -9 did not end the daemon");
        assertEquals("hello\n", site.get("/"), "the server stopped with the daemon");
        launched.startDaemon();
        assertTrue(launched.daemonOutput(2).contains("adopted: server: pid " + beforeKill), launched.daemonOutput(2));

        List<Long> members = Cgroups.pids(cgroup);
        Launched.Run stop = launched.cli("stop", "server");
        assertEquals(0, stop.exitCode(), stop.toString());
        assertEquals(List.of(), SiteUnderTest.alive(members), "processes of the server outlived the stop");
        assertFalse(site.answers("/"), "something still answers on its port");
    }
}
