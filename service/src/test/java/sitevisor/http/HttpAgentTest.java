package sitevisor.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.jmx.JmxRegistry;
import sitevisor.mbeans.ObjectNames;
import sitevisor.security.Credentials;
import sitevisor.supervise.Fixture;
import sitevisor.supervise.Supervisor;

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
import java.util.List;
import java.util.concurrent.TimeUnit;

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
        supervisor.start("blog", sitevisor.supervise.Actor.operator("test"));
        Path file = dir.resolve("credentials");
        Credentials credentials = Credentials.loadOrCreate(file);
        authorization = "Basic " + Base64.getEncoder().encodeToString(Files.readString(file).trim().getBytes(StandardCharsets.UTF_8));
        agent = HttpAgent.start("127.0.0.1", 0, credentials);
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
            // without the JSR-160 service the target is never dialled; Jolokia answers from this JVM alone
            post("/jolokia/", request, authorization);
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
        String head = "POST /jolokia/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + authorization
                + "\r\nContent-Type: application/json\r\nContent-Length: " + (20 * 1024 * 1024) + "\r\n\r\n";
        assertEquals("HTTP/1.1 413 Request Entity Too Large", rawExchange(head, new byte[0]));
    }

    @Test
    void aChunkedBodyIsCutOffAtTheLimit() throws Exception {
        String head = "POST /jolokia/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + authorization
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
                .header(HttpAgent.CLI_USER_HEADER, "alice").build(), HttpResponse.BodyHandlers.ofString());
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
        supervisor.start("stubborn", sitevisor.supervise.Actor.operator("test"));
        var stopping = http.sendAsync(HttpRequest.newBuilder(URI.create(agent.url()))
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"exec\",\"mbean\":\"sitevisor:type=Site,name=stubborn\",\"operation\":\"stop\"}"))
                .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString());
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
                .header("Authorization", authorization).header("Origin", "http://evil.example").build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertFalse(response.body().contains("\"status\":200"), response.body());
        assertEquals("RUNNING", blogState());
    }
}
