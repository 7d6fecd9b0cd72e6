package sitevisor.scheduler;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HTTP task requests against a real HTTP server. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpTasksTest {
    private record Ended(boolean ok, boolean timedOut, String description) {}

    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private HttpServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.createContext("/hang", exchange -> {
            arrived.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.setExecutor(threads);
        server.start();
    }

    @AfterEach
    void stopServer() {
        release.countDown();
        server.stop(0);
        threads.shutdownNow();
    }

    private CompletableFuture<Ended> send(String path, String method, Duration timeout) {
        CompletableFuture<Ended> ended = new CompletableFuture<>();
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
        new HttpTasks(threads).send(new TaskAction.Http(uri, method), timeout,
                (ok, timedOut, description) -> ended.complete(new Ended(ok, timedOut, description)));
        return ended;
    }

    @Test
    void aTwoHundredAnswerSucceeds() throws Exception {
        assertEquals(new Ended(true, false, "HTTP 204"), send("/ok", "POST", Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS));
    }

    /**
     * The socket's read timeout is the task's: when it runs out before the scheduler's own timer
     * (a loaded timer thread), the run still ends as timed out, not as a failed request.
     */
    @Test
    void aRequestWithNoAnswerWithinTheTimeoutEndsAsTimedOut() throws Exception {
        Ended ended = send("/hang", "GET", Duration.ofMillis(300)).get(15, TimeUnit.SECONDS);
        assertEquals(new Ended(false, true, "request abandoned"), ended);
    }

    @Test
    void anAbandonedRequestEndsAsAbandoned() throws Exception {
        CompletableFuture<Ended> ended = new CompletableFuture<>();
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hang");
        Runnable abandon = new HttpTasks(threads).send(new TaskAction.Http(uri, "GET"), Duration.ofSeconds(10),
                (ok, timedOut, description) -> ended.complete(new Ended(ok, timedOut, description)));
        assertTrue(arrived.await(15, TimeUnit.SECONDS), "the request never reached the server");
        abandon.run();
        assertEquals(new Ended(false, false, "request abandoned"), ended.get(15, TimeUnit.SECONDS));
    }
}
