package sitevisor.http;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import sitevisor.security.AgentDoor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/**
 * The HTTP server handed to Jolokia. Every context Jolokia creates, its unauthenticated
 * {@code <context>/config} route included, gets {@link AgentDoor} as its first filter, whatever
 * Jolokia itself sets up; authentication is the door's too, so no context can lose it.
 */
final class GuardedHttpServer extends HttpServer {
    private final HttpServer server;
    private final AgentDoor door;

    GuardedHttpServer(HttpServer server, AgentDoor door) {
        this.server = server;
        this.door = door;
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
        context.getFilters().add(0, door);
        return context;
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
