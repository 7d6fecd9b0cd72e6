package sitevisor.jmx;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.mbeans.Actor;
import sitevisor.mbeans.MemoryNotice;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** The MBeans through a real MBeanServer, as JConsole and Jolokia reach them: by name, with open types only. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JmxRegistryTest {
    @TempDir
    Path dir;
    Fixture fixture;
    MBeanServer server;
    JmxRegistry registry;
    Supervisor supervisor;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Fixture(dir);
        server = MBeanServerFactory.newMBeanServer();
        registry = new JmxRegistry(server);
        fixture.alsoTell(registry);
        supervisor = fixture.supervise("""
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
    void theSupervisorGivesEveryInstanceOfEverySiteInOneReadWithItsMemory() throws Exception {
        server.invoke(ObjectNames.site("workers"), "start", new Object[0], new String[0]);
        CompositeData[] rows = (CompositeData[]) server.getAttribute(ObjectNames.SUPERVISOR, "Instances");
        assertEquals(List.of("blog/0", "workers/0", "workers/1"),
                java.util.Arrays.stream(rows).map(r -> r.get("site") + "/" + r.get("instance")).toList());
        assertEquals("STOPPED", rows[0].get("state"));
        assertEquals(0L, rows[0].get("memoryBytes"));
        for (int i = 1; i <= 2; i++) {
            long pid = (Long) rows[i].get("pid");
            long pssBytes = sitevisor.posix.ProcessMemory.proportionalBytes(sitevisor.posix.ProcessMemory.tree(pid));
            long rssBytes = sitevisor.posix.ProcessMemory.residentBytes(sitevisor.posix.ProcessMemory.tree(pid));
            long memoryBytes = (Long) rows[i].get("memoryBytes");
            // sleep's share of the pages it maps: more than nothing, less than its resident set, which counts libc whole
            assertTrue(memoryBytes > 10_000 && memoryBytes < rssBytes, rows[i] + " against RSS " + rssBytes);
            assertEquals(pssBytes, memoryBytes, 200_000, rows[i] + " against PSS " + pssBytes);
            assertTrue((Long) rows[i].get("memoryPeakBytes") >= memoryBytes, rows[i].toString());
        }
        long siteBytes = (Long) server.getAttribute(ObjectNames.site("workers"), "MemoryBytes");
        assertEquals((Long) rows[1].get("memoryBytes") + (Long) rows[2].get("memoryBytes"), siteBytes, 200_000);
        assertTrue((Long) server.getAttribute(ObjectNames.site("workers"), "MemoryPeakBytes") >= siteBytes);
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
    void attributesWhoseNamesDoNotSayTheirUnitCarryItInTheirDescriptor() throws Exception {
        MBeanInfo site = server.getMBeanInfo(ObjectNames.site("blog"));
        assertEquals("ms", unitsOf(site, "Uptime"));
        assertEquals("bytes", unitsOf(site, "MemoryBytes"));
        assertEquals("ms", unitsOf(server.getMBeanInfo(ObjectNames.SUPERVISOR), "Uptime"));
    }

    private static Object unitsOf(MBeanInfo info, String attribute) {
        return Arrays.stream(info.getAttributes()).filter(a -> a.getName().equals(attribute)).findFirst().orElseThrow()
                .getDescriptor().getFieldValue("units");
    }

    @Test
    void everySiteSharesOneDescriptionAndTheSupervisorHasItsOwn() throws Exception {
        MBeanInfo blog = server.getMBeanInfo(ObjectNames.site("blog"));
        assertSame(blog, server.getMBeanInfo(ObjectNames.site("workers")), "a copy per site is a copy per site of memory");
        MBeanInfo supervisor = server.getMBeanInfo(ObjectNames.SUPERVISOR);
        assertNotEquals(blog.getClassName(), supervisor.getClassName());
        assertEquals(0, supervisor.getNotifications().length);
        assertEquals(List.of(StateChange.TYPE, MemoryNotice.TYPE),
                Arrays.stream(blog.getNotifications()).flatMap(info -> Arrays.stream(info.getNotifTypes())).toList());
    }

    @Test
    void whatTheMemoryWatchRecordsIsAMemoryNotificationFromTheSitesName() throws Exception {
        List<Notification> received = new CopyOnWriteArrayList<>();
        ObjectName blog = ObjectNames.site("blog");
        server.addNotificationListener(blog, (notification, handback) -> received.add(notification), null, null);

        supervisor.instances("blog").get(0).memoryEvent("431MB, over warn 400MB (restart at 512MB)", Actor.policy("memory"));

        assertEquals(1, received.size());
        Notification memory = received.get(0);
        assertEquals(MemoryNotice.TYPE, memory.getType());
        assertEquals(blog, memory.getSource(), "remote listeners need the ObjectName as source");
        CompositeData data = (CompositeData) memory.getUserData();
        assertEquals("431MB, over warn 400MB (restart at 512MB)", data.get("reason"));
        assertEquals("policy memory", data.get("actor"));
        assertEquals("blog: memory: 431MB, over warn 400MB (restart at 512MB)", memory.getMessage());
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
    void theSupervisorsOperationsAreDescribedAndAnswerOpenTypes() throws Exception {
        MBeanInfo info = server.getMBeanInfo(ObjectNames.SUPERVISOR);
        Map<String, MBeanOperationInfo> operations = Arrays.stream(info.getOperations())
                .collect(Collectors.toMap(MBeanOperationInfo::getName, o -> o));
        assertEquals(Set.of("startAll", "stopAll", "restartAll", "forceStopAll", "forceRestartAll", "reload", "history", "queryHistory"), operations.keySet());
        for (MBeanOperationInfo operation : operations.values()) {
            assertFalse(operation.getDescription().isEmpty() || operation.getDescription().equals(operation.getName()), operation.getName());
        }
        assertTrue(operations.get("reload").getDescription().contains("home, jolokia, jmx or history"), operations.get("reload").getDescription());
        assertEquals(CompositeData.class.getName(), operations.get("reload").getReturnType());
        assertEquals(CompositeData[].class.getName(), operations.get("stopAll").getReturnType());
    }

    @Test
    void operationsOnEverySiteAnswerOneRowPerInstance() throws Exception {
        CompositeData[] started = (CompositeData[]) server.invoke(ObjectNames.SUPERVISOR, "startAll", new Object[0], new String[0]);
        assertEquals(List.of("blog/0 true RUNNING", "workers/0 true RUNNING", "workers/1 true RUNNING"), rows(started));
        assertFalse(((String) started[0].get("message")).isEmpty());
        assertEquals("RUNNING", server.getAttribute(ObjectNames.site("workers"), "State"));

        CompositeData[] stopped = (CompositeData[]) server.invoke(ObjectNames.SUPERVISOR, "stopAll", new Object[0], new String[0]);
        assertEquals(List.of("blog/0 true STOPPED", "workers/0 true STOPPED", "workers/1 true STOPPED"), rows(stopped));
        assertEquals(0, fixture.processesAlive());
    }

    @Test
    void reloadUnregistersRemovedSitesAndRegistersAddedOnesAndAChangedSiteKeepsItsMBean() throws Exception {
        ObjectName blog = ObjectNames.site("blog");
        server.invoke(blog, "start", new Object[0], new String[0]);
        List<Notification> received = new CopyOnWriteArrayList<>();
        server.addNotificationListener(blog, (notification, handback) -> received.add(notification), null, null);
        fixture.rewrite("""
                blog:
                  command: [sleep, "1001"]
                  startSeconds: 0
                shop:
                  command: [sleep, "1000"]
                  startSeconds: 0
                """);

        CompositeData result = (CompositeData) server.invoke(ObjectNames.SUPERVISOR, "reload", new Object[0], new String[0]);

        assertArrayEquals(new String[]{"shop"}, (String[]) result.get("added"));
        assertArrayEquals(new String[]{"workers"}, (String[]) result.get("removed"));
        assertArrayEquals(new String[]{"blog"}, (String[]) result.get("changed"));
        assertArrayEquals(new String[0], (String[]) result.get("unchanged"));
        assertEquals(List.of("workers/0 true STOPPED", "workers/1 true STOPPED", "blog/0 true STOPPED", "blog/0 true RUNNING", "shop/0 true RUNNING"),
                rows((CompositeData[]) result.get("outcomes")));

        assertFalse(server.isRegistered(ObjectNames.site("workers")), "the removed site's MBean is still registered");
        assertEquals("RUNNING", server.getAttribute(ObjectNames.site("shop"), "State"));
        assertArrayEquals(new String[]{"blog", "shop"}, (String[]) server.getAttribute(ObjectNames.SUPERVISOR, "Sites"));
        // the changed site's MBean stayed, kept its listeners, and now shows the new process
        assertEquals("RUNNING", server.getAttribute(blog, "State"));
        assertEquals("sleep 1001", sitevisor.posix.Processes.commandLine((Long) server.getAttribute(blog, "Pid")));
        List<String> transitions = received.stream().map(n -> (CompositeData) n.getUserData())
                .map(d -> d.get("from") + ">" + d.get("to") + " by " + d.get("actor")).toList();
        assertEquals(List.of("RUNNING>STOPPING by operator local jmx (reload)", "STOPPING>STOPPED by operator local jmx (reload)",
                "STOPPED>STARTING by operator local jmx (reload)", "STARTING>RUNNING by operator local jmx (reload)"), transitions);

        registry.close();
        assertEquals(0, server.queryNames(new ObjectName("sitevisor:*"), null).size(), "left registered after close");
    }

    @Test
    void aRefusedReloadIsAJdkExceptionNamingEveryProblem() throws Exception {
        fixture.rewrite("""
                blog:
                  command: [sleep, "1000"]
                  stopSignal: TREM
                """);
        var e = assertThrows(javax.management.RuntimeMBeanException.class,
                () -> server.invoke(ObjectNames.SUPERVISOR, "reload", new Object[0], new String[0]));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("sites.blog.stopSignal in " + fixture.configFile()), e.getCause().getMessage());
        assertTrue(server.isRegistered(ObjectNames.site("workers")), "a refused reload removed a site");
    }

    private static List<String> rows(CompositeData[] outcomes) {
        return Arrays.stream(outcomes).map(o -> o.get("site") + "/" + o.get("instance") + " " + o.get("ok") + " " + o.get("state")).toList();
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
