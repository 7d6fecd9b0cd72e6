package sitevisor.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A small web site that needs nothing beyond the JDK: what the bundled example config runs and
 * what tests use as a realistic site. It binds {@code 127.0.0.1:PORT} and answers
 * <ul>
 *   <li>{@code GET /} — its name, pid, uptime and how many other requests are in flight;</li>
 *   <li>{@code GET /health} — {@code 200 ok}, or {@code 503 stopping} once shutdown began;</li>
 *   <li>{@code GET /slow?seconds=N} — waits N seconds (default 5, at most 600), then
 *       {@code 200 done after Ns}: a request to watch a graceful stop drain;</li>
 *   <li>{@code POST /grow?mb=N} — holds N more megabytes (at most 4096) until it ends: a leak
 *       to try the memory watch on.</li>
 * </ul>
 * On SIGTERM or SIGINT it closes its listening socket, lets the requests in flight finish (for at
 * most {@code DEMO_DRAIN_SECONDS}, default 30) and exits 0. Every request is logged as one line on
 * stdout.
 */
public final class DemoSite {

    static final int DEFAULT_SLOW_SECONDS = 5;
    static final int MAX_SLOW_SECONDS = 600;
    static final int DEFAULT_DRAIN_SECONDS = 30;
    static final int MAX_GROW_MEGABYTES = 4096;

    // Enough that a handful of /slow requests never keep /health from answering; idle threads
    // time out, so an idle demo site holds no more than the HTTP dispatcher.
    private static final int WORKER_THREADS = 16;
    private static final int ACCEPT_BACKLOG = 64;

    private final String name;
    private final int drainSeconds;
    private final long startedAtNanos;
    private final HttpServer server;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private int inFlight;                 // guarded by lock: until the exchange is closed
    private int unanswered;               // guarded by lock: until the response is written
    private int finishedWhileStopping;    // guarded by lock: unanswered when the stop began, answered since
    private volatile boolean stopping;
    private final List<ByteBuffer> held = new ArrayList<>();   // guarded by lock: what /grow holds

    private DemoSite(String name, int drainSeconds, long startedAtNanos, HttpServer server) {
        this.name = name;
        this.drainSeconds = drainSeconds;
        this.startedAtNanos = startedAtNanos;
        this.server = server;
    }

