package sitevisor.testing;

import org.jolokia.json.JSONWriter;
import org.jolokia.json.parser.JSONParser;
import sitevisor.posix.ProcStat;
import sitevisor.posix.Processes;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A headless Chromium, driven through chromedriver's W3C WebDriver protocol over plain HTTP.
 * Every process it starts carries a marker in its environment or descends from chromedriver,
 * so {@link #close()} ends all of them, and fails when one outlives it.
 */
public final class Chromium implements AutoCloseable {
    public static final Path BROWSER = Path.of("/usr/bin/chromium");
    public static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(15);
    // the key W3C WebDriver names an element reference by
    private static final String ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf";
    private static final Pattern DRIVER_PORT = Pattern.compile("was started successfully on port (\\d+)");
    private static final String MARKER_VARIABLE = "SITEVISOR_TEST_BROWSER";

    private final Process driver;
    private final Path profile;
    private final String marker;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Set<ProcessHandle> seen = new LinkedHashSet<>();
    private String base;
    private String sessionId;

    /** An element of the page, as the browser names it. */
    public record Element(String id) {}

    /** How to find elements: a CSS selector or an XPath. */
    public record By(String using, String value) {
        public static By css(String selector) {
            return new By("css selector", selector);
        }

        public static By xpath(String expression) {
            return new By("xpath", expression);
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /** The answer of a WebDriver command that failed, with the driver's error code. */
    public static final class CommandFailed extends RuntimeException {
        public final String error;

        CommandFailed(String command, int status, String error, String message) {
            super(command + ": HTTP " + status + " " + error + ": " + message);
            this.error = error;
        }
    }

    private Chromium(Process driver, Path profile, String marker) {
        this.driver = driver;
        this.profile = profile;
        this.marker = marker;
    }

    /** Fails, rather than skips, on a machine without chromium: the setup script installs it. */
    public static void requireInstalled() {
        List<Path> missing = Stream.of(BROWSER, DRIVER).filter(program -> !Files.isExecutable(program)).toList();
        if (!missing.isEmpty()) {
            throw new AssertionError("this test drives " + BROWSER + " through " + DRIVER + ", and this machine lacks " + missing
                    + ": run `bash scripts/setup`, which installs the Debian packages chromium and chromium-driver");
        }
    }

    /** Starts chromedriver and a browser with a fresh profile in {@code dir}, its window 1400 by 1000 pixels. */
    public static Chromium start(Path dir) throws Exception {
        requireInstalled();
        Path profile = Files.createDirectories(dir.resolve("profile"));
        Path driverLog = dir.resolve("chromedriver.out");
        String runId = UUID.randomUUID().toString();
        ProcessBuilder builder = new ProcessBuilder(DRIVER.toString(), "--port=0");
        builder.environment().put(MARKER_VARIABLE, runId);
        // chromium keeps its crash reporter's database and caches under HOME: in the test's folder, not the user's
        builder.environment().put("HOME", Files.createDirectories(dir.resolve("home")).toString());
        builder.redirectErrorStream(true).redirectOutput(driverLog.toFile());
        Chromium chromium = new Chromium(builder.start(), profile, MARKER_VARIABLE + "=" + runId);
        try {
            Await.until("chromedriver listening", START_TIMEOUT, () -> {
                if (!chromium.driver.isAlive()) throw new AssertionError("chromedriver ended:\n" + Files.readString(driverLog));
                Matcher port = DRIVER_PORT.matcher(Files.readString(driverLog));
                if (port.find()) chromium.base = "http://127.0.0.1:" + port.group(1);
                return chromium.base != null;
            });
            chromium.openSession();
        } catch (Throwable e) {
            try {
                chromium.close();
            } catch (Throwable notEnded) {
                e.addSuppressed(notEnded);
            }
            throw e;
        }
        return chromium;
    }

    private void openSession() throws Exception {
        List<String> arguments = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,1000", "--user-data-dir=" + profile);
        Map<String, Object> capabilities = Map.of(
                "browserName", "chrome",
                "goog:chromeOptions", Map.of("binary", BROWSER.toString(), "args", arguments),
                // what the pages write to their console, and what the browser logs of them, for a failing test
                "goog:loggingPrefs", Map.of("browser", "ALL"));
        Map<String, Object> session = map(command("POST", "/session", Map.of("capabilities", Map.of("alwaysMatch", capabilities))));
        sessionId = (String) session.get("sessionId");
        remember();
    }

    /** Loads a URL and returns once the page has loaded. */
    public void open(String url) throws Exception {
        session("POST", "/url", Map.of("url", url));
        remember();
    }

    public String url() throws Exception {
        return (String) session("GET", "/url", null);
    }

    /** Runs a function body in the page with {@code arguments}; returns what it returns. */
    public Object script(String body, Object... arguments) throws Exception {
        return session("POST", "/execute/sync", Map.of("script", body, "args", List.of(arguments)));
    }

    /** Runs a function body that ends by calling its last argument with the answer; waits for that call. */
    public Object asyncScript(String body, Object... arguments) throws Exception {
        return session("POST", "/execute/async", Map.of("script", body, "args", List.of(arguments)));
    }

    /** The first element found, if any. */
    public Optional<Element> find(By by) throws Exception {
        List<Object> found = list(session("POST", "/elements", Map.of("using", by.using(), "value", by.value())));
        return found.isEmpty() ? Optional.empty() : Optional.of(element(found.get(0)));
    }

    /** Waits until an element is found and shown. */
    public Element await(String what, Duration timeout, By by) throws Exception {
        Element[] shown = new Element[1];
        Await.until(what + " (" + by + ")", timeout, () -> {
            Optional<Element> found = find(by);
            if (found.isEmpty()) return false;
            try {
                if (!Boolean.TRUE.equals(session("GET", "/element/" + found.get().id() + "/displayed", null))) return false;
            } catch (CommandFailed e) {
                // the page re-rendered it between the two commands: look again
                if (e.error.equals("stale element reference")) return false;
                throw e;
            }
            shown[0] = found.get();
            return true;
        });
        return shown[0];
    }

    /** Waits for an element and clicks it, again while another element still covers it or the page replaces it. */
    public void click(String what, Duration timeout, By by) throws Exception {
        Await.until("a click on " + what + " (" + by + ")", timeout, () -> {
            Optional<Element> found = find(by);
            if (found.isEmpty()) return false;
            try {
                session("POST", "/element/" + found.get().id() + "/click", Map.of());
                return true;
            } catch (CommandFailed e) {
                if (Set.of("element click intercepted", "element not interactable", "stale element reference").contains(e.error)) return false;
                throw e;
            }
        });
    }

    /** A DOM property of the element, such as an input's {@code value}. */
    public Object property(Element element, String name) throws Exception {
        return session("GET", "/element/" + element.id() + "/property/" + name, null);
    }

    /** Scrolls the element to the middle of the window. */
    public void scrollTo(Element element) throws Exception {
        script("arguments[0].scrollIntoView({block: 'center'})", Map.of(ELEMENT_KEY, element.id()));
    }

    /** Writes what the window shows to a PNG file; returns its path. */
    public Path screenshot(Path file) throws Exception {
        byte[] png = Base64.getDecoder().decode((String) session("GET", "/screenshot", null));
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.write(file, png).toAbsolutePath();
    }

    /** The browser's log since the last call: console messages and failed loads, one line each. */
    public List<String> log() throws Exception {
        List<String> lines = new ArrayList<>();
        // chromedriver's own command: W3C WebDriver has no log
        for (Object entry : list(session("POST", "/se/log", Map.of("type", "browser")))) {
            Map<String, Object> line = map(entry);
            lines.add(line.get("level") + " " + line.get("source") + ": " + line.get("message"));
        }
        return lines;
    }

    private Object session(String method, String path, Object body) throws Exception {
        if (sessionId == null) throw new IllegalStateException("no browser session");
        return command(method, "/session/" + sessionId + path, body);
    }

    private Object command(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(COMMAND_TIMEOUT);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            StringWriter json = new StringWriter();
            JSONWriter.serialize(body, json);
            request.header("Content-Type", "application/json; charset=utf-8").method(method, HttpRequest.BodyPublishers.ofString(json.toString()));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        Object value;
        try {
            value = map(new JSONParser().parse(response.body())).get("value");
        } catch (Exception e) {
            throw new IOException(method + " " + path + ": HTTP " + response.statusCode() + ", not WebDriver's JSON: " + response.body(), e);
        }
        if (response.statusCode() != 200) {
            Map<String, Object> error = map(value);
            throw new CommandFailed(method + " " + path, response.statusCode(), String.valueOf(error.get("error")), String.valueOf(error.get("message")));
        }
        return value;
    }

    private static Element element(Object reference) {
        return new Element((String) map(reference).get(ELEMENT_KEY));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object json) {
        return (Map<String, Object>) json;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object json) {
        return (List<Object>) json;
    }

    /** Notes the browser's processes while chromedriver is their ancestor: a zygote's children rewrite their environment. */
    private void remember() {
        driver.descendants().forEach(seen::add);
    }

    /** Quits the browser, then ends whatever is left of it and chromedriver; fails when a process outlives that. */
    @Override
    public void close() {
        if (sessionId != null && driver.isAlive()) {
            remember();
            try {
                session("DELETE", "", null);
            } catch (Exception e) {
                System.err.println("chromium: the browser did not quit by itself (" + e.getMessage() + "); it is killed");
            }
            sessionId = null;
        }
        Set<ProcessHandle> all = new LinkedHashSet<>(seen);
        driver.descendants().forEach(all::add);
        all.add(driver.toHandle());
        // the crash reporter leaves chromedriver's tree at once, but keeps its environment
        for (ProcStat process : Processes.all()) {
            if (Processes.environmentContains(process.pid(), marker)) ProcessHandle.of(process.pid()).ifPresent(all::add);
        }
        all.forEach(ProcessHandle::destroyForcibly);
        Map<Long, String> left = new HashMap<>();
        try {
            Await.until("chromedriver and every chromium process ended", EXIT_TIMEOUT, () -> {
                left.clear();
                for (ProcessHandle process : all) {
                    // a handle knows its process's start time, so a reused pid is not taken for it; /proc tells a zombie
                    if (process.isAlive() && Probes.isAlive(process.pid())) left.put(process.pid(), Processes.commandLine(process.pid()));
                }
                return left.isEmpty();
            });
        } catch (Exception | AssertionError e) {
            throw new AssertionError("still running after the browser was closed: " + left, e);
        }
    }
}
