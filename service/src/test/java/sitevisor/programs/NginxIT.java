package sitevisor.programs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sitevisor.posix.Cgroups;
import sitevisor.testing.Await;
import sitevisor.testing.Launched;
import sitevisor.testing.Probes;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's nginx as operators run it under sitevisor, through {@code bin/sitevisor}: in the
 * foreground ({@code -g 'daemon off;'}, as the README advises), and as it ships, daemonizing,
 * followed through its pid file or refused without one. An HTTP server in the test is its
 * upstream, which says when a request has reached it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NginxIT {
    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    Launched launched;
    int webPort;
    int backendPort;
    SiteUnderTest web;
    com.sun.net.httpserver.HttpServer upstream;
    final java.util.concurrent.atomic.AtomicInteger slowArrived = new java.util.concurrent.atomic.AtomicInteger();

    @RegisterExtension
    final AfterTestExecutionCallback printTheDaemonsLog = context -> {
        if (context.getExecutionException().isEmpty()) return;
        for (int n = 1; n <= 3; n++) {
            try {
                System.err.println("--- daemon " + n + "\n" + launched.daemonOutput(n));
            } catch (Exception none) {
                break;
            }
        }
        Path errors = dir.resolve("nginx-error.log");
        if (Files.exists(errors)) System.err.println("--- nginx's error log\n" + Files.readString(errors));
    };

    @BeforeEach
    void setUp() throws Exception {
        assertTrue(Files.isExecutable(NGINX), NGINX + " is missing: run `bash scripts/setup`, which installs Debian's nginx");
        launched = new Launched(dir);
        webPort = Probes.freePort();
        web = new SiteUnderTest(launched, "web", webPort);
        upstream = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 10);
        upstream.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        upstream.createContext("/slow", exchange -> {
            slowArrived.incrementAndGet();
            try {
                TimeUnit.SECONDS.sleep(3); // the upstream's own slowness, which the restart must not cut off
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "slow done\n".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        backendPort = upstream.getAddress().getPort();
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(dir.resolve("nginx.conf"), """
                user root;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx-error.log;
                worker_processes 2;
                events { worker_connections 64; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/tmp/body;
                  proxy_temp_path %1$s/tmp/proxy;
                  fastcgi_temp_path %1$s/tmp/fastcgi;
                  uwsgi_temp_path %1$s/tmp/uwsgi;
                  scgi_temp_path %1$s/tmp/scgi;
                  server {
                    listen 127.0.0.1:%2$d;
                    location = / { return 200 "nginx\\n"; }
                    location / { proxy_pass http://127.0.0.1:%3$d; proxy_read_timeout 30s; }
                  }
                }
                """.formatted(dir, webPort, backendPort));
    }

    @AfterEach
    void tearDown() {
        upstream.stop(0);
        // what is left of nginx is in the home's cgroups, which Launched empties
        launched.close();
    }

    /** The site: nginx as {@code web} with {@code settings}. */
    private void writeConfig(String webCommand, String settings) throws Exception {
        launched.writeConfig("", """
                  web:
                    command: %s
                    port: %d
                %s""".formatted(webCommand, webPort, settings.indent(4)));
    }

    private String foreground() {
        return "[" + NGINX + ", -c, " + dir.resolve("nginx.conf") + ", -g, 'daemon off;']";
    }

    private String asItShips() {
        return "[" + NGINX + ", -c, " + dir.resolve("nginx.conf") + "]";
    }

    @Test
    void inTheForegroundItRestartsGracefullyRecoversFromCrashesStopsCleanAndIsAdopted() throws Exception {
        writeConfig(foreground(), "stopSignal: QUIT\nstopTimeout: 20s\n");
        Process daemon = launched.startDaemon();
        assertEquals("nginx\n", web.get("/"));
        long master = web.pid();

        // a request in flight through nginx to its upstream finishes across a graceful restart
        CompletableFuture<HttpResponse<String>> slow = SiteUnderTest.client().sendAsync(web.request("/slow"), HttpResponse.BodyHandlers.ofString());
        Await.until("the slow request at the upstream", WAIT, () -> slowArrived.get() == 1);
        Launched.Run restart = launched.cli("restart", "web");
        assertEquals(0, restart.exitCode(), restart.toString());
        HttpResponse<String> finished = slow.get(30, TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode(), "the request in flight was cut off by the restart: " + finished.body());
        assertEquals("slow done\n", finished.body());
        long restarted = web.pid();
        assertNotEquals(master, restarted);
        assertEquals("nginx\n", web.get("/"));

        // a worker killed: nginx's master makes another; the site stays as it is
        long worker = ProcessHandle.of(restarted).orElseThrow().children().findFirst().orElseThrow().pid();
        ProcessHandle.of(worker).orElseThrow().destroyForcibly();
        Await.until("nginx replacing its worker", WAIT, () -> ProcessHandle.of(restarted).orElseThrow().children().count() == 2
                && ProcessHandle.of(restarted).orElseThrow().children().noneMatch(c -> c.pid() == worker));
        assertEquals(restarted, web.pid());
        assertEquals("nginx\n", web.get("/"));

        // the master killed: the site is restarted by its policy, nothing of the old one left
        ProcessHandle.of(restarted).orElseThrow().destroyForcibly();
        Await.until("web back with a new master", WAIT, () -> web.pid() != restarted && web.pid() != 0 && web.answers("/"));

        // the daemon killed: the next one adopts nginx as it runs
        long beforeKill = web.pid();
        daemon.destroyForcibly();
        assertTrue(daemon.waitFor(10, TimeUnit.SECONDS), "kill -9 did not end the daemon");
        assertEquals("nginx\n", web.get("/"), "nginx stopped with the daemon");
        launched.startDaemon();
        assertTrue(launched.daemonOutput(2).contains("adopted: web: pid " + beforeKill), launched.daemonOutput(2));

        List<Long> members = Cgroups.pids(web.cgroup());
        Launched.Run stop = launched.cli("stop", "web");
        assertEquals(0, stop.exitCode(), stop.toString());
        assertEquals(List.of(), SiteUnderTest.alive(members), "nginx processes outlived the stop");
    }

    /** Under either kind of cgroup: v1's pids hierarchy, or v2 as on a machine that mounts only that. */
    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void asItShipsItIsFollowedThroughItsPidFile(String cgroups) throws Exception {
        Cgroups.Found found = Cgroups.forHome(launched.home().resolve("run"), cgroups);
        assumeTrue(found.cgroups().isPresent(), "no cgroup " + cgroups + " here: " + found.whyNone());
        launched.useCgroups(cgroups);
        writeConfig(asItShips(), "pidFile: " + dir.resolve("nginx.pid") + "\nstopSignal: QUIT\n");
        launched.startDaemon();
        assertEquals("nginx\n", web.get("/"));
        String output = launched.daemonOutput(1);
        assertTrue(output.contains("followed through its pid file"), output);
        assertTrue(output.contains("in a cgroup per instance, cgroup " + cgroups), output);
        long master = web.pid();
        assertEquals(master, Long.parseLong(Files.readString(dir.resolve("nginx.pid")).trim()));

        Launched.Run restart = launched.cli("restart", "web");
        assertEquals(0, restart.exitCode(), restart.toString());
        assertNotEquals(master, web.pid());
        assertEquals("nginx\n", web.get("/"));

        List<Long> members = Cgroups.pids(web.cgroup());
        assertEquals(3, members.size(), "the master and its 2 workers in the site's cgroup: " + members);
        assertTrue(web.cgroup().startsWith(found.cgroups().get().base()), web.cgroup() + " is not the daemon's " + cgroups + " cgroup");
        Launched.Run stop = launched.cli("stop", "web");
        assertEquals(0, stop.exitCode(), stop.toString());
        assertEquals(List.of(), SiteUnderTest.alive(members), "nginx processes outlived the stop");
    }

    @Test
    void asItShipsWithoutItsPidFileItIsRefusedWithTheAdviceAndNothingIsLeft() throws Exception {
        writeConfig(asItShips(), "");
        launched.startDaemon();
        Launched.Run status = launched.cli("status", "web");
        assertTrue(status.out().contains("FATAL") && status.out().contains("daemonized itself") && status.out().contains("'daemon off;'"), status.toString());
        assertEquals(List.of(), Cgroups.pids(web.cgroup()), "the nginx it left runs on, untracked");
        assertFalse(web.answers("/"), "something still answers on its port");
    }
}
