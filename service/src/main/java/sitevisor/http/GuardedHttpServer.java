package sitevisor.http;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import sitevisor.jmx.Callers;
import sitevisor.supervise.Actor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/**
 * The HTTP server handed to Jolokia. Every context Jolokia creates gets our authenticator and
 * our guard, whatever Jolokia itself sets up: its {@code <context>/config} route, which the 2.6
 * agent creates without authentication, answers 404; request bodies beyond a limit are refused
 * before they are read into memory.
 */
final class GuardedHttpServer extends HttpServer {
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final long DISCARD_AT_MOST_BYTES = 1024 * 1024;

    private final HttpServer server;
    private final Authenticator authenticator;

    GuardedHttpServer(HttpServer server, Authenticator authenticator) {
        this.server = server;
        this.authenticator = authenticator;
    }

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        return guard(server.createContext(path, handler));
    }

    @Override
    public HttpContext createContext(String path) {
        return guard(server.createContext(path));
    }

    private HttpContext guard(HttpContext context) {
        context.setAuthenticator(authenticator);
        context.getFilters().add(new Guard(context.getPath()));
        return context;
    }

    /**
     * Refuses the unauthenticated config route and oversized bodies. The JDK runs a context's
     * filters before its authenticator, so this guard sees every request, authenticated or not:
     * it reads headers and at most one body of the limit, nothing more.
     */
    private static final class Guard extends Filter {
        private final String contextPath;

        Guard(String contextPath) {
            this.contextPath = contextPath.endsWith("/") ? contextPath.substring(0, contextPath.length() - 1) : contextPath;
        }

        @Override
        public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
            String path = exchange.getRequestURI().getPath();
            if (contextPath.endsWith("/config") || path.startsWith(contextPath + "/config")) {
                refuse(exchange, 404);
                return;
            }
            String length = exchange.getRequestHeaders().getFirst("Content-Length");
            if (length != null) {
                try {
                    if (Long.parseLong(length.trim()) > MAX_BODY_BYTES) {
                        // answered from the headers alone: not a byte of the body is read
                        refuse(exchange, 413);
                        return;
                    }
                } catch (NumberFormatException e) {
                    refuse(exchange, 400);
                    return;
                }
            }
            // a chunked body announces no length: read at most one byte past the limit to know
            byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                discardTheRest(exchange.getRequestBody());
                refuse(exchange, 413);
                return;
            }
            exchange.setStreams(new ByteArrayInputStream(body), null);
            // Jolokia answers on this thread, so the operations it calls learn who asked; the
            // user is known only once the authenticator further down the chain has run
            Callers.onBehalfOf(() -> caller(exchange), () -> chain.doFilter(exchange));
        }

        /** The authenticated user and the client's address, and the OS user the CLI says it runs as. */
        static Actor caller(HttpExchange exchange) {
            String user = exchange.getPrincipal() == null ? "?" : exchange.getPrincipal().getUsername();
            String door = "jolokia user " + user + " from " + exchange.getRemoteAddress().getAddress().getHostAddress();
            String cliUser = exchange.getRequestHeaders().getFirst(HttpAgent.CLI_USER_HEADER);
            // a claim by a client that knows the password: recorded as said, but never allowed to forge a log line
            if (cliUser != null && cliUser.matches("[A-Za-z0-9._@-]{1,64}")) return Actor.operator("cli user " + cliUser + " (" + door + ")");
            return Actor.operator(door);
        }

        @Override
        public String description() {
            return "sitevisor: no config route, bodies up to " + MAX_BODY_BYTES + " bytes";
        }

        /**
         * A connection closed with unread bytes is reset, and a reset can destroy the answer on
         * its way to the client. A body slightly over the limit is read to its end (into one
         * small buffer, so the heap does not grow) and the 413 arrives; a huge one is cut off.
         */
        private static void discardTheRest(InputStream body) throws IOException {
            byte[] scratch = new byte[8192];
            long discarded = 0;
            int n;
            while (discarded < DISCARD_AT_MOST_BYTES && (n = body.read(scratch)) > 0) discarded += n;
        }

        private static void refuse(HttpExchange exchange, int status) throws IOException {
            // the server closes the connection itself when the body was not read to its end
            exchange.getResponseHeaders().set("Connection", "close");
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        }
    }

    @Override
    public void bind(InetSocketAddress address, int backlog) throws IOException {
        server.bind(address, backlog);
    }

    @Override
    public void start() {
        server.start();
    }

    @Override
    public void setExecutor(Executor executor) {
        server.setExecutor(executor);
    }

    @Override
    public Executor getExecutor() {
        return server.getExecutor();
    }

    @Override
    public void stop(int delaySeconds) {
        server.stop(delaySeconds);
    }

    @Override
    public void removeContext(String path) {
        server.removeContext(path);
    }

    @Override
    public void removeContext(HttpContext context) {
        server.removeContext(context);
    }

    @Override
    public InetSocketAddress getAddress() {
        return server.getAddress();
    }
}
