package sitevisor.jmx;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.mbeans.ObjectNames;
import sitevisor.mbeans.StateChange;
import sitevisor.supervise.Fixture;
import sitevisor.supervise.Supervisor;

import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The MBeans through a real MBeanServer, as JConsole and Jolokia reach them: by name, with open types only. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JmxRegistryTest {
    @TempDir
    Path dir;
    Fixture fixture;
    MBeanServer server;
    JmxRegistry registry;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Fixture(dir);
        server = MBeanServerFactory.newMBeanServer();
        registry = new JmxRegistry(server);
        fixture.alsoTell(registry);
        Supervisor supervisor = fixture.supervise("""
                blog:
                  command: [sleep, "1000"]
                  startSeconds: 0
                workers:
                  command: [sleep, "1000"]
                  startSeconds: 0
                  instances: 2
                """);
        registry.register(supervisor, Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        try {
            registry.close();
        } finally {
            fixture.close();
        }
    }

    @Test
    void everySiteAndTheSupervisorAreRegisteredUnderTheirNames() throws Exception {
        assertTrue(server.isRegistered(ObjectNames.SUPERVISOR));
        assertEquals(2, server.queryNames(ObjectNames.ALL_SITES, null).size());
        assertArrayEquals(new String[]{"blog", "workers"}, (String[]) server.getAttribute(ObjectNames.SUPERVISOR, "Sites"));
        registry.close();
        assertEquals(0, server.queryNames(new ObjectName("sitevisor:*"), null).size(), "left registered after close");
    }

    @Test
    void operationsStartAndStopTheSiteAndAttributesFollow() throws Exception {
        ObjectName blog = ObjectNames.site("blog");
        assertEquals("STOPPED", server.getAttribute(blog, "State"));
        String started = (String) server.invoke(blog, "start", new Object[0], new String[0]);
        assertTrue(started.startsWith("RUNNING"), started);
        assertEquals("RUNNING", server.getAttribute(blog, "State"));
        long pid = (Long) server.getAttribute(blog, "Pid");
        assertTrue(ProcessHandle.of(pid).isPresent());

        server.invoke(blog, "stop", new Object[0], new String[0]);
        assertEquals("STOPPED", server.getAttribute(blog, "State"));
        assertEquals(0L, server.getAttribute(blog, "Pid"));
        assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    }

    @Test
    void instancesAreOpenTypeRowsAJmxClientReadsWithoutOurClasses() throws Exception {
        ObjectName workers = ObjectNames.site("workers");
        server.invoke(workers, "start", new Object[0], new String[0]);
        CompositeData[] rows = (CompositeData[]) server.getAttribute(workers, "Instances");
        assertEquals(2, rows.length);
        for (int i = 0; i < 2; i++) {
            assertEquals(i, rows[i].get("instance"));
            assertEquals("RUNNING", rows[i].get("state"));
            assertTrue((Long) rows[i].get("pid") > 0);
        }
        assertNotEquals(rows[0].get("pid"), rows[1].get("pid"));
    }

    @Test
    void descriptionsAndParameterNamesReachTheClient() throws Exception {
        MBeanInfo info = server.getMBeanInfo(ObjectNames.site("blog"));
        assertTrue(info.getDescription().contains("supervised by sitevisor"), info.getDescription());
        MBeanOperationInfo stop = Arrays.stream(info.getOperations()).filter(o -> o.getName().equals("stop")).findFirst().orElseThrow();
        assertTrue(stop.getDescription().contains("SIGKILL after stopTimeout"), stop.getDescription());
        assertTrue(Arrays.stream(info.getAttributes()).allMatch(a -> !a.getDescription().isEmpty() && !a.getDescription().equals(a.getName())),
                "an attribute without a description");
        assertEquals(StateChange.TYPE, info.getNotifications()[0].getNotifTypes()[0]);
    }

    @Test
    void everyStateChangeIsANotificationFromTheSitesNameWithReasonAndWhoAsked() throws Exception {
        List<Notification> received = new CopyOnWriteArrayList<>();
        ObjectName blog = ObjectNames.site("blog");
        server.addNotificationListener(blog, (notification, handback) -> received.add(notification), null, null);
        server.invoke(blog, "start", new Object[0], new String[0]);
        server.invoke(blog, "stop", new Object[0], new String[0]);

        List<String> transitions = received.stream().map(n -> (CompositeData) n.getUserData())
                .map(d -> d.get("from") + ">" + d.get("to")).toList();
        assertEquals(List.of("STOPPED>STARTING", "STARTING>RUNNING", "RUNNING>STOPPING", "STOPPING>STOPPED"), transitions);
        for (Notification n : received) {
            assertEquals(blog, n.getSource(), "remote listeners need the ObjectName as source");
            CompositeData data = (CompositeData) n.getUserData();
            assertEquals("operator local jmx", data.get("actor"));
            assertFalse(((String) data.get("reason")).isEmpty());
        }
    }

    @Test
    void aRefusedOperationThrowsAJdkExceptionWithTheReason() throws Exception {
        try (java.net.ServerSocket holder = new java.net.ServerSocket(0)) {
            Fixture other = new Fixture(dir.resolve("other"));
            java.nio.file.Files.createDirectories(dir.resolve("other"));
            MBeanServer otherServer = MBeanServerFactory.newMBeanServer();
            try (JmxRegistry otherRegistry = new JmxRegistry(otherServer)) {
                otherRegistry.register(other.supervise("""
                        held:
                          command: [sleep, "1000"]
                          port: %d
                        """.formatted(holder.getLocalPort())), Clock.systemUTC());
                var e = assertThrows(javax.management.RuntimeMBeanException.class,
                        () -> otherServer.invoke(ObjectNames.site("held"), "start", new Object[0], new String[0]));
                assertInstanceOf(IllegalStateException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("port " + holder.getLocalPort() + " is held by pid"), e.getCause().getMessage());
            } finally {
                other.close();
            }
        }
    }
}
