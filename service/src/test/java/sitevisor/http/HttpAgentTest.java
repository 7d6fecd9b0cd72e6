package sitevisor.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.config.Config;
import sitevisor.jmx.JmxRegistry;
import sitevisor.mbeans.ObjectNames;
import sitevisor.mbeans.HttpAgentPaths;
import sitevisor.security.AgentDoor;
import sitevisor.security.Credentials;
import sitevisor.supervise.Fixture;
import sitevisor.supervise.Supervisor;
import sitevisor.testing.LogLines;

import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** The HTTP agent as curl and the client reach it: real HTTP on loopback, real Jolokia, table-driven refusals. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpAgentTest {
    @TempDir
    Path dir;
    Fixture fixture;
    JmxRegistry registry;
    Supervisor supervisor;
    HttpAgent agent;
    String authorization;
    final List<sitevisor.supervise.LifecycleEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final AtomicReference<Config.HttpAccess> access = new AtomicReference<>(Config.HttpAccess.NONE);

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Fixture(dir);
        registry = new JmxRegistry(ManagementFactory.getPlatformMBeanServer());
        fixture.alsoTell(registry);
        fixture.alsoTell(events::add);
        Supervisor supervisor = fixture.supervise("""
                blog:
                  command: [sleep, "1000"]
                  startSeconds: 0
                stubborn:
                  command: [sh, -c, 'trap "" TERM; while :; do sleep 0.05; done']
                  startSeconds: 0
                  stopTimeout: 6s
                """);
        registry.register(supervisor, Clock.systemUTC());
        this.supervisor = supervisor;
        supervisor.start("blog", sitevisor.mbeans.Actor.operator("test"));
        Path file = dir.resolve("credentials");
        Credentials credentials = Credentials.loadOrCreate(file);
        authorization = "Basic " + Base64.getEncoder().encodeToString(Files.readString(file).trim().getBytes(StandardCharsets.UTF_8));
        agent = HttpAgent.start("127.0.0.1", 0, access::get, credentials);
    }

    @AfterEach
    void tearDown() {
        try {
            if (agent != null) agent.close();
            registry.close();
        } finally {
            fixture.close();
        }
    }

    private HttpResponse<String> post(String path, String body, String auth) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (auth != null) request.header("Authorization", auth);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String blogState() throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer().getAttribute(ObjectNames.site("blog"), "State");
    }

    @Test
    void withoutTheRightCredentialsEveryRouteAnswers401() throws Exception {
        String read = "{\"type\":\"read\",\"mbean\":\"sitevisor:type=Site,name=blog\",\"attribute\":\"State\"}";
        String wrong = "Basic " + Base64.getEncoder().encodeToString("sitevisor:guess".getBytes(StandardCharsets.UTF_8));
        assertEquals(401, post("/jolokia/", read, null).statusCode());
        assertEquals(401, post("/jolokia/", read, wrong).statusCode());
        assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(agent.url() + "version")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void theUnauthenticatedConfigRouteIsClosed() throws Exception {
        String stop = "{\"type\":\"exec\",\"mbean\":\"sitevisor:type=Site,name=blog\",\"operation\":\"stop\"}";
        // refused before authentication even asks: the route does not exist for anyone
        HttpResponse<String> response = post("/jolokia/config", stop, null);
        assertEquals(404, response.statusCode(), response.body());
        assertEquals(404, post("/jolokia/config", stop, authorization).statusCode());
        assertEquals("RUNNING", blogState(), "the request ran");
    }

    @Test
    void ourMBeansAreReadAndRunWithTheCredentials() throws Exception {
        HttpResponse<String> response = post("/jolokia/", "{\"type\":\"read\",\"mbean\":\"sitevisor:type=Site,name=blog\",\"attribute\":\"State\"}", authorization);
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("\"value\":\"RUNNING\""), response.body());
        assertTrue(response.body().contains("\"status\":200"), response.body());
        HttpResponse<String> heap = post("/jolokia/", "{\"type\":\"read\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"HeapMemoryUsage\"}", authorization);
        assertTrue(heap.body().contains("\"status\":200"), heap.body());
    }

    /** Each row: a request an attacker would send with stolen-free access, refused by the policy with no side effect. */
    @Test
    void everythingOutsideOurMBeansAndReadOnlyJavaLangIsRefused() throws Exception {
        Path dump = dir.resolve("heap.hprof");
        List<String> refused = List.of(
                "{\"type\":\"exec\",\"mbean\":\"com.sun.management:type=DiagnosticCommand\",\"operation\":\"vmSystemProperties\"}",
                "{\"type\":\"exec\",\"mbean\":\"com.sun.management:type=DiagnosticCommand\",\"operation\":\"vmLog\",\"arguments\":[[\"output=" + dir.resolve("vm.log") + "\"]]}",
                "{\"type\":\"exec\",\"mbean\":\"com.sun.management:type=DiagnosticCommand\",\"operation\":\"jvmtiAgentLoad\",\"arguments\":[[\"/tmp/evil.so\"]]}",
                "{\"type\":\"exec\",\"mbean\":\"com.sun.management:type=HotSpotDiagnostic\",\"operation\":\"dumpHeap\",\"arguments\":[\"" + dump + "\",true]}",
                "{\"type\":\"exec\",\"mbean\":\"java.util.logging:type=Logging\",\"operation\":\"setLoggerLevel\",\"arguments\":[\"\",\"OFF\"]}",
                "{\"type\":\"write\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"Verbose\",\"value\":true}",
                "{\"type\":\"exec\",\"mbean\":\"java.lang:type=Memory\",\"operation\":\"gc\"}",
                "{\"type\":\"exec\",\"mbean\":\"sitevisor:type=Site,name=*\",\"operation\":\"stop\"}",
                "{\"type\":\"exec\",\"mbean\":\"sitevisor:type=Site,*\",\"operation\":\"kill\"}");
        for (String request : refused) {
            HttpResponse<String> response = post("/jolokia/", request, authorization);
            assertFalse(response.body().contains("\"status\":200"), request + " -> " + response.body());
        }
        assertFalse(Files.exists(dump), "the heap was dumped");
        assertFalse(Files.exists(dir.resolve("vm.log")), "the VM log was redirected");
        assertFalse(ManagementFactory.getMemoryMXBean().isVerbose());
        assertEquals("RUNNING", blogState(), "a pattern exec stopped the site");
    }

    @Test
    void aProxyTargetMakesNoConnection() throws Exception {
        try (ServerSocket bait = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            bait.setSoTimeout(500);
            String request = "{\"type\":\"read\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"HeapMemoryUsage\","
                    + "\"target\":{\"url\":\"service:jmx:rmi:///jndi/rmi://127.0.0.1:" + bait.getLocalPort() + "/jmxrmi\"}}";
            // refused, not answered from this JVM as if it were the target's; and never dialled
            HttpResponse<String> response = post("/jolokia/", request, authorization);
            assertEquals(403, response.statusCode(), response.body());
            assertTrue(response.body().contains("target"), response.body());
            assertThrows(SocketTimeoutException.class, bait::accept, "the agent connected to the proxy target");
        }
    }

    /** Sends raw request bytes and returns the status line the agent answers with. */
    private String rawExchange(String head, byte[] body) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), agent.port())) {
            socket.setSoTimeout(10_000);
            var out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            try {
                out.write(body);
                out.flush();
            } catch (java.io.IOException refusedMidway) {
                // the agent may close the connection before the whole body is sent; its answer is still readable
            }
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String statusLine = in.readLine();
            return statusLine == null ? "" : statusLine;
        }
    }

    @Test
    void aHugeDeclaredBodyIsRefusedBeforeAByteOfItIsRead() throws Exception {
        // 20 MB announced, not one byte sent: an answer can only come from a server that never waits for the body
        String head = "POST /jolokia/ HTTP/1.1\r\nHost: 127.0.0.1:" + agent.port() + "\r\nAuthorization: " + authorization
                + "\r\nContent-Type: application/json\r\nContent-Length: " + (20 * 1024 * 1024) + "\r\n\r\n";
        assertEquals("HTTP/1.1 413 Request Entity Too Large", rawExchange(head, new byte[0]));
    }

    @Test
    void aChunkedBodyIsCutOffAtTheLimit() throws Exception {
        String head = "POST /jolokia/ HTTP/1.1\r\nHost: 127.0.0.1:" + agent.port() + "\r\nAuthorization: " + authorization
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        String chunk = "x".repeat(8 * 1024);
        StringBuilder body = new StringBuilder();
        String opening = "{\"type\":\"read\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"";
        body.append(Integer.toHexString(opening.length())).append("\r\n").append(opening).append("\r\n");
        for (int i = 0; i < 9; i++) body.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        body.append("0\r\n\r\n");
        String statusLine = rawExchange(head, body.toString().getBytes(StandardCharsets.US_ASCII));
        // 72 KB in chunks, no length announced: refused as the announced kind is
        assertEquals("HTTP/1.1 413 Request Entity Too Large", statusLine);
    }

    @Test
    void anOperationRecordsTheJolokiaUserTheClientAddressAndTheCliUser() throws Exception {
        String stop = "{\"type\":\"exec\",\"mbean\":\"sitevisor:type=Site,name=blog\",\"operation\":\"stop\"}";
        String start = "{\"type\":\"exec\",\"mbean\":\"sitevisor:type=Site,name=blog\",\"operation\":\"start\"}";
        assertTrue(post("/jolokia/", stop, authorization).body().contains("STOPPED"));
        HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create(agent.url()))
                .POST(HttpRequest.BodyPublishers.ofString(start)).header("Authorization", authorization)
                .header("Content-Type", "application/json").header(HttpAgentPaths.CLI_USER_HEADER, "alice").build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(started.body().contains("RUNNING"), started.body());
        assertEquals("operator jolokia user sitevisor from 127.0.0.1", actorOf("STOPPING"));
        assertEquals("operator cli user alice (jolokia user sitevisor from 127.0.0.1)", actorOf("STARTING"));
    }

    private String actorOf(String toState) {
        return events.stream().filter(e -> e.site().equals("blog") && e.to() != null && e.to().name().equals(toState))
                .reduce((first, second) -> second).orElseThrow(() -> new AssertionError("no move to " + toState + " in " + events))
                .actor().toString();
    }

    @Test
    void aReadIsAnsweredWhileAnOperationWaitsForItsSite() throws Exception {
        // the slow operation: a stop that waits for a process ignoring SIGTERM
        supervisor.start("stubborn", sitevisor.mbeans.Actor.operator("test"));
        var stopping = http.sendAsync(HttpRequest.newBuilder(URI.create(agent.url()))
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"exec\",\"mbean\":\"sitevisor:type=Site,name=stubborn\",\"operation\":\"stop\"}"))
                .header("Authorization", authorization).header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        sitevisor.testing.Await.until("the stop under way", Duration.ofSeconds(15),
                () -> "STOPPING".equals(ManagementFactory.getPlatformMBeanServer().getAttribute(ObjectNames.site("stubborn"), "State")));
        long began = System.nanoTime();
        HttpResponse<String> read = post("/jolokia/", "{\"type\":\"read\",\"mbean\":\"sitevisor:type=Site,name=blog\",\"attribute\":\"State\"}", authorization);
        long tookMillis = (System.nanoTime() - began) / 1_000_000;
        assertTrue(read.body().contains("RUNNING"), read.body());
        assertFalse(stopping.isDone(), "the stop finished before the read: the test proves nothing");
        // a read that waited for the stop would take most of its 6 s stopTimeout
        assertTrue(tookMillis < 4000, "the read waited for the stop: " + tookMillis + " ms");
        assertTrue(stopping.get(20, TimeUnit.SECONDS).body().contains("STOPPED"));
    }

    @Test
    void aBrowsersCrossOriginRequestIsRefused() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(agent.url()))
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"exec\",\"mbean\":\"sitevisor:type=Site,name=blog\",\"operation\":\"stop\"}"))
                .header("Authorization", authorization).header("Content-Type", "application/json").header("Origin", "http://evil.example").build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(403, response.statusCode(), response.body());
        assertEquals("RUNNING", blogState());
    }

    /** One exchange with every header as written, over a socket of its own: the JDK's client would set Host itself. */
    private record Answer(int status, Map<String, String> headers, String body) {}

    private Answer exchange(String method, String target, Map<String, String> headers, String body) throws Exception {
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
        Map<String, String> all = new LinkedHashMap<>(headers);
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) all.putIfAbsent("Content-Length", Integer.toString(bytes.length));
        all.put("Connection", "close");
        all.forEach((name, value) -> {
            if (value != null) head.append(name).append(": ").append(value).append("\r\n");
        });
        head.append("\r\n");
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), agent.port())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            String raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = raw.indexOf("\r\n\r\n");
            if (end < 0) return new Answer(0, Map.of(), "no answer but '" + raw + "'");
            String[] lines = raw.substring(0, end).split("\r\n");
            Map<String, String> answered = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                answered.merge(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim(), (a, b) -> a + ", " + b);
            }
            String rest = raw.substring(end + 4);
            if ("chunked".equalsIgnoreCase(answered.get("Transfer-Encoding"))) rest = dechunk(rest);
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), answered, rest);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
            if (size == 0) return body.toString();
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }

    /** The headers a well-behaved client sends: this agent's address, the credentials, a JSON body. */
    private Map<String, String> fine() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", "127.0.0.1:" + agent.port());
        headers.put("Authorization", authorization);
        headers.put("Content-Type", "application/json");
        return headers;
    }

    private Map<String, String> fine(String... overrides) {
        Map<String, String> headers = fine();
        for (int i = 0; i < overrides.length; i += 2) headers.put(overrides[i], overrides[i + 1]);
        return headers;
    }

    private static final String STOP = "{\"type\":\"exec\",\"mbean\":\"sitevisor:type=Site,name=blog\",\"operation\":\"stop\"}";

    /** A request a web page, a rebound name or a careless client could send, and the status it must get. */
    private record Forged(String what, String method, String target, Map<String, String> headers, String body, int status) {
        @Override
        public String toString() {
            return what;
        }
    }

    private List<Forged> forgeries() {
        String site = "/jolokia/exec/sitevisor:type=Site,name=blog/stop";
        return List.of(
                new Forged("an <img> GET of an exec", "GET", site, fine("Content-Type", null), null, 405),
                new Forged("a GET of an exec through the p parameter", "GET", "/jolokia/?p=exec/sitevisor:type%3DSite,name%3Dblog/stop", fine("Content-Type", null), null, 405),
                new Forged("a cross-site form's POST", "POST", "/jolokia/", fine("Content-Type", "application/x-www-form-urlencoded"), STOP, 415),
                new Forged("a POST as text/plain, which fetch sends without a preflight", "POST", "/jolokia/", fine("Content-Type", "text/plain"), STOP, 415),
                new Forged("a POST with no content type", "POST", "/jolokia/", fine("Content-Type", null), STOP, 415),
                new Forged("JSONP, which a <script> tag reads across origins", "GET", "/jolokia/read/sitevisor:type=Site,name=blog/State?callback=steal", fine("Content-Type", null), null, 403),
                new Forged("a name rebound to this address (DNS rebinding)", "POST", "/jolokia/", fine("Host", "evil.example:" + agent.port()), STOP, 403),
                new Forged("this address on another port", "POST", "/jolokia/", fine("Host", "127.0.0.1:1"), STOP, 403),
                new Forged("no Host", "POST", "/jolokia/", fine("Host", null), STOP, 400),
                new Forged("a page's fetch from an origin not listed", "POST", "/jolokia/", fine("Origin", "http://evil.example"), STOP, 403),
                new Forged("a page's request with a Referer not listed", "POST", "/jolokia/", fine("Referer", "http://evil.example/page.html"), STOP, 403),
                new Forged("a cross-site fetch with neither Origin nor Referer", "POST", "/jolokia/", fine("Sec-Fetch-Site", "cross-site"), STOP, 403),
                new Forged("a preflight from an origin not listed", "OPTIONS", "/jolokia/", fine("Origin", "http://evil.example",
                        "Access-Control-Request-Method", "POST"), null, 403),
                new Forged("a proxy target", "POST", "/jolokia/", fine(), "[" + STOP.replace("}", ",\"target\":{\"url\":\"service:jmx:rmi:///jndi/rmi://127.0.0.1:1/jmxrmi\"}}") + "]", 403),
                new Forged("a notification listener, on a hidden MBean", "POST", "/jolokia/", fine(),
                        "{\"type\":\"notification\",\"command\":\"register\"}", 403),
                new Forged("a write in a bulk of reads", "POST", "/jolokia/", fine(), "[{\"type\":\"version\"},"
                        + "{\"type\":\"write\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"Verbose\",\"value\":true}]", 403),
                new Forged("a body over 64 KB", "POST", "/jolokia/", fine(), "[" + (STOP + ",").repeat(1000) + STOP + "]", 413),
                new Forged("no credentials", "POST", "/jolokia/", fine("Authorization", null), STOP, 401),
                new Forged("a wrong password", "POST", "/jolokia/", fine("Authorization", "Basic " + Base64.getEncoder().encodeToString("sitevisor:guess".getBytes(StandardCharsets.UTF_8))), STOP, 401),
                new Forged("a PUT", "PUT", "/jolokia/", fine(), STOP, 405),
                new Forged("the unauthenticated config route", "POST", "/jolokia/config", fine("Authorization", null), STOP, 404),
                new Forged("a body that is not JSON", "POST", "/jolokia/", fine(), "type=exec&mbean=sitevisor:type=Site,name=blog&operation=stop", 400));
    }

    @Test
    void noRequestABrowserCanForgeChangesAnythingAndEachRefusalIsItsHttpStatus() throws Exception {
        for (Forged forged : forgeries()) {
            Answer answer = exchange(forged.method(), forged.target(), forged.headers(), forged.body());
            assertEquals(forged.status(), answer.status(), forged + " -> " + answer);
            assertTrue(answer.headers().getOrDefault("Content-Type", "").startsWith("application/json"), forged + " -> " + answer);
            assertTrue(answer.body().contains("\"error\":") && !answer.body().contains("stacktrace"), forged + " -> " + answer);
            assertNull(answer.headers().get("Access-Control-Allow-Origin"), forged + " -> " + answer);
            assertEquals("RUNNING", blogState(), forged + " stopped the site");
        }
    }

    @Test
    void aRefusalIsLoggedWithTheClientOnceAMinuteButAChallengeForCredentialsIsNot() throws Exception {
        try (LogLines log = new LogLines(AgentDoor.class)) {
            for (int i = 0; i < 3; i++) exchange("GET", "/jolokia/exec/sitevisor:type=Site,name=blog/stop", fine("Content-Type", null), null);
            exchange("POST", "/jolokia/", fine("Authorization", null), STOP);
            exchange("POST", "/jolokia/", fine("Authorization", "Basic " + Base64.getEncoder().encodeToString("root:guess".getBytes(StandardCharsets.UTF_8))), STOP);
            assertEquals(List.of(
                    "WARNING refused: HTTP 405 to 127.0.0.1 (GET /jolokia/exec/sitevisor:type=Site,name=blog/stop): 'exec' only by POST,"
                            + " with Content-Type: application/json; a GET only reads, lists, searches or asks the version",
                    "WARNING refused: HTTP 401 to 127.0.0.1 (POST /jolokia/): wrong user or password"), log.all());
        }
    }

    @Test
    void whatCurlTheCliAndJolokiaClientsSendIsServed() throws Exception {
        // curl --json, the CLI and Jolokia's Java client send application/json; jolokia.js (Hawtio) text/json
        String read = "{\"type\":\"read\",\"mbean\":\"sitevisor:type=Site,name=blog\",\"attribute\":\"State\"}";
        for (Map<String, String> headers : List.of(fine(), fine("Content-Type", "text/json"), fine("Content-Type", "application/json; charset=utf-8"),
                fine("Host", "localhost:" + agent.port()), fine("Sec-Fetch-Site", "none"))) {
            Answer answer = exchange("POST", "/jolokia/", headers, read);
            assertEquals(200, answer.status(), headers + " -> " + answer);
            assertTrue(answer.body().contains("\"value\":\"RUNNING\""), headers + " -> " + answer);
        }
        Answer get = exchange("GET", "/jolokia/read/sitevisor:type=Site,name=blog/State", fine("Content-Type", null), null);
        assertEquals(200, get.status(), get.toString());
        assertTrue(get.body().contains("RUNNING"), get.toString());
        assertEquals("nosniff", get.headers().get("X-Content-Type-Options"));
        Answer version = exchange("GET", "/jolokia/?p=version", fine("Content-Type", null), null);
        assertEquals(200, version.status(), version.toString());
    }

    @Test
    void aListedOriginIsServedWithCorsAndItsPreflightIsAnswered() throws Exception {
        String hawtio = "http://localhost:8080";
        String behindTls = "https://console.example.org";
        access.set(new Config.HttpAccess(List.of(hawtio, behindTls), List.of("sitevisor.example.org")));
        Answer preflight = exchange("OPTIONS", "/jolokia/", Map.of("Host", "127.0.0.1:" + agent.port(), "Origin", hawtio,
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type"), null);
        assertEquals(204, preflight.status(), preflight.toString());
        assertEquals(hawtio, preflight.headers().get("Access-Control-Allow-Origin"));
        assertEquals("true", preflight.headers().get("Access-Control-Allow-Credentials"));
        assertEquals("authorization, content-type", preflight.headers().get("Access-Control-Allow-Headers"));

        // Hawtio's proxy passes the browser's Origin on POSTs and its Referer on GETs
        Answer stopped = exchange("POST", "/jolokia/", fine("Origin", hawtio, "Content-Type", "text/json"), STOP);
        assertEquals(200, stopped.status(), stopped.toString());
        assertEquals(hawtio, stopped.headers().get("Access-Control-Allow-Origin"));
        assertTrue(stopped.body().contains("STOPPED"), stopped.toString());
        Answer read = exchange("GET", "/jolokia/read/sitevisor:type=Site,name=blog/State", fine("Referer", hawtio + "/hawtio/jmx", "Content-Type", null), null);
        assertEquals(200, read.status(), read.toString());
        assertTrue(read.body().contains("\"status\":200"), read.toString());
        Answer secure = exchange("POST", "/jolokia/", fine("Origin", behindTls, "Content-Type", "text/json"),
                "{\"type\":\"read\",\"mbean\":\"sitevisor:type=Site,name=blog\",\"attribute\":\"State\"}");
        assertTrue(secure.body().contains("\"status\":200"), "a listed https console behind its own TLS: " + secure);
        Answer named = exchange("GET", "/jolokia/version", fine("Host", "sitevisor.example.org:" + agent.port(), "Content-Type", null), null);
        assertEquals(200, named.status(), named.toString());

        // taken back (a reload), the origin is refused again at once
        access.set(Config.HttpAccess.NONE);
        assertEquals(403, exchange("POST", "/jolokia/", fine("Origin", hawtio), STOP.replace("stop", "start")).status());
    }
}
