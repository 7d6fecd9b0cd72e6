package sitevisor.security;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import org.jolokia.json.JSONArray;
import org.jolokia.json.JSONObject;
import org.jolokia.json.parser.JSONParser;
import org.jolokia.json.parser.ParseException;
import org.slf4j.LoggerFactory;
import sitevisor.config.Config;
import sitevisor.config.Origins;
import sitevisor.mbeans.HttpAgentPaths;
import sitevisor.mbeans.Actor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The one way into the HTTP agent. Every request passes these checks in this order before
 * Jolokia sees it, and every refusal is a real HTTP status with a JSON body saying why:
 * <ol>
 * <li>the unauthenticated {@code <context>/config} route of Jolokia 2.6 does not exist (404);</li>
 * <li>the Host header names this agent's address, {@code localhost} when it listens on loopback,
 *     or a name in {@code jolokia.allowedHosts} (400, 403): a page whose name was rebound to this
 *     machine's address (DNS rebinding) sends its own name;</li>
 * <li>a browser's request comes from an origin listed in {@code jolokia.origins} (403): its
 *     {@code Origin}, else its {@code Referer}, and a cross-site {@code Sec-Fetch-Site} with neither;</li>
 * <li>a CORS preflight of a listed origin is answered here, as it carries no credentials;</li>
 * <li>the method is GET or POST (405); the user and password are the daemon's (401);</li>
 * <li>no JSONP (403): a {@code <script>} tag could read the answer across origins;</li>
 * <li>a GET only reads, lists, searches or asks the version (405): an {@code <img>} tag sends GETs;</li>
 * <li>a POST carries a JSON content type (415), which no cross-site form can send and no
 *     cross-site script can send without a preflight this door refuses;</li>
 * <li>the body is at most {@link #MAX_BODY_BYTES} (413), is JSON (400), asks only to read,
 *     list, search, run or tell the version, and names no proxy {@code target} (403): the
 *     daemon never connects on a request's behalf.</li>
 * </ol>
 */
public final class AgentDoor extends Filter {
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final long DISCARD_AT_MOST_BYTES = 1024 * 1024;
    private static final Set<String> GET_TYPES = Set.of("read", "list", "search", "version");
    private static final Set<String> POST_TYPES = Set.of("read", "list", "search", "version", "exec");
    private static final Set<String> JSON_TYPES = Set.of("application/json", "text/json");
    private static final Set<String> CROSS_SITE_FETCHES = Set.of("cross-site", "same-site");
    private static final String ALLOWED_METHODS = "GET, POST";

    private final String contextPath;
    private final Listening listening;
    private final Supplier<Config.HttpAccess> access;
    private final Credentials credentials;
    private final Refusals refusals = new Refusals(LoggerFactory.getLogger(AgentDoor.class));

    /** Where the agent listens: the address it bound, as configured and as bound. */
    public record Listening(String configuredHost, InetAddress address, int port) {}

    /** @param contextPath the agent's context, under which Jolokia's config route is refused */
    public AgentDoor(String contextPath, Listening listening, Supplier<Config.HttpAccess> access, Credentials credentials) {
        this.contextPath = contextPath.endsWith("/") ? contextPath.substring(0, contextPath.length() - 1) : contextPath;
        this.listening = listening;
        this.access = access;
        this.credentials = credentials;
    }

    /** A request turned away: the status it gets and why, for the JSON body. */
    private record Refusal(int status, String reason, String message) {}

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        Headers request = exchange.getRequestHeaders();
        Headers response = exchange.getResponseHeaders();
        response.set("X-Content-Type-Options", "nosniff");
        Config.HttpAccess allowed = access.get();
        Refusal refusal = routeOrHost(exchange.getRequestURI().getPath(), request, allowed);
        if (refusal != null) {
            refuse(exchange, refusal);
            return;
        }
        Optional<String> origin = browserOrigin(request);
        if (origin.isPresent() || isCrossSiteFetch(request)) {
            if (origin.isEmpty() || !allowed.origins().contains(origin.get())) {
                refuse(exchange, new Refusal(403, "Forbidden", "a browser request from " + origin.orElse("another site")
                        + " is refused: its origin is not listed in jolokia.origins"));
                return;
            }
            response.set("Access-Control-Allow-Origin", origin.get());
            response.set("Access-Control-Allow-Credentials", "true");
            response.add("Vary", "Origin");
        }
        String method = exchange.getRequestMethod();
        if (method.equals("OPTIONS") && origin.isPresent()) {
            answerPreflight(exchange);
            return;
        }
        if (!method.equals("GET") && !method.equals("POST")) {
            response.set("Allow", ALLOWED_METHODS);
            refuse(exchange, new Refusal(405, "Method Not Allowed", method + " is not served; use GET to read, POST for everything"));
            return;
        }
        Optional<String> user = authenticatedUser(request);
        if (user.isEmpty()) {
            response.set("WWW-Authenticate", "Basic realm=\"sitevisor\", charset=\"UTF-8\"");
            refuse(exchange, new Refusal(401, "Unauthorized", request.containsKey("Authorization")
                    ? "wrong user or password" : "the user and password of the daemon's credentials file are required"));
            return;
        }
        refusal = methodAndBodyHeaders(method, exchange.getRequestURI().getRawQuery(), exchange.getRequestURI().getPath(), request);
        if (refusal != null) {
            if (refusal.status() == 405) response.set("Allow", "POST");
            if (refusal.status() == 413 && declaredLength(request) <= DISCARD_AT_MOST_BYTES) discardTheRest(exchange.getRequestBody());
            refuse(exchange, refusal);
            return;
        }
        if (method.equals("POST")) {
            // a chunked body announces no length: read at most one byte past the limit to know
            byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                discardTheRest(exchange.getRequestBody());
                refuse(exchange, tooLarge());
                return;
            }
            refusal = body(body);
            if (refusal != null) {
                refuse(exchange, refusal);
                return;
            }
            exchange.setStreams(new ByteArrayInputStream(body), null);
        }
        // Jolokia answers on this thread, so the operations it calls learn who asked
        Callers.onBehalfOf(() -> caller(exchange, user.get()), () -> chain.doFilter(exchange));
    }

    private Refusal routeOrHost(String path, Headers request, Config.HttpAccess allowed) {
        if (path.equals(contextPath + "/config") || path.startsWith(contextPath + "/config/")) {
            return new Refusal(404, "Not Found", "no such route");
        }
        List<String> hosts = request.get("Host");
        if (hosts == null || hosts.size() != 1) return new Refusal(400, "Bad Request", "a request must name one Host");
        String host = hosts.get(0).trim();
        if (!hostAllowed(host, allowed)) {
            return new Refusal(403, "Forbidden", "Host '" + host + "' is not this agent's address (" + listening.configuredHost()
                    + ":" + listening.port() + "); list further names in jolokia.allowedHosts");
        }
        return null;
    }

    /**
     * The Host header carries a host and, unless the agent is on port 80, its port. An IP address
     * must be the one the agent listens on (any, when it listens on every address: an address
     * cannot be rebound); a name must be the configured host, {@code localhost} on loopback, or listed.
     */
    boolean hostAllowed(String hostHeader, Config.HttpAccess allowed) {
        String host;
        int port;
        int colon = hostHeader.lastIndexOf(':');
        if (hostHeader.startsWith("[")) {
            int close = hostHeader.indexOf(']');
            if (close < 0) return false;
            host = hostHeader.substring(0, close + 1);
            colon = close + 1 < hostHeader.length() && hostHeader.charAt(close + 1) == ':' ? close + 1 : -1;
        } else {
            host = colon < 0 ? hostHeader : hostHeader.substring(0, colon);
        }
        if (colon < 0) {
            port = 80;
        } else {
            try {
                port = Integer.parseInt(hostHeader.substring(colon + 1));
            } catch (NumberFormatException e) {
                return false;
            }
        }
        if (port != listening.port() || !Origins.isHost(host)) return false;
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) name = name.substring(0, name.length() - 1);
        if (name.equals(listening.configuredHost().toLowerCase(Locale.ROOT))) return true;
        if (allowed.allowedHosts().stream().anyMatch(name::equalsIgnoreCase)) return true;
        if (name.equals("localhost")) return listening.address().isLoopbackAddress() || listening.address().isAnyLocalAddress();
        Optional<InetAddress> literal = addressLiteral(name);
        if (literal.isEmpty()) return false;
        return listening.address().isAnyLocalAddress() || literal.get().equals(listening.address());
    }

    private static Optional<InetAddress> addressLiteral(String host) {
        if (!Origins.isAddress(host)) return Optional.empty();
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        try {
            // a literal is parsed, never looked up
            return Optional.of(InetAddress.getByName(bare));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The origin a browser names: its {@code Origin}, else its {@code Referer}'s; "null" and unreadable ones as themselves. */
    private static Optional<String> browserOrigin(Headers request) {
        String origin = request.getFirst("Origin");
        if (origin == null || origin.isBlank()) origin = request.getFirst("Referer");
        if (origin == null || origin.isBlank()) return Optional.empty();
        String sent = origin.trim();
        return Optional.of(Origins.ofUrl(sent).orElse(sent.replaceAll("[^\\x20-\\x7e]", "?")));
    }

    /** A browser's fetch from another site that sent neither Origin nor Referer (an {@code <img>} under a no-referrer policy). */
    private static boolean isCrossSiteFetch(Headers request) {
        String site = request.getFirst("Sec-Fetch-Site");
        return site != null && CROSS_SITE_FETCHES.contains(site.trim().toLowerCase(Locale.ROOT));
    }

    private static void answerPreflight(HttpExchange exchange) throws IOException {
        Headers response = exchange.getResponseHeaders();
        response.set("Access-Control-Allow-Methods", ALLOWED_METHODS);
        String asked = exchange.getRequestHeaders().getFirst("Access-Control-Request-Headers");
        if (asked != null) response.set("Access-Control-Allow-Headers", asked.replaceAll("[^A-Za-z0-9, -]", ""));
        response.set("Access-Control-Max-Age", "3600");
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    private Optional<String> authenticatedUser(Headers request) {
        String authorization = request.getFirst("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) return Optional.empty();
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = pair.indexOf(':');
        if (colon < 0) return Optional.empty();
        String user = pair.substring(0, colon);
        return credentials.matches(user, pair.substring(colon + 1)) ? Optional.of(user) : Optional.empty();
    }

    /** What the method, the query and the headers alone decide, before a byte of the body is read. */
    private Refusal methodAndBodyHeaders(String method, String rawQuery, String path, Headers request) {
        List<String[]> parameters;
        try {
            parameters = parameters(rawQuery);
        } catch (IllegalArgumentException e) {
            return new Refusal(400, "Bad Request", "the query cannot be decoded: " + e.getMessage());
        }
        if (parameters.stream().anyMatch(p -> p[0].equalsIgnoreCase("callback"))) {
            return new Refusal(403, "Forbidden", "JSONP (callback) is not served: a script tag of any web page could read the answer");
        }
        if (method.equals("GET")) {
            List<String> types = new ArrayList<>();
            String pathInfo = path.length() > contextPath.length() ? path.substring(contextPath.length()).replaceFirst("^/+", "") : "";
            if (!pathInfo.isEmpty()) types.add(firstElement(pathInfo));
            // Jolokia takes the path from the "p" parameter when the URL has none
            for (String[] parameter : parameters) if (parameter[0].equals("p")) types.add(firstElement(parameter[1].replaceFirst("^/+", "")));
            for (String type : types) {
                if (!type.isEmpty() && !GET_TYPES.contains(type.toLowerCase(Locale.ROOT))) {
                    return new Refusal(405, "Method Not Allowed", "'" + type + "' only by POST, with Content-Type: application/json;"
                            + " a GET only reads, lists, searches or asks the version");
                }
            }
            return null;
        }
        String length = request.getFirst("Content-Length");
        if (length != null) {
            // answered from the headers alone: not a byte of a huge body is read
            if (declaredLength(request) < 0) return new Refusal(400, "Bad Request", "Content-Length '" + length + "' is not a number");
            if (declaredLength(request) > MAX_BODY_BYTES) return tooLarge();
        }
        String contentType = request.getFirst("Content-Type");
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!JSON_TYPES.contains(mediaType)) {
            return new Refusal(415, "Unsupported Media Type", "a POST must carry Content-Type: application/json (got "
                    + (contentType == null ? "none" : "'" + contentType + "'") + "); with curl: --json '{...}'");
        }
        return null;
    }

    /** The query as Jolokia reads it: decoded once by the URI, then each name and value once more. */
    private static List<String[]> parameters(String rawQuery) {
        List<String[]> parameters = new ArrayList<>();
        if (rawQuery == null) return parameters;
        String query = URLDecoder.decode(rawQuery.replace("+", "%2B"), StandardCharsets.UTF_8);
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            parameters.add(new String[]{URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8)});
        }
        return parameters;
    }

    private static String firstElement(String pathInfo) {
        int slash = pathInfo.indexOf('/');
        return slash < 0 ? pathInfo : pathInfo.substring(0, slash);
    }

    /** The Content-Length a request announces: 0 when none, -1 when it is no number. */
    private static long declaredLength(Headers request) {
        String length = request.getFirst("Content-Length");
        if (length == null) return 0;
        try {
            long bytes = Long.parseLong(length.trim());
            return bytes < 0 ? -1 : bytes;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Refusal tooLarge() {
        return new Refusal(413, "Payload Too Large", "a request body may be at most " + MAX_BODY_BYTES / 1024 + " KB");
    }

    /** The body is JSON, and no request in it asks the daemon to connect elsewhere. */
    private static Refusal body(byte[] body) {
        Object parsed;
        try {
            parsed = new JSONParser().parse(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        } catch (ParseException | IOException | RuntimeException e) {
            return new Refusal(400, "Bad Request", "the body is not JSON: " + e.getMessage());
        }
        List<Object> requests = parsed instanceof JSONArray bulk ? bulk : List.of(parsed);
        for (Object one : requests) {
            if (!(one instanceof JSONObject object)) continue;
            if (object.containsKey("target")) {
                return new Refusal(403, "Forbidden", "proxy requests (a 'target') are not served: the daemon connects nowhere on a request's behalf");
            }
            // Jolokia 2.6 asks the restrictor about some types only: notification requests registered listeners anyway
            if (object.get("type") instanceof String type && !POST_TYPES.contains(type.toLowerCase(Locale.ROOT))) {
                return new Refusal(403, "Forbidden", "'" + type + "' requests are not served (only read, list, search, exec and version)");
            }
        }
        return null;
    }

    /** The authenticated user and the client's address, and the OS user the CLI says it runs as. */
    private static Actor caller(HttpExchange exchange, String user) {
        String door = "jolokia user " + user + " from " + exchange.getRemoteAddress().getAddress().getHostAddress();
        String cliUser = exchange.getRequestHeaders().getFirst(HttpAgentPaths.CLI_USER_HEADER);
        // a claim by a client that knows the password: recorded as said, but never allowed to forge a log line
        if (cliUser != null && cliUser.matches("[A-Za-z0-9._@-]{1,64}")) return Actor.operator("cli user " + cliUser + " (" + door + ")");
        return Actor.operator(door);
    }

    @Override
    public String description() {
        return "sitevisor: Host, origins, credentials, methods, content type, body size and targets checked";
    }

    /**
     * A connection closed with unread bytes is reset, and a reset can destroy the answer on its
     * way to the client. A body up to a megabyte is read to its end (into one small buffer, so
     * the heap does not grow) and the 413 arrives; a bigger one is cut off.
     */
    private static void discardTheRest(InputStream body) throws IOException {
        byte[] scratch = new byte[8192];
        long discarded = 0;
        int n;
        while (discarded < DISCARD_AT_MOST_BYTES && (n = body.read(scratch)) > 0) discarded += n;
    }

    private void refuse(HttpExchange exchange, Refusal refusal) throws IOException {
        // a 401 to a request without credentials is how basic authentication begins, not news
        if (refusal.status() != 401 || exchange.getRequestHeaders().containsKey("Authorization")) {
            String client = exchange.getRemoteAddress().getAddress().getHostAddress();
            refusals.refused("http " + refusal.status() + " " + client, "HTTP " + refusal.status() + " to " + client + " ("
                    + exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + "): " + refusal.message());
        }
        JSONObject answer = new JSONObject();
        answer.put("status", refusal.status());
        answer.put("error_type", refusal.reason());
        answer.put("error", refusal.message());
        byte[] body = answer.toJSONString().getBytes(StandardCharsets.UTF_8);
        Headers response = exchange.getResponseHeaders();
        response.set("Content-Type", "application/json; charset=utf-8");
        response.set("Cache-Control", "no-store");
        // the server closes the connection itself when the body was not read to its end
        response.set("Connection", "close");
        exchange.sendResponseHeaders(refusal.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
