package sitevisor.http;

import org.jolokia.json.parser.JSONParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.testing.Await;
import sitevisor.testing.Chromium;
import sitevisor.testing.Chromium.By;
import sitevisor.testing.Chromium.Element;
import sitevisor.testing.Hawtio;
import sitevisor.testing.Launched;

import java.nio.charset.StandardCharsets;
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
import static sitevisor.testing.Probes.isAlive;

/**
 * Hawtio 4, the web console for Jolokia, in a real headless Chromium, against a daemon that
 * {@code bin/sitevisor run} started: through Hawtio's proxy it shows the sitevisor MBeans and
 * restarts a site from its Operations tab while its origin is listed in {@code jolokia.origins},
 * and the agent refuses it with 403 once a reload takes the origin off the list.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HawtioIT {
    // sized for a loaded 2-core machine: Hawtio's first page parses megabytes of JavaScript
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String WEB = "  web:\n    command: [sleep, \"1000\"]\n    startSeconds: 0\n";
    private static final String CONNECTION = "sitevisor";
    private static final String HAWTIO_OPERATOR = "operator jolokia user sitevisor from 127.0.0.1";
    private static final Path SCREENSHOTS = Path.of("target", "hawtio");

    @TempDir
    static Path hawtioDir;
    static Hawtio hawtio;

    @TempDir
    Path dir;
    Launched launched;
    Chromium chromium;

    /** On a failure, before anything is stopped: the daemon's log, the browser's console and what its window shows. */
    @RegisterExtension
    final AfterTestExecutionCallback reportAFailure = context -> {
        if (context.getExecutionException().isEmpty()) return;
        String test = context.getRequiredTestMethod().getName();
        try {
            System.err.println("--- " + test + ": the daemon's log\n" + launched.daemonOutput(1));
        } catch (Exception e) {
            System.err.println("--- " + test + ": no daemon log (" + e + ")");
        }
        if (chromium == null) return;
        try {
            System.err.println("--- " + test + ": the browser at " + chromium.url() + ", its console\n" + String.join("\n", chromium.log()));
            System.err.println("--- " + test + ": what the browser showed: " + chromium.screenshot(SCREENSHOTS.resolve("failed-" + test + ".png")));
        } catch (Exception e) {
            System.err.println("--- " + test + ": the browser could not tell more (" + e + ")");
        }
    };

    @BeforeAll
    static void startHawtio() throws Exception {
        Chromium.requireInstalled();
        hawtio = Hawtio.start(hawtioDir);
    }

    @AfterAll
    static void stopHawtio() throws Exception {
        if (hawtio != null) hawtio.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        launched = new Launched(dir);
        chromium = Chromium.start(dir.resolve("browser"));
    }

    @AfterEach
    void stopEverythingThisTestStarted() {
        try {
            if (chromium != null) chromium.close();
        } finally {
            launched.close();
        }
    }

    @Test
    void hawtioShowsTheSitevisorMBeansAndRestartsASiteThroughItsProxyWhenItsOriginIsListed() throws Exception {
        launched.writeConfig("origins: [" + hawtio.origin() + "]", "", WEB);
        launched.startDaemon();
        long before = pidOfWeb();

        openHawtioConnectedToTheDaemon();
        chromium.await("the sitevisor domain in the JMX tree", WAIT, treeNode("sitevisor-folder"));
        chromium.click("Expand all", WAIT, By.xpath("//button[normalize-space()='Expand all']"));
        chromium.await("the Supervisor MBean in the JMX tree", WAIT, treeNode("sitevisor-folder-Supervisor"));
        chromium.await("web's Site MBean in the JMX tree", WAIT, treeNode("sitevisor-folder-Site-folder-web"));
        saved(chromium.screenshot(SCREENSHOTS.resolve("hawtio-mbean-tree.png")));

        chromium.click("the Supervisor MBean", WAIT, treeNode("sitevisor-folder-Supervisor"));
        awaitSelected("sitevisor:type=Supervisor");
        chromium.click("web's Site MBean", WAIT, treeNode("sitevisor-folder-Site-folder-web"));
        awaitSelected("sitevisor:type=Site,name=web");
        chromium.await("web's Pid, read through the proxy", WAIT,
                By.xpath("//tr[td[1][normalize-space()='Pid']]/td[2][normalize-space()='" + before + "']"));

        chromium.click("the Operations tab", WAIT, By.css("nav[aria-label='MBean Nav'] a[href$='/jmx/operations']"));
        chromium.click("restart()", WAIT, By.css("li[aria-labelledby='operation restart()'] button[aria-label='Details']"));
        chromium.click("Execute", WAIT, By.xpath("//section[@aria-label='operation execute restart()']//button[normalize-space()='Execute']"));
        Element result = chromium.await("the result of restart()", WAIT,
                By.xpath("//section[@aria-label='operation result restart()']//input[string-length(@value) > 0]"));
        chromium.scrollTo(result);
        saved(chromium.screenshot(SCREENSHOTS.resolve("hawtio-after-restart.png")));

        String answer = (String) chromium.property(result, "value");
        Matcher restarted = Pattern.compile("RUNNING: pid (\\d+) .*").matcher(answer);
        assertTrue(restarted.matches(), "restart() through Hawtio answered: " + answer);
        long after = Long.parseLong(restarted.group(1));
        assertNotEquals(before, after, "the restart kept the old process");
        assertEquals(after, pidOfWeb(), "the daemon runs another process than Hawtio was told");
        assertFalse(isAlive(before), "the old process outlived the restart");
        List<Map<String, Object>> events = historyOfWeb();
        assertTrue(events.stream().anyMatch(e -> "stopping".equals(e.get("kind")) && HAWTIO_OPERATOR.equals(e.get("actor"))),
                "no stop asked through Hawtio in " + events);
        assertTrue(events.stream().anyMatch(e -> "ready".equals(e.get("kind")) && HAWTIO_OPERATOR.equals(e.get("actor"))
                && ((Number) e.get("pid")).longValue() == after), "no start of pid " + after + " asked through Hawtio in " + events);
    }

    @Test
    void hawtioIsRefusedWith403ThroughItsProxyOnceAReloadTakesItsOriginOffTheList() throws Exception {
        launched.writeConfig("origins: [" + hawtio.origin() + "]", "", WEB);
        launched.startDaemon();
        openHawtioConnectedToTheDaemon();
        chromium.await("the sitevisor domain in the JMX tree", WAIT, treeNode("sitevisor-folder"));
        Answer listed = askAsHawtioDoes();
        assertEquals(200, listed.status(), listed.toString());
        List<String> console = new ArrayList<>(chromium.log());
        assertTrue(console.stream().noneMatch(line -> line.contains("status of 403")), "refused while listed: " + console);

        launched.writeConfig("", "", WEB);
        Launched.Run reload = launched.cli("reload");
        assertEquals(0, reload.exitCode(), reload.toString());

        Answer refused = askAsHawtioDoes();
        assertEquals(403, refused.status(), refused.toString());
        assertTrue(refused.body().contains("a browser request from " + hawtio.origin() + " is refused: its origin is not listed in jolokia.origins"),
                refused.toString());
        // Hawtio itself, opened again: its own requests are refused too, so it asks for another login
        chromium.open(hawtio.url("/?con=" + CONNECTION));
        chromium.await("Hawtio's login dialog", WAIT, By.css("#connect-login-form-username"));
        saved(chromium.screenshot(SCREENSHOTS.resolve("hawtio-refused.png")));
        String agentThroughProxy = hawtio.url(hawtio.proxyPath(launched.jolokiaPort(), "/jolokia"));
        Await.until("the browser logging Hawtio's own requests through the proxy refused with 403", WAIT, () -> {
            console.addAll(chromium.log());
            return console.stream().anyMatch(line -> line.contains(agentThroughProxy) && !line.contains(askedAsHawtioDoes())
                    && line.contains("status of 403"));
        });
    }

    /** Stores a connection to the daemon's agent, with the user and password of its credentials file, and opens Hawtio on it. */
    private void openHawtioConnectedToTheDaemon() throws Exception {
        String[] userAndPassword = credentials().split(":", 2);
        // localStorage belongs to an origin: the browser must be on one of Hawtio's pages to fill it
        chromium.open(hawtio.url("/favicon.ico"));
        chromium.script("""
                const [id, port, username, password] = arguments;
                localStorage.setItem('connect.connections', JSON.stringify({
                    [id]: {id, name: id, scheme: 'http', host: '127.0.0.1', port, path: '/jolokia', username, password}}));
                """, CONNECTION, launched.jolokiaPort(), userAndPassword[0], userAndPassword[1]);
        // the id becomes this tab's current connection; Hawtio then opens its JMX tree
        chromium.open(hawtio.url("/?con=" + CONNECTION));
    }

    /** The daemon's user and password, as {@code user:password}. */
    private String credentials() throws Exception {
        return Files.readString(launched.home().resolve("credentials")).trim();
    }

    /** What the agent answered through Hawtio's proxy. */
    private record Answer(long status, String body) {}

    /** Where {@link #askAsHawtioDoes()} sends its request: none of Hawtio's own goes there. */
    private String askedAsHawtioDoes() {
        return hawtio.url(hawtio.proxyPath(launched.jolokiaPort(), "/jolokia/")) + "?mimeType=application/json";
    }

    /**
     * The agent's version, asked from Hawtio's page as Hawtio asks its connection's agent: a POST of
     * text/json with the credentials in X-Jolokia-Authorization, through the proxy, the browser adding its Origin.
     */
    private Answer askAsHawtioDoes() throws Exception {
        Object answer = chromium.asyncScript("""
                const [url, authorization, done] = arguments;
                fetch(url, {method: 'POST', headers: {'Content-Type': 'text/json', 'X-Jolokia-Authorization': authorization},
                            body: JSON.stringify({type: 'version'})})
                    .then(response => response.text().then(body => done({status: response.status, body})))
                    .catch(error => done({status: -1, body: String(error)}));
                """, askedAsHawtioDoes(),
                "Basic " + Base64.getEncoder().encodeToString(credentials().getBytes(StandardCharsets.UTF_8)));
        Map<String, Object> fields = json(answer);
        return new Answer(((Number) fields.get("status")).longValue(), (String) fields.get("body"));
    }

    /** A node of Hawtio's JMX tree, by the id Hawtio gives it: the domain, then each key's value, folders suffixed. */
    private static By treeNode(String id) {
        return By.css("li[role='treeitem'][id='" + id + "'] > div .pf-v5-c-tree-view__node-text");
    }

    /** Waits until Hawtio shows the MBean of this name, the one selected in its tree. */
    private void awaitSelected(String objectName) throws Exception {
        chromium.await(objectName + " shown", WAIT, By.xpath("//section[@id='jmx-content-header']/small[normalize-space()='" + objectName + "']"));
    }

    private long pidOfWeb() throws Exception {
        Map<String, Object> status = json(cliJson("status", "web", "--json"));
        Map<String, Object> web = json(((List<?>) status.get("sites")).get(0));
        return ((Number) json(((List<?>) web.get("instances")).get(0)).get("pid")).longValue();
    }

    private List<Map<String, Object>> historyOfWeb() throws Exception {
        return ((List<?>) json(cliJson("history", "web", "-n", "50", "--json")).get("events")).stream().map(HawtioIT::json).toList();
    }

    private Object cliJson(String... arguments) throws Exception {
        Launched.Run run = launched.cli(arguments);
        assertEquals(0, run.exitCode(), run.toString());
        return new JSONParser().parse(run.out());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Object object) {
        return (Map<String, Object>) object;
    }

    private static void saved(Path screenshot) {
        System.out.println("HawtioIT: saved " + screenshot);
    }
}
