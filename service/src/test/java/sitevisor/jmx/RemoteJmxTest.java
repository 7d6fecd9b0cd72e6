package sitevisor.jmx;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.mbeans.ObjectNames;
import sitevisor.security.Credentials;
import sitevisor.supervise.Fixture;
import sitevisor.testing.Await;

import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Remote JMX as JConsole speaks it: real RMI on loopback, real authentication, the guard in front. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemoteJmxTest {
    @TempDir
    Path dir;
    Fixture fixture;
    JmxRegistry registry;
    RemoteJmx remote;
    String password;
    MBeanServer server;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Fixture(dir);
        server = MBeanServerFactory.newMBeanServer();
        server.registerMBean(ManagementFactory.getMemoryMXBean(), new ObjectName("java.lang:type=Memory"));
        registry = new JmxRegistry(server);
        fixture.alsoTell(registry);
        registry.register(fixture.supervise("""
                blog:
                  command: [sleep, "1000"]
                  startSeconds: 0
                """), Clock.systemUTC());
        Path file = dir.resolve("credentials");
        Credentials credentials = Credentials.loadOrCreate(file);
        String line = Files.readString(file).trim();
        password = line.substring(line.indexOf(':') + 1);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        remote = RemoteJmx.start(server, "127.0.0.1", port, credentials);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (remote != null) remote.close();
            registry.close();
        } finally {
            fixture.close();
        }
    }

    private JMXConnector connect(Object credentials) throws Exception {
        return JMXConnectorFactory.connect(remote.url(), credentials == null ? Map.of() : Map.of(JMXConnector.CREDENTIALS, credentials));
    }

    @Test
    void wrongOrMissingCredentialsAreRefused() {
        assertThrows(SecurityException.class, () -> connect(new String[]{"sitevisor", password + "x"}).close());
        assertThrows(SecurityException.class, () -> connect(new String[]{"root", password}).close());
        assertThrows(SecurityException.class, () -> connect(null).close());
    }

    @Test
    void theOperatorsOwnMBeansWorkAndNotificationsReachARemoteListenerWithWhoAsked() throws Exception {
        try (JMXConnector connector = connect(new String[]{"sitevisor", password})) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            ObjectName blog = ObjectNames.site("blog");
            List<Notification> received = new CopyOnWriteArrayList<>();
            connection.addNotificationListener(blog, (n, handback) -> received.add(n), null, null);
            assertEquals("STOPPED", connection.getAttribute(blog, "State"));
            String result = (String) connection.invoke(blog, "start", new Object[0], new String[0]);
            assertTrue(result.startsWith("RUNNING"), result);
            Await.until("two notifications", Duration.ofSeconds(10), () -> received.size() >= 2);
            CompositeData running = (CompositeData) received.get(1).getUserData();
            assertEquals("RUNNING", running.get("to"));
            assertEquals("operator jmx user sitevisor", running.get("actor"));
        }
    }

    @Test
    void nothingCanBeCreatedRegisteredOrTouchedOutsideOurMBeansAndReadOnlyJavaLang() throws Exception {
        try (JMXConnector connector = connect(new String[]{"sitevisor", password})) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            ObjectName memory = new ObjectName("java.lang:type=Memory");
            assertNotNull(connection.getAttribute(memory, "HeapMemoryUsage"), "java.lang is readable");
            // each row: a request a hostile client would try, refused before it reaches the MBean server
            List<ThrowingCall> refused = List.of(
                    () -> connection.createMBean("javax.management.loading.MLet", new ObjectName("evil:type=MLet")),
                    () -> connection.unregisterMBean(ObjectNames.SUPERVISOR),
                    () -> connection.setAttribute(memory, new Attribute("Verbose", true)),
                    () -> connection.invoke(memory, "gc", new Object[0], new String[0]),
                    () -> connection.getAttribute(new ObjectName("com.sun.management:type=DiagnosticCommand"), "MBeanInfo"));
            for (ThrowingCall call : refused) assertThrows(SecurityException.class, call::run);
            assertFalse(server.isRegistered(new ObjectName("evil:type=MLet")));
            assertTrue(server.isRegistered(ObjectNames.SUPERVISOR));
            assertFalse(ManagementFactory.getMemoryMXBean().isVerbose());
            assertTrue(connection.queryNames(null, null).stream().allMatch(n -> List.of("sitevisor", "java.lang", "JMImplementation").contains(n.getDomain())));
        }
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }
}
