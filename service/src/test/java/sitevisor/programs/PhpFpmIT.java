package sitevisor.programs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Debian's php-fpm (a master and its pool of workers, speaking FastCGI) as a site behind nginx,
 * another site, as a LEMP server runs them: each through {@code bin/sitevisor}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PhpFpmIT {
    private static final Path PHP_FPM = Path.of("/usr/sbin/php-fpm8.2");
    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    Launched launched;
    int webPort;
    int phpPort;
    SiteUnderTest web;
    SiteUnderTest php;

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
        for (String log : List.of("php-fpm.log", "nginx-error.log")) {
            Path file = dir.resolve(log);
            if (Files.exists(file)) System.err.println("--- " + log + "\n" + Files.readString(file));
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        assertTrue(Files.isExecutable(PHP_FPM) && Files.isExecutable(NGINX),
                PHP_FPM + " or " + NGINX + " is missing: run `bash scripts/setup`, which installs Debian's php-fpm and nginx");
        launched = new Launched(dir);
        webPort = Probes.freePort();
        phpPort = Probes.freePort();
        web = new SiteUnderTest(launched, "web", webPort);
        php = new SiteUnderTest(launched, "php", phpPort);
        // php-fpm's workers run as www-data: they must reach the scripts and the folder of marks
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path marks = Files.createDirectories(dir.resolve("marks"));
        Files.setPosixFilePermissions(marks, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.createDirectories(dir.resolve("htdocs"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(dir.resolve("htdocs/index.php"), "<?php echo \"hello\\n\";\n");
        Files.writeString(dir.resolve("htdocs/slow.php"), "<?php touch('" + marks + "/slow-started'); sleep(3); echo \"slow done\\n\";\n");
        Files.writeString(dir.resolve("php-fpm.conf"), """
                [global]
                pid = %1$s/php-fpm.pid
                error_log = %1$s/php-fpm.log
                ; how long a worker may finish its request once told to stop (0: not at all)
                process_control_timeout = 20s
                [www]
                user = www-data
                group = www-data
                listen = 127.0.0.1:%2$d
                pm = static
                pm.max_children = 2
                """.formatted(dir, phpPort));
        Files.writeString(dir.resolve("nginx.conf"), """
                user root;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx-error.log;
                worker_processes 1;
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
                    root %1$s/htdocs;
                    location ~ \\.php$ {
                      include /etc/nginx/fastcgi_params;
                      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
                      fastcgi_pass 127.0.0.1:%3$d;
                      fastcgi_read_timeout 30s;
                    }
                  }
                }
                """.formatted(dir, webPort, phpPort));
        launched.writeConfig("", """
                  php:
                    command: [%s, --nodaemonize, --fpm-config, %s]
                    port: %d
                    stopSignal: QUIT
                    stopTimeout: 25s
                  web:
                    command: [%s, -c, %s, -g, 'daemon off;']
                    port: %d
                    stopSignal: QUIT
                """.formatted(PHP_FPM, dir.resolve("php-fpm.conf"), phpPort, NGINX, dir.resolve("nginx.conf"), webPort));
    }

    @AfterEach
    void tearDown() {
        launched.close();
    }

    @Test
    void phpFpmBehindNginxRestartsGracefullyRecoversFromCrashesIsAdoptedAndStopsClean() throws Exception {
        Process daemon = launched.startDaemon();
        assertEquals("hello\n", web.get("/index.php"));
        long master = php.pid();
        Path cgroup = php.cgroup();

        // a request in flight at a worker finishes across a graceful restart of php-fpm
        CompletableFuture<HttpResponse<String>> slow = SiteUnderTest.client().sendAsync(web.request("/slow.php"), HttpResponse.BodyHandlers.ofString());
        Await.until("the slow script running", WAIT, () -> Files.exists(dir.resolve("marks/slow-started")));
        Launched.Run restart = launched.cli("restart", "php");
        assertEquals(0, restart.exitCode(), restart.toString());
        HttpResponse<String> finished = slow.get(30, TimeUnit.SECONDS);
        assertEquals("slow done\n", finished.body(), "the request in flight was cut off by the restart (HTTP " + finished.statusCode() + ")");
        long restarted = php.pid();
        assertNotEquals(master, restarted);

        // a worker killed: php-fpm's master makes another, and the site stays as it is
        long worker = ProcessHandle.of(restarted).orElseThrow().children().findFirst().orElseThrow().pid();
        ProcessHandle.of(worker).orElseThrow().destroyForcibly();
        Await.until("php-fpm replacing its worker", WAIT, () -> ProcessHandle.of(restarted).orElseThrow().children()
                .filter(child -> child.pid() != worker).count() == 2);
        assertEquals(restarted, php.pid());
        assertEquals("hello\n", web.get("/index.php"));

        // the master killed: back by the policy, none of the old processes left
        List<Long> before = Cgroups.pids(cgroup);
        ProcessHandle.of(restarted).orElseThrow().destroyForcibly();
        Await.until("php-fpm back with a new master", WAIT, () -> php.pid() != restarted && php.pid() != 0 && web.answers("/index.php"));
        for (long old : before) assertFalse(Cgroups.pids(cgroup).contains(old), "pid " + old + " of the killed master's outlived it");

        // the daemon killed: the next one adopts both sites as they run
        long beforeKill = php.pid();
        daemon.destroyForcibly();
        assertTrue(daemon.waitFor(10, TimeUnit.SECONDS), "kill -9 did not end the daemon");
        assertEquals("hello\n", web.get("/index.php"), "the sites stopped with the daemon");
        launched.startDaemon();
        assertTrue(launched.daemonOutput(2).contains("adopted: php: pid " + beforeKill), launched.daemonOutput(2));

        List<Long> members = Cgroups.pids(cgroup);
        Launched.Run stop = launched.cli("stop", "php");
        assertEquals(0, stop.exitCode(), stop.toString());
        assertEquals(List.of(), SiteUnderTest.alive(members), "php-fpm processes outlived the stop");
        HttpResponse<String> gone = SiteUnderTest.client().send(web.request("/index.php"), HttpResponse.BodyHandlers.ofString());
        assertEquals(502, gone.statusCode(), "nginx still reaches a php-fpm");
    }
}
