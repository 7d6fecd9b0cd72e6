package sitevisor.http;

import com.sun.net.httpserver.HttpServer;
import org.jolokia.core.api.LogHandler;
import org.jolokia.jvmagent.JolokiaServer;
import org.jolokia.jvmagent.JolokiaServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.config.Config;
import sitevisor.mbeans.HttpAgentPaths;
import sitevisor.security.AgentDoor;
import sitevisor.security.Credentials;
import sitevisor.security.SitevisorRestrictor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The embedded Jolokia agent: JSON over HTTP on one address (loopback by default), every request
 * through {@link AgentDoor} (credentials, and nothing a browser can forge), with
 * {@link SitevisorRestrictor} deciding what a request may touch.
 */
public final class HttpAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpAgent.class);
    private static final int REQUEST_THREADS = 8;

    private final JolokiaServer jolokia;
    private final HttpServer server;
    private final ExecutorService threads;

    private HttpAgent(JolokiaServer jolokia, HttpServer server, ExecutorService threads) {
        this.jolokia = jolokia;
        this.server = server;
        this.threads = threads;
    }

    /**
     * Starts the agent on {@code host:port} (port 0: one the OS picks).
     *
     * @param access the browser origins and extra host names accepted, asked for each request so
     *               that a reload that changes them applies at once
     */
    public static HttpAgent start(String host, int port, Supplier<Config.HttpAccess> access, Credentials credentials) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        if (!address.isLoopbackAddress()) {
            log.warn("exposed: the HTTP agent listens on {}:{}, beyond this machine, without TLS: passwords cross the network readable", host, port);
        }
        HttpServer http = HttpServer.create(new InetSocketAddress(address, port), 50);
        AtomicInteger count = new AtomicInteger();
        // up to 8 requests at once, so a status answers while a restart waits for its site;
        // the threads end when idle, so an idle daemon keeps none
        ThreadPoolExecutor threads = new ThreadPoolExecutor(REQUEST_THREADS, REQUEST_THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        threads.allowCoreThreadTimeOut(true);
        http.setExecutor(threads);
        AgentDoor door = new AgentDoor(HttpAgentPaths.CONTEXT, new AgentDoor.Listening(host, http.getAddress().getAddress(), http.getAddress().getPort()),
                access, credentials);
        GuardedHttpServer guarded = new GuardedHttpServer(http, door);
        JolokiaServerConfig config = new JolokiaServerConfig(Map.of(
                "host", host,
                "port", Integer.toString(port),
                "agentContext", HttpAgentPaths.CONTEXT,
                "restrictorClass", SitevisorRestrictor.class.getName(),
                "discoveryEnabled", "false",
                "includeStackTrace", "false",
                "allowErrorDetails", "false"));
        JolokiaServer jolokia = SitevisorRestrictor.handingOver(access, () -> new JolokiaServer(guarded, config, new Slf4jLog()));
        jolokia.start();
        // given a server of ours, Jolokia adds its contexts but leaves starting it to us
        http.start();
        return new HttpAgent(jolokia, http, threads);
    }

    /** The agent's URL, e.g. {@code http://127.0.0.1:8778/jolokia/}. */
    public String url() {
        InetSocketAddress address = server.getAddress();
        return "http://" + address.getHostString() + ":" + address.getPort() + HttpAgentPaths.CONTEXT + "/";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        jolokia.stop();
        threads.shutdownNow();
    }

    /** Jolokia's own messages, into the daemon's log. */
    private static final class Slf4jLog implements LogHandler {
        @Override
        public void debug(String message) {
            log.debug(message);
        }

        @Override
        public void info(String message) {
            log.debug(message);
        }

        @Override
        public void error(String message, Throwable t) {
            log.error("http agent: {}", message, t);
        }

        @Override
        public boolean isDebug() {
            return log.isDebugEnabled();
        }
    }
}
