package sitevisor.jmx;

import org.slf4j.LoggerFactory;
import sitevisor.security.Credentials;
import sitevisor.security.Refusals;
import sitevisor.security.RemoteAccessGuard;

import javax.management.MBeanServer;
import javax.management.remote.JMXAuthenticator;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXPrincipal;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.security.auth.Subject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The remote JMX connector for JConsole and VisualVM by host:port: off unless a port is set,
 * bound to one address (loopback by default) with registry and connector on the same port,
 * asking for the daemon's credentials, accepting nothing but strings as credentials before
 * anything is deserialized, and behind {@link RemoteAccessGuard}.
 */
public final class RemoteJmx implements AutoCloseable {
    private final Registry registry;
    private final JMXConnectorServer connector;

    private RemoteJmx(Registry registry, JMXConnectorServer connector) {
        this.registry = registry;
        this.connector = connector;
    }

    public static RemoteJmx start(MBeanServer server, String host, int port, Credentials credentials) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        // stubs carry this host back to clients; left alone if the operator set it
        if (System.getProperty("java.rmi.server.hostname") == null) System.setProperty("java.rmi.server.hostname", host);
        RMIServerSocketFactory sockets = new BoundSockets(address);
        Registry registry = LocateRegistry.createRegistry(port, null, sockets);
        Map<String, Object> environment = new HashMap<>();
        environment.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, sockets);
        Refusals refusals = new Refusals(LoggerFactory.getLogger(RemoteAccessGuard.class));
        environment.put(JMXConnectorServer.AUTHENTICATOR, authenticator(credentials, refusals));
        environment.put("jmx.remote.rmi.server.credentials.filter.pattern", "java.lang.String;!*");
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi://" + host + ":" + port + "/jndi/rmi://" + host + ":" + port + "/jmxrmi");
        JMXConnectorServer connector = JMXConnectorServerFactory.newJMXConnectorServer(url, environment, server);
        connector.setMBeanServerForwarder(RemoteAccessGuard.create(refusals));
        try {
            connector.start();
        } catch (IOException | RuntimeException e) {
            UnicastRemoteObject.unexportObject(registry, true);
            throw e;
        }
        return new RemoteJmx(registry, connector);
    }

    /** What JConsole connects to: {@code host:port}, or this URL. */
    public JMXServiceURL url() {
        return connector.getAddress();
    }

    private static JMXAuthenticator authenticator(Credentials credentials, Refusals refusals) {
        return offered -> {
            if (!(offered instanceof String[] pair) || pair.length != 2 || pair[0] == null || pair[1] == null
                    || !credentials.matches(pair[0], pair[1])) {
                String client = clientHost();
                String user = offered instanceof String[] pair && pair.length > 0 && pair[0] != null ? " as '" + pair[0] + "'" : "";
                refusals.refused("jmx login " + client, "remote JMX login" + user + " from " + client + ": wrong user or password");
                throw new SecurityException("wrong user or password");
            }
            return new Subject(true, Set.of(new JMXPrincipal(pair[0])), Set.of(), Set.of());
        };
    }

    /** The address of the RMI client this thread serves. */
    private static String clientHost() {
        try {
            return java.rmi.server.RemoteServer.getClientHost();
        } catch (java.rmi.server.ServerNotActiveException e) {
            return "an unknown address";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            connector.stop();
        } finally {
            try {
                UnicastRemoteObject.unexportObject(registry, true);
            } catch (NoSuchObjectException alreadyGone) {
                // nothing to release
            }
        }
    }

    /** Server sockets on one address; equal instances let registry and connector share one port. */
    private record BoundSockets(InetAddress address) implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, address);
        }
    }
}
