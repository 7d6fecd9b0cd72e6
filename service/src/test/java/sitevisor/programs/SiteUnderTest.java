package sitevisor.programs;

import sitevisor.posix.Cgroups;
import sitevisor.testing.Launched;
import sitevisor.testing.Probes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A real server run as a site by a daemon {@link Launched} started: asked over HTTP, and over the CLI for its state. */
final class SiteUnderTest {
    private final Launched launched;
    private final String site;
    private final int port;

    SiteUnderTest(Launched launched, String site, int port) {
        this.launched = launched;
        this.site = site;
        this.port = port;
    }

    /** The site's main process now, as {@code sitevisor status --json} gives it; 0 when none runs. */
    long pid() throws Exception {
        Launched.Run status = launched.cli("status", site, "--json");
        assertEquals(0, status.exitCode(), status.toString());
        String out = status.out();
        int at = out.indexOf("\"pid\":");
        return Long.parseLong(out.substring(at + 6, out.indexOf(',', at)).trim());
    }

    /** The cgroup of the site's instance 0, which holds its master and its workers: v1's or v2's, whichever the daemon made. */
    Path cgroup() {
        List<Path> candidates = Cgroups.homeFolders(launched.home().resolve("run")).stream().map(home -> home.resolve(site + ".0")).toList();
        return candidates.stream().filter(java.nio.file.Files::isDirectory).findFirst().orElse(candidates.get(0));
    }

    /**
     * A client of its own for each request: a kept-alive connection would meet the server's
     * restart; and HTTP/1.1 alone, as the JDK's client asks for an upgrade to h2c otherwise, which
     * uvicorn refuses.
     */
    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build();
    }

    /** The body of a 200 answer to {@code path}. */
    String get(String path) throws Exception {
        HttpResponse<String> response = client().send(request(path), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    boolean answers(String path) {
        try {
            return client().send(request(path), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (Exception notYet) {
            return false;
        }
    }

    static List<Long> alive(List<Long> pids) {
        return pids.stream().filter(Probes::isAlive).toList();
    }
}
