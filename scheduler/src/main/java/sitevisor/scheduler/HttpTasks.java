package sitevisor.scheduler;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs HTTP tasks: one request on a thread of its own for as long as it takes. The JDK's plain
 * client keeps the daemon light (no selector thread, no connection pool: every request closes its
 * connection), and a request is abandoned by closing its socket.
 */
final class HttpTasks {
    interface Done {
        /** @param timedOut the task's timeout ran out on the socket, before the scheduler abandoned the request */
        void ended(boolean ok, boolean timedOut, String description);
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final int DISCARD_BUFFER_BYTES = 8192;

    private final Executor executor;

    HttpTasks(Executor executor) {
        this.executor = executor;
    }

    /** Sends the request; returns what abandons it. {@code done} hears exactly once how it ended. */
    Runnable send(TaskAction.Http request, Duration timeout, Done done) {
        AtomicReference<HttpURLConnection> connection = new AtomicReference<>();
        AtomicBoolean abandoned = new AtomicBoolean();
        long sentAtNanos = System.nanoTime();
        executor.execute(() -> {
            try {
                HttpURLConnection http = (HttpURLConnection) request.uri().toURL().openConnection(Proxy.NO_PROXY);
                connection.set(http);
                if (abandoned.get()) throw new IOException("abandoned before it was sent");
                http.setRequestMethod(request.method());
                http.setConnectTimeout((int) Math.min(CONNECT_TIMEOUT.toMillis(), timeout.toMillis()));
                http.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                http.setInstanceFollowRedirects(false);
                http.setUseCaches(false);
                http.setRequestProperty("Connection", "close");
                http.setRequestProperty("User-Agent", "sitevisor-task");
                if (request.method().equals("POST")) {
                    http.setDoOutput(true);
                    http.setFixedLengthStreamingMode(0);
                }
                int status = http.getResponseCode();
                try (InputStream body = status >= 400 ? http.getErrorStream() : http.getInputStream()) {
                    if (body != null) {
                        byte[] buffer = new byte[DISCARD_BUFFER_BYTES];
                        while (body.read(buffer) >= 0) {
                            // the site's answer matters only by its status; read to the end so the site sees a finished request
                        }
                    }
                }
                http.disconnect();
                done.ended(status / 100 == 2, false, "HTTP " + status);
            } catch (java.net.SocketTimeoutException e) {
                // the socket's read timeout is the task's own and may beat the scheduler's timer by
                // a hair: the same end as when the scheduler abandons it (a connect timeout is not)
                boolean taskTimedOut = System.nanoTime() - sentAtNanos >= timeout.toNanos();
                done.ended(false, taskTimedOut, abandoned.get() || taskTimedOut ? "request abandoned" : "request failed: " + e.getMessage());
            } catch (IOException | RuntimeException e) {
                done.ended(false, false, abandoned.get() ? "request abandoned" : "request failed: " + e.getMessage());
            }
        });
        return () -> {
            abandoned.set(true);
            HttpURLConnection http = connection.get();
            if (http != null) http.disconnect();
        };
    }
}
