package sitevisor.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Browser origins and host names as the HTTP agent compares them: an origin is
 * {@code scheme://host[:port]} exactly as a browser sends it in its {@code Origin} header, with
 * the scheme and host in lower case and a default port left out.
 */
public final class Origins {
    private static final Pattern HOST_NAME = Pattern.compile(
            "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\\.?");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-f:.]+(%[a-z0-9]+)?]");

    private Origins() {}

    /**
     * The canonical form of an origin written in the config or sent by a browser.
     *
     * @throws IllegalArgumentException saying why {@code text} is not an origin
     */
    public static String canonical(String text) {
        String expected = " (an origin is scheme://host[:port] as the browser's address bar shows it, e.g. http://localhost:8080)";
        if (text.equals("*")) throw new IllegalArgumentException("'*' would let every web page drive the daemon; list each origin" + expected);
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not an origin" + expected);
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme) || uri.getRawAuthority() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("'" + text + "' is not an origin" + expected);
        }
        if (uri.getRawUserInfo() != null) throw new IllegalArgumentException("'" + text + "' has a user name; an origin has none" + expected);
        if (!uri.getRawPath().isEmpty() || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + text + "' has a path; an origin ends after the port" + expected);
        }
        int port = uri.getPort();
        boolean defaultPort = port == -1 || scheme.equals("http") && port == 80 || scheme.equals("https") && port == 443;
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    /**
     * The origin of a URL a browser sent (an {@code Origin}, or a {@code Referer} with its path),
     * in canonical form; empty when it is none that a listed origin could match.
     */
    public static Optional<String> ofUrl(String url) {
        try {
            URI uri = new URI(url.trim());
            if (uri.getScheme() == null || uri.getRawAuthority() == null || uri.getHost() == null || uri.getRawUserInfo() != null) {
                return Optional.empty();
            }
            return Optional.of(canonical(uri.getScheme() + "://" + uri.getRawAuthority()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code text} is an IPv4 address or an IPv6 address in brackets: a literal, never looked up. */
    public static boolean isAddress(String text) {
        String host = text.toLowerCase(Locale.ROOT);
        return IPV4.matcher(host).matches() || IPV6.matcher(host).matches();
    }

    /** Whether {@code text} is a host name or an IP address (IPv6 in brackets), without a port. */
    public static boolean isHost(String text) {
        String host = text.toLowerCase(Locale.ROOT);
        return HOST_NAME.matcher(host).matches() || IPV4.matcher(host).matches() || IPV6.matcher(host).matches();
    }
}
