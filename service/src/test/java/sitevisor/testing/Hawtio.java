package sitevisor.testing;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.webapp.WebAppClassLoader;
import org.eclipse.jetty.webapp.WebAppContext;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The Hawtio 4 web console, its war on Jetty 11 in this JVM on a port the OS chose, as
 * hawtio-embedded runs it: without its own login, and with its proxy reaching 127.0.0.1 only.
 */
public final class Hawtio implements AutoCloseable {
    /** The war, as Maven resolved it; failsafe passes its path. */
    public static final String WAR_PROPERTY = "hawtio.war";
    private static final String CONTEXT_PATH = "/hawtio";
    private static final Map<String, String> SETTINGS = Map.of(
            "hawtio.authenticationEnabled", "false",
            "hawtio.proxyAllowlist", "127.0.0.1",
            // else every address of this machine's interfaces joins the allowlist
            "hawtio.localAddressProbing", "false");

    private final Server server;
    private final Map<String, String> replacedSettings;

    private Hawtio(Server server, Map<String, String> replacedSettings) {
        this.server = server;
        this.replacedSettings = replacedSettings;
    }

    /** Unpacks the war into {@code workDir} and starts it; returns once it serves. */
    public static Hawtio start(Path workDir) throws Exception {
        String war = System.getProperty(WAR_PROPERTY);
        if (war == null || !Files.isRegularFile(Path.of(war))) {
            throw new AssertionError("no Hawtio war in the system property " + WAR_PROPERTY + " (" + war + "): run the *IT tests through mvn verify");
        }
        // Hawtio reads its settings from system properties only, once, while it starts
        Map<String, String> replaced = new HashMap<>();
        SETTINGS.forEach((key, value) -> {
            String previous = System.setProperty(key, value);
            if (previous != null) replaced.put(key, previous);
        });
        Server server = new Server(new InetSocketAddress("127.0.0.1", 0));
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath(CONTEXT_PATH);
        webapp.setWar(war);
        webapp.setTempDirectory(Files.createDirectories(workDir).toFile());
        // the war brings Jolokia 2.1.1 and slf4j of its own, which clash with ours on the test class path
        webapp.setParentLoaderPriority(false);
        webapp.setClassLoader(new WebAppClassLoader(new ContainerOnly(Hawtio.class.getClassLoader()), webapp));
        webapp.setThrowUnavailableOnStartupException(true);
        server.setHandler(webapp);
        Hawtio hawtio = new Hawtio(server, replaced);
        try {
            server.start();
        } catch (Exception e) {
            hawtio.close();
            throw e;
        }
        return hawtio;
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** What a browser sends as the Origin of Hawtio's pages. */
    public String origin() {
        return "http://127.0.0.1:" + port();
    }

    /** The URL of a path under Hawtio's context, such as {@code /jmx}. */
    public String url(String path) {
        return origin() + CONTEXT_PATH + path;
    }

    /** The path of Hawtio's proxy to a Jolokia agent on this machine. */
    public String proxyPath(int agentPort, String agentPath) {
        return "/proxy/http/127.0.0.1/" + agentPort + agentPath;
    }

    @Override
    public void close() throws Exception {
        try {
            server.stop();
        } finally {
            SETTINGS.keySet().forEach(key -> {
                if (replacedSettings.containsKey(key)) System.setProperty(key, replacedSettings.get(key));
                else System.clearProperty(key);
            });
        }
    }

    /** What the webapp may see of this JVM: the JDK and the servlet container, nothing of the test class path. */
    private static final class ContainerOnly extends ClassLoader {
        private final ClassLoader container;

        ContainerOnly(ClassLoader container) {
            super("hawtio-container", ClassLoader.getPlatformClassLoader());
            this.container = container;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (name.startsWith("jakarta.servlet.") || name.startsWith("org.eclipse.jetty.")) return container.loadClass(name);
            throw new ClassNotFoundException(name);
        }
    }
}
