package sitevisor.demo;

import sitevisor.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class DemoSiteTest {

    private static final Pattern LISTENING = Pattern.compile("listening: (\\S+) on 127\\.0\\.0\\.1:(\\d+) pid (\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void finishesTheSlowRequestAfterSigtermAndRefusesNewConnections() throws Exception {
        Child site = Child.start(children, "slowsite", 20);
        awaitTrue("/health answers 200", Duration.ofSeconds(10), () -> tryGet(site.port, "/health").status == 200);

        CompletableFuture<Response> slow = CompletableFuture.supplyAsync(() -> get(site.port, "/slow?seconds=5"));
        awaitTrue("the slow request is in flight", Duration.ofSeconds(10),
                () -> get(site.port, "/").body.contains("in flight 1\n"));

        site.terminate();

        awaitTrue("new connections are refused", Duration.ofSeconds(5), () -> !canConnect(site.port));
        assertFalse(slow.isDone(), "the slow request is still running when connections are refused");
        assertTrue(site.process.isAlive(), "the site is still draining when connections are refused");

        Response response = slow.get(20, TimeUnit.SECONDS);
        assertEquals(200, response.status);
        assertEquals("done after 5s\n", response.body);
        assertTrue(site.process.waitFor(20, TimeUnit.SECONDS), "site exits after the drain");
        assertEquals(0, site.process.exitValue(), "exit code after SIGTERM; output:\n" + site.output());
        site.awaitLine(Pattern.compile("GET /slow\\?seconds=5 200 \\d+ms"));
        site.awaitLine(Pattern.compile("stopped: slowsite after finishing 1 in-flight requests"));
    }

    @Test
    void exitsAtOnceWhenNothingIsInFlight() throws Exception {
        // A long drain limit: JDK 17's HttpServer.stop would sleep all of it even with nothing to wait for.
        Child site = Child.start(children, "idlesite", 60);
        assertEquals(200, get(site.port, "/health").status);

        long stopNanos = System.nanoTime();
        site.terminate();

        assertTrue(site.process.waitFor(10, TimeUnit.SECONDS), "exits well within its 60s drain limit");
        assertEquals(0, site.process.exitValue(), "output:\n" + site.output());
        System.out.printf("demo site stopped %d ms after SIGTERM with nothing in flight%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopNanos));
        site.awaitLine(Pattern.compile("stopped: idlesite after finishing 0 in-flight requests"));
    }

    @Test
    void answers503StoppingOnAnOpenConnectionOnceShutdownBegan() throws Exception {
        Child site = Child.start(children, "keepalive", 20);
        try (Socket keptAlive = connect(site.port)) {
            // A first request makes sure the server has taken the connection before the stop.
            Response first = exchange(keptAlive, "/health", false);
            assertEquals(200, first.status);
            CompletableFuture<Response> slow = CompletableFuture.supplyAsync(() -> get(site.port, "/slow?seconds=5"));
            awaitTrue("the slow request is in flight", Duration.ofSeconds(10),
                    () -> get(site.port, "/").body.contains("in flight 1\n"));

            site.terminate();
            awaitTrue("new connections are refused", Duration.ofSeconds(5), () -> !canConnect(site.port));

            Response second = exchange(keptAlive, "/health", false);
            assertEquals(503, second.status);
            assertEquals("stopping\n", second.body);
            assertEquals("close", second.headers.get("connection"), "asks the client to close");
            assertEquals(200, slow.get(20, TimeUnit.SECONDS).status);
        }
        assertTrue(site.process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, site.process.exitValue());
    }

    @Test
    void answersEachRouteAsDocumented() throws Exception {
        DemoSite site = DemoSite.start(0, "routes", 5, System.nanoTime());
        int port = site.port();
        try {
            Response root = get(port, "/");
            assertEquals(200, root.status);
            assertTrue(root.body.startsWith("site routes\npid " + ProcessHandle.current().pid() + "\nuptime "), root.body);
            assertTrue(root.body.endsWith("in flight 0\n"), root.body);
            assertEquals(new Response(200, "ok\n", Map.of()), get(port, "/health").withoutHeaders());
            assertEquals(new Response(200, "done after 0s\n", Map.of()), get(port, "/slow?seconds=0").withoutHeaders());
            assertEquals(400, get(port, "/slow?seconds=601").status);
            assertEquals(400, get(port, "/slow?seconds=soon").status);
            assertEquals(404, get(port, "/nothing-here").status);
            assertEquals(405, request(port, "POST", "/").status);
            assertEquals(new Response(200, "holding 2 MB more, 2 MB in all\n", Map.of()), request(port, "POST", "/grow?mb=2").withoutHeaders());
            assertEquals(new Response(200, "holding 1 MB more, 3 MB in all\n", Map.of()), request(port, "POST", "/grow?mb=1").withoutHeaders());
            assertEquals(405, get(port, "/grow?mb=1").status, "a leak on purpose takes a POST");
            assertEquals(400, request(port, "POST", "/grow").status);
            assertEquals(400, request(port, "POST", "/grow?mb=0").status);
            assertEquals(400, request(port, "POST", "/grow?mb=4097").status);
        } finally {
            assertEquals("stopped: routes after finishing 0 in-flight requests", site.drainAndStop());
        }
    }

    /** A DemoSite in a child JVM, its stdout (with stderr) collected line by line. */
    private static final class Child {
        final Process process;
        final int port;
        private final List<String> lines = new ArrayList<>(); // guarded by itself

        private Child(Process process) throws Exception {
            this.process = process;
            Thread reader = new Thread(this::readOutput, "demo-site-output");
            reader.setDaemon(true);
            reader.start();
            Matcher listening = awaitLine(LISTENING);
            this.port = Integer.parseInt(listening.group(2));
            assertEquals(process.pid(), Long.parseLong(listening.group(3)), "the pid it reports is its own");
        }

        static Child start(List<Process> children, String name, int drainSeconds) throws Exception {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            // Port 0: the kernel picks a free port and the listening line says which, with no
            // window in which another process could take a port we picked.
            ProcessBuilder builder = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"), DemoSite.class.getName(), "0", name)
                    .redirectErrorStream(true);
            builder.environment().put("DEMO_DRAIN_SECONDS", Integer.toString(drainSeconds));
            Process process = builder.start();
            children.add(process);
            return new Child(process);
        }

        private void readOutput() {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the child is gone; what it printed is in lines
            }
        }

        Matcher awaitLine(Pattern pattern) throws InterruptedException {
            long deadlineNanos = System.nanoTime() + START_TIMEOUT.toNanos();
            synchronized (lines) {
                for (int seen = 0; ; ) {
                    for (; seen < lines.size(); seen++) {
                        Matcher matcher = pattern.matcher(lines.get(seen));
                        if (matcher.matches()) return matcher;
                    }
                    long leftNanos = deadlineNanos - System.nanoTime();
                    if (leftNanos <= 0) fail("no line matching " + pattern + " within " + START_TIMEOUT.toSeconds() + "s; output:\n" + output());
                    TimeUnit.NANOSECONDS.timedWait(lines, leftNanos);
                }
            }
        }

        /**
         * SIGTERM, as {@code Process.destroy()} sends on Linux; through the ProcessHandle because
         * {@code Process.destroy()} also closes our ends of the child's pipes, and with them what
         * the child prints while it drains.
         */
        void terminate() {
            assertTrue(process.toHandle().destroy(), "SIGTERM sent");
        }

        String output() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }

    record Response(int status, String body, Map<String, String> headers) {
        Response withoutHeaders() {
            return new Response(status, body, Map.of());
        }
    }

    private static Response get(int port, String target) {
        return request(port, "GET", target);
    }

    /** Like get, but a connection that fails (site not up yet) reads as status 0. */
    private static Response tryGet(int port, String target) {
        try (Socket socket = connect(port)) {
            return exchange(socket, target, true);
        } catch (IOException e) {
            return new Response(0, e.toString(), Map.of());
        }
    }

    private static Response request(int port, String method, String target) {
        try (Socket socket = connect(port)) {
            return exchange(socket, method, target, true);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(method + " " + target + " on port " + port, e);
        }
    }

    private static boolean canConnect(int port) {
        try {
            connect(port).close();
            return true;
        } catch (SocketException e) {
            // refused, or reset: a connection the kernel queued while the site closed its listening socket
            return false;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static Response exchange(Socket socket, String target, boolean close) throws IOException {
        return exchange(socket, "GET", target, close);
    }

    // Plain HTTP/1.1 over a socket we hold, so the test decides which connection carries which
    // request (a pooling client would hide exactly what these tests look at).
    private static Response exchange(Socket socket, String method, String target, boolean close) throws IOException {
        OutputStream out = socket.getOutputStream();
        String request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        String statusLine = readLine(in);
        if (statusLine == null) throw new IOException("connection closed before a response");
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new TreeMap<>();
        for (String line; (line = readLine(in)) != null && !line.isEmpty(); ) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        int lengthBytes = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        String body = new String(in.readNBytes(lengthBytes), StandardCharsets.UTF_8);
        return new Response(status, body, headers);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1; ) {
            if (b == '\n') return line.toString(StandardCharsets.US_ASCII).stripTrailing();
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
    }

    private static void awaitTrue(String what, Duration timeout, Await.Condition condition) throws Exception {
        Await.until(what, timeout, condition);
    }
}