    /**
     * Runs the site until SIGTERM or SIGINT.
     *
     * @param args {@code PORT [NAME]}; PORT 0 lets the kernel choose (the listening line says which);
     *             NAME defaults to the environment's {@code SITE_NAME}, else {@code demo}
     */
    public static void main(String[] args) {
        long startedAtNanos = System.nanoTime();
        if (args.length < 1 || args.length > 2) usage("expected PORT [NAME], got " + args.length + " arguments");
        int port = parsePort(args[0]);
        String name = args.length == 2 ? args[1] : envOr("SITE_NAME", "demo");
        int drainSeconds = parseDrainSeconds(envOr("DEMO_DRAIN_SECONDS", Integer.toString(DEFAULT_DRAIN_SECONDS)));

        DemoSite site;
        try {
            site = start(port, name, drainSeconds, startedAtNanos);
        } catch (IOException e) {
            System.err.println("cannot listen: 127.0.0.1:" + port + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(site::stopFromSignal, "demo-shutdown"));
        println("listening: %s on 127.0.0.1:%d pid %d".formatted(name, site.port(), ProcessHandle.current().pid()));
        System.out.flush();
    }

    /** Binds and starts serving; package-private so tests can run a site inside their own JVM. */
    static DemoSite start(int port, String name, int drainSeconds, long startedAtNanos) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), ACCEPT_BACKLOG);
        DemoSite site = new DemoSite(name, drainSeconds, startedAtNanos, server);
        server.createContext("/", site::handle);
        // The default executor runs every exchange on the dispatcher thread, so one /slow would
        // hold up /health and every other request.
        ThreadPoolExecutor workers = new ThreadPoolExecutor(WORKER_THREADS, WORKER_THREADS,
                30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemonThreads("http-"));
        workers.allowCoreThreadTimeOut(true);
        server.setExecutor(workers);
        server.start();
        return site;
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void stopFromSignal() {
        println(drainAndStop());
        System.out.flush();
        // A JVM ended by SIGTERM exits 143 (128 + 15) even after a clean drain; a supervisor
        // would record that as a crash. The drain is complete, so say so with 0.
        Runtime.getRuntime().halt(0);
    }

    /**
     * Stops accepting connections, waits (at most {@code drainSeconds}) for the requests in flight
     * and returns the {@code stopped:} line.
     */
    String drainAndStop() {
        int inFlightAtStop;
        lock.lock();
        try {
            stopping = true;
            inFlightAtStop = unanswered;
        } finally {
            lock.unlock();
        }
        // HttpServer.stop closes the listening socket at once, so new connections are refused from
        // here on. On JDK 17 it then sleeps out the whole delay even when no exchange is left
        // (JDK-8304065), so it runs on a thread of its own and our count of requests in flight
        // decides when we are done. Its delay outlasts ours so that it never cuts a response we
        // are still waiting for.
        Thread closer = new Thread(() -> server.stop(drainSeconds + 5), "http-stop");
        closer.setDaemon(true);
        closer.start();
        println("stopping: %s, waiting up to %ds for %d in-flight requests".formatted(name, drainSeconds, inFlightAtStop));
        System.out.flush();

        long deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
        int finished;
        int abandoned;
        lock.lock();
        try {
            long leftNanos = deadlineNanos - System.nanoTime();
            while (inFlight > 0 && leftNanos > 0) {
                try {
                    leftNanos = drained.awaitNanos(leftNanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            finished = finishedWhileStopping;
            abandoned = unanswered;
        } finally {
            lock.unlock();
        }
        // Ends the dispatcher now rather than after the delay above. Left blocked in epoll, it
        // would cost every exit some 300 ms: the JVM waits that long for threads in native code.
        server.stop(0);
        String report = "stopped: %s after finishing %d in-flight requests".formatted(name, finished);
        return abandoned == 0 ? report : report + "; gave up on %d after %ds".formatted(abandoned, drainSeconds);
    }

    private void handle(HttpExchange exchange) {
        long beganNanos = System.nanoTime();
        boolean beganBeforeStop = enter();
        boolean answered = false;
        int status = 0;
        try {
            Reply reply = reply(exchange);
            status = reply.status;
            // Counted before the response goes out: a client that has it may stop us at once,
            // before this thread runs on, and must not be told its request was still in flight.
            answered(beganBeforeStop);
            answered = true;
            send(exchange, reply);
        } catch (IOException | RuntimeException e) {
            // The client went away, or a bug: either way this request is over; the log line says so.
            println("failed: %s %s: %s".formatted(exchange.getRequestMethod(), exchange.getRequestURI(), e));
        } finally {
            if (!answered) answered(beganBeforeStop);
            exchange.close();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beganNanos);
            // Logged before leave(), so a drain that waited for this request also waited for its line.
            println("%s %s %d %dms".formatted(exchange.getRequestMethod(), exchange.getRequestURI(), status, tookMillis));
            leave();
        }
    }

    // One whole line per call: threads share System.out's buffer, and printf's pieces could be
    // flushed half-written by another thread's println (or cut off by the exit).
    private static void println(String line) {
        System.out.println(line);
    }

    private boolean enter() {
        lock.lock();
        try {
            inFlight++;
            unanswered++;
            return !stopping;
        } finally {
            lock.unlock();
        }
    }

    // Counted apart from leave(): a client can read the whole response before the exchange is
    // closed, and a request it already has must not count as one the drain waited for.
    private void answered(boolean beganBeforeStop) {
        lock.lock();
        try {
            unanswered--;
            if (stopping && beganBeforeStop) finishedWhileStopping++;
        } finally {
            lock.unlock();
        }
    }

    private void leave() {
        lock.lock();
        try {
            inFlight--;
            if (inFlight == 0) drained.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private int othersInFlight() {
        lock.lock();
        try {
            return unanswered - 1;
        } finally {
            lock.unlock();
        }
    }

    private record Reply(int status, String body) {}

    /** A whole number from a query string, or the 400 reply that says what is wrong with it. */
    private record Parameter(int value, Reply problem) {
        static Parameter wholeNumber(String rawQuery, String name, int absent, int min, int max) {
            if (rawQuery == null) return new Parameter(absent, null);
            for (String parameter : rawQuery.split("&")) {
                if (!parameter.startsWith(name + "=")) continue;
                String value = parameter.substring(name.length() + 1);
                int number;
                try {
                    number = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    number = min - 1;
                }
                if (number < min || number > max) {
                    return new Parameter(0, new Reply(400, "%s must be a whole number from %d to %d, got '%s'\n".formatted(name, min, max, value)));
                }
                return new Parameter(number, null);
            }
            return new Parameter(absent, null);
        }
    }

    private Reply reply(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        // Only a client holding a keep-alive connection from before the stop can still get here.
        if (stopping) return new Reply(503, "stopping\n");
        if (path.equals("/grow")) {
            if (method.equals("POST")) return grow(exchange.getRequestURI().getRawQuery());
            exchange.getResponseHeaders().set("Allow", "POST");
            return new Reply(405, "method not allowed: " + method + " (/grow takes a POST)\n");
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            return new Reply(405, "method not allowed: " + method + "\n");
        }
        return switch (path) {
            case "/" -> new Reply(200, """
                    site %s
                    pid %d
                    uptime %ds
                    in flight %d
                    """.formatted(name, ProcessHandle.current().pid(),
                    Duration.ofNanos(System.nanoTime() - startedAtNanos).toSeconds(), othersInFlight()));
            case "/health" -> new Reply(200, "ok\n");
            case "/slow" -> slow(exchange.getRequestURI().getRawQuery());
            default -> new Reply(404, "not found: " + path + "\n");
        };
    }

    /**
     * Holds {@code mb} more megabytes until the process ends, outside the heap so that a small
     * {@code -Xmx} does not refuse it (up to {@code -XX:MaxDirectMemorySize}), each page written so
     * that it is resident: a leak to try the memory watch on.
     */
    private Reply grow(String rawQuery) {
        Parameter megabytes = Parameter.wholeNumber(rawQuery, "mb", 0, 1, MAX_GROW_MEGABYTES);
        if (megabytes.problem() != null) return megabytes.problem();
        if (megabytes.value() == 0) return new Reply(400, "say how much: /grow?mb=N, N from 1 to %d\n".formatted(MAX_GROW_MEGABYTES));
        return grow(megabytes.value());
    }

    private Reply grow(int megabytes) {
        ByteBuffer block;
        try {
            block = ByteBuffer.allocateDirect(megabytes * 1024 * 1024);
        } catch (OutOfMemoryError e) {
            return new Reply(507, "cannot hold %d MB more: %s (raise -XX:MaxDirectMemorySize)\n".formatted(megabytes, e.getMessage()));
        }
        for (int i = 0; i < block.capacity(); i += 4096) block.put(i, (byte) 1);
        int heldMegabytes;
        lock.lock();
        try {
            held.add(block);
            heldMegabytes = held.stream().mapToInt(b -> b.capacity() / (1024 * 1024)).sum();
        } finally {
            lock.unlock();
        }
        return new Reply(200, "holding %d MB more, %d MB in all\n".formatted(megabytes, heldMegabytes));
    }

    private static Reply slow(String rawQuery) {
        Parameter given = Parameter.wholeNumber(rawQuery, "seconds", DEFAULT_SLOW_SECONDS, 0, MAX_SLOW_SECONDS);
        if (given.problem() != null) return given.problem();
        int seconds = given.value();
        try {
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(503, "interrupted\n");
        }
        return new Reply(200, "done after " + seconds + "s\n");
    }

    private void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] body = reply.body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if (stopping) exchange.getResponseHeaders().set("Connection", "close");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(reply.status, -1);
            return;
        }
        exchange.sendResponseHeaders(reply.status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static String envOr(String key, String fallback) {
        String value = System.getenv(key);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) return port;
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        usage("PORT must be a number from 0 to 65535, got '" + text + "'");
        return -1;
    }

    private static int parseDrainSeconds(String text) {
        try {
            int seconds = Integer.parseInt(text);
            if (seconds >= 0) return seconds;
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        usage("DEMO_DRAIN_SECONDS must be a whole number of seconds, got '" + text + "'");
        return -1;
    }

    private static void usage(String why) {
        System.err.println("usage: java sitevisor.demo.DemoSite PORT [NAME]: " + why);
        System.exit(2);
    }
}
