package sitevisor.jmx;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.mbeans.ObjectNames;
import sitevisor.security.Credentials;
import sitevisor.security.RemoteAccessGuard;
import sitevisor.supervise.Fixture;
import sitevisor.testing.Await;
import sitevisor.testing.LogLines;
import sitevisor.testing.Probes;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerDelegate;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.Query;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Remote JMX as JConsole and VisualVM speak it: real RMI on loopback, real authentication, the
 * guard in front of this JVM's platform MBean server. The replays make the calls JConsole 17's
 * classes make to connect and to fill each tab (sun.tools.jconsole: ProxyClient, MemoryTab,
 * ThreadTab, ClassTab, SummaryTab, MBeansTab and its inspector), through MXBean proxies as
 * JConsole does; any call the guard refuses fails them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemoteJmxTest {
    private static final ObjectName THREADING = name(ManagementFactory.THREAD_MXBEAN_NAME);
    private static final ObjectName MEMORY = name(ManagementFactory.MEMORY_MXBEAN_NAME);
    private static final ObjectName OPERATING_SYSTEM = name(ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME);

    @TempDir
    Path dir;
    Fixture fixture;
    JmxRegistry registry;
    RemoteJmx remote;
    String password;
    final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Fixture(dir);
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
        remote = RemoteJmx.start(server, "127.0.0.1", Probes.freePort(), credentials);
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

    private JMXConnector connect() throws Exception {
        return connect(new String[]{"sitevisor", password});
    }

    @Test
    void wrongOrMissingCredentialsAreRefusedAndLogged() {
        try (LogLines log = new LogLines(RemoteAccessGuard.class)) {
            assertThrows(SecurityException.class, () -> connect(new String[]{"sitevisor", password + "x"}).close());
            assertThrows(SecurityException.class, () -> connect(new String[]{"root", password}).close());
            assertThrows(SecurityException.class, () -> connect(null).close());
            // one line a minute per client: the first attempt
            assertEquals(List.of("WARNING refused: remote JMX login as 'sitevisor' from 127.0.0.1: wrong user or password"), log.all());
        }
    }

    @Test
    void aRefusedCallIsLoggedWithWhoAsked() throws Exception {
        try (LogLines log = new LogLines(RemoteAccessGuard.class); JMXConnector connector = connect()) {
            assertThrows(SecurityException.class, () -> connector.getMBeanServerConnection().invoke(MEMORY, "gc", null, null));
            assertEquals(List.of("WARNING refused: remote JMX, operator jmx user sitevisor: operation gc of java.lang:type=Memory"
                    + " is not allowed over remote JMX: java.lang is read-only"), log.all());
        }
    }

    /** ProxyClient.tryConnect, then the MBeans tab's first look, and its ping every refresh. */
    @Test
    void jconsoleConnects() throws Exception {
        try (JMXConnector connector = connect()) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            assertTrue(connection.isRegistered(THREADING), "JConsole takes a JVM without Threading for one without platform MXBeans");
            connection.isRegistered(name("com.sun.management:type=HotSpotDiagnostic"));
            assertTrue(Arrays.stream(connection.getMBeanInfo(THREADING).getOperations()).anyMatch(o -> o.getName().equals("findDeadlockedThreads")));
            assertTrue(connection.isRegistered(name(ManagementFactory.COMPILATION_MXBEAN_NAME)));
            ManagementFactory.newPlatformMXBeanProxy(connection, ManagementFactory.RUNTIME_MXBEAN_NAME, RuntimeMXBean.class);
            connection.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, (n, h) -> { }, null, null);
            Set<ObjectName> names = connection.queryNames(null, null);
            assertTrue(names.contains(ObjectNames.SUPERVISOR) && names.contains(ObjectNames.site("blog")) && names.contains(THREADING), names::toString);
            assertNotNull(connection.getDefaultDomain());
        }
    }

    @Test
    void jconsolesMemoryTabFillsAndItsGcButtonIsRefused() throws Exception {
        try (JMXConnector connector = connect()) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            Set<ObjectName> javaLang = connection.queryNames(name("java.lang:*"), null);
            for (ObjectName each : javaLang) connection.getMBeanInfo(each);
            List<ObjectName> pools = javaLang.stream().filter(n -> "MemoryPool".equals(n.getKeyProperty("type"))).toList();
            assertFalse(pools.isEmpty());
            for (ObjectName pool : pools) {
                assertEquals(1, connection.getAttributes(pool, new String[]{"Type"}).size());
                MemoryPoolMXBean proxy = ManagementFactory.newPlatformMXBeanProxy(connection, pool.toString(), MemoryPoolMXBean.class);
                assertNotNull(proxy.getUsage());
            }
            MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(connection, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
            assertTrue(memory.getHeapMemoryUsage().getUsed() > 0);
            assertNotNull(memory.getNonHeapMemoryUsage());
            Set<ObjectName> collectors = connection.queryNames(name("java.lang:type=GarbageCollector,*"), null);
            assertFalse(collectors.isEmpty());
            for (ObjectName collector : collectors) {
                GarbageCollectorMXBean gc = ManagementFactory.newPlatformMXBeanProxy(connection, collector.toString(), GarbageCollectorMXBean.class);
                assertNotNull(gc.getName());
                assertTrue(gc.getCollectionCount() >= 0 && gc.getCollectionTime() >= 0);
            }
            // "Perform GC": an unchecked refusal, so JConsole reports it and stays connected
            assertThrows(SecurityException.class, memory::gc);
            assertTrue(connection.isRegistered(MEMORY), "the connection is still usable");
        }
    }

    @Test
    void jconsolesThreadsTabFillsAndDetectsDeadlocks() throws Exception {
        try (JMXConnector connector = connect()) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(connection, ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
            assertTrue(threads.getThreadCount() > 0 && threads.getPeakThreadCount() > 0 && threads.getTotalStartedThreadCount() > 0);
            long[] ids = threads.getAllThreadIds();
            for (long id : ids) threads.getThreadInfo(id);
            long self = Thread.currentThread().getId();
            threads.isObjectMonitorUsageSupported();
            assertTrue(Arrays.stream(threads.dumpAllThreads(true, false)).anyMatch(t -> t.getThreadId() == self));
            ThreadInfo selected = threads.getThreadInfo(self, Integer.MAX_VALUE);
            assertTrue(selected.getStackTrace().length > 0, "the selected thread's stack");
            // "Detect Deadlock"
            threads.isSynchronizerUsageSupported();
            assertNull(threads.findDeadlockedThreads());
            assertNull(threads.findMonitorDeadlockedThreads());
            assertEquals(ids.length, threads.getThreadInfo(ids, Integer.MAX_VALUE).length);
        }
    }

    @Test
    void jconsolesClassesTabFillsAndItsVerboseBoxIsRefused() throws Exception {
        try (JMXConnector connector = connect()) {
            ClassLoadingMXBean classes = ManagementFactory.newPlatformMXBeanProxy(connector.getMBeanServerConnection(),
                    ManagementFactory.CLASS_LOADING_MXBEAN_NAME, ClassLoadingMXBean.class);
            assertTrue(classes.getLoadedClassCount() > 0 && classes.getTotalLoadedClassCount() > 0);
            classes.getUnloadedClassCount();
            assertFalse(classes.isVerbose());
            assertThrows(SecurityException.class, () -> classes.setVerbose(true));
        }
        assertFalse(ManagementFactory.getClassLoadingMXBean().isVerbose());
    }

    @Test
    void jconsolesVmSummaryFillsWithTheComSunManagementReadings() throws Exception {
        try (JMXConnector connector = connect()) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            RuntimeMXBean runtime = ManagementFactory.newPlatformMXBeanProxy(connection, ManagementFactory.RUNTIME_MXBEAN_NAME, RuntimeMXBean.class);
            assertNotNull(runtime.getVmName());
            assertNotNull(runtime.getVmVersion());
            assertNotNull(runtime.getVmVendor());
            assertEquals(ManagementFactory.getRuntimeMXBean().getName(), runtime.getName());
            assertTrue(runtime.getUptime() > 0);
            assertNotNull(runtime.getInputArguments());
            assertNotNull(runtime.getClassPath());
            assertNotNull(runtime.getLibraryPath());
            runtime.isBootClassPathSupported();
            assertTrue(connection.isInstanceOf(OPERATING_SYSTEM, "com.sun.management.OperatingSystemMXBean"));
            com.sun.management.OperatingSystemMXBean system = ManagementFactory.newPlatformMXBeanProxy(connection,
                    ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME, com.sun.management.OperatingSystemMXBean.class);
            assertTrue(system.getProcessCpuTime() > 0);
            assertTrue(system.getCommittedVirtualMemorySize() > 0);
            assertTrue(system.getTotalMemorySize() > 0 && system.getFreeMemorySize() > 0);
            system.getTotalSwapSpaceSize();
            system.getFreeSwapSpaceSize();
            assertNotNull(system.getName() + system.getVersion() + system.getArch());
            assertTrue(system.getAvailableProcessors() > 0);
            CompilationMXBean compilation = ManagementFactory.newPlatformMXBeanProxy(connection, ManagementFactory.COMPILATION_MXBEAN_NAME, CompilationMXBean.class);
            assertNotNull(compilation.getName());
            if (compilation.isCompilationTimeMonitoringSupported()) compilation.getTotalCompilationTime();
            ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(connection, ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
            threads.getDaemonThreadCount();
            MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(connection, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
            memory.getObjectPendingFinalizationCount();
        }
    }

    /** The MBeans tab on sitevisor's own MBeans: what they say of themselves, every attribute, an operation, notifications. */
    @Test
    void jconsolesMBeansTabShowsRunsAndSubscribesToOurMBeans() throws Exception {
        try (JMXConnector connector = connect()) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            ObjectName blog = ObjectNames.site("blog");
            for (ObjectName mbean : List.of(blog, ObjectNames.SUPERVISOR)) {
                MBeanInfo info = connection.getMBeanInfo(mbean);
                assertFalse(info.getDescription().isBlank(), mbean + " has no description");
                String[] attributes = Arrays.stream(info.getAttributes()).map(MBeanAttributeInfo::getName).toArray(String[]::new);
                AttributeList values = connection.getAttributes(mbean, attributes);
                assertEquals(attributes.length, values.size(), "every attribute of " + mbean + " reads: " + values);
                for (MBeanOperationInfo operation : info.getOperations()) {
                    assertFalse(operation.getDescription().isBlank(), operation.getName() + " has no description");
                }
                assertTrue(connection.isInstanceOf(mbean, "javax.management.NotificationBroadcaster"));
            }
            assertTrue(connection.getMBeanInfo(blog).getNotifications().length > 0, "the Notifications node");
            assertEquals(connection.getAttributes(MEMORY, Arrays.stream(connection.getMBeanInfo(MEMORY).getAttributes())
                    .map(MBeanAttributeInfo::getName).toArray(String[]::new)).size(), connection.getMBeanInfo(MEMORY).getAttributes().length);

            // Subscribe, then an operation from the Operations pane, then Unsubscribe
            List<Notification> received = new CopyOnWriteArrayList<>();
            NotificationListener listener = (n, handback) -> received.add(n);
            connection.addNotificationListener(blog, listener, null, null);
            assertEquals("STOPPED", connection.getAttribute(blog, "State"));
            String result = (String) connection.invoke(blog, "start", new Object[0], new String[0]);
            assertTrue(result.startsWith("RUNNING"), result);
            Await.until("two notifications", Duration.ofSeconds(10), () -> received.size() >= 2);
            CompositeData running = (CompositeData) received.get(1).getUserData();
            assertEquals("RUNNING", running.get("to"));
            assertEquals("operator jmx user sitevisor", running.get("actor"));
            connection.removeNotificationListener(blog, listener, null, null);
        }
    }

    /** What VisualVM's Overview, Monitor, Threads, Thread Dump and CPU sampler call beyond JConsole. */
    @Test
    void visualVmsMonitorThreadsAndCpuSamplerWork() throws Exception {
        try (JMXConnector connector = connect()) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            com.sun.management.ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(connection,
                    ManagementFactory.THREAD_MXBEAN_NAME, com.sun.management.ThreadMXBean.class);
            // VisualVM takes a refused getThreadInfo for a read-only connection
            threads.getThreadInfo(1);
            long[] ids = threads.getAllThreadIds();
            assertEquals(ids.length, threads.getThreadInfo(ids).length);
            assertEquals(ids.length, threads.getThreadInfo(ids, 1).length);
            assertEquals(ids.length, threads.getThreadCpuTime(ids).length);
            assertEquals(ids.length, threads.getThreadAllocatedBytes(ids).length);
            threads.findDeadlockedThreads();
            assertTrue(threads.dumpAllThreads(false, false).length > 0);
            assertTrue(threads.dumpAllThreads(true, true).length > 0);
            connection.getMBeanInfo(OPERATING_SYSTEM);
            assertFalse(connection.queryNames(name("java.lang:type=MemoryPool,*"), null).isEmpty());
            // VisualVM looks for these and does without them when they are absent, as they are here
            assertFalse(connection.isRegistered(name("com.sun.management:type=DiagnosticCommand")));
            assertThrows(IllegalArgumentException.class, () -> ManagementFactory.newPlatformMXBeanProxy(connection,
                    "com.sun.management:type=HotSpotDiagnostic", com.sun.management.HotSpotDiagnosticMXBean.class));
        }
    }

    /** A call a hostile or careless client could make, and how it must end. */
    private record Refused(String what, Class<? extends Exception> expected, ThrowingCall call) {
        @Override
        public String toString() {
            return what;
        }
    }

    @Test
    void nothingThatWritesLoadsDumpsOrReconfiguresGetsThrough() throws Exception {
        Path dump = dir.resolve("heap.hprof");
        ObjectName pool = server.queryNames(name("java.lang:type=MemoryPool,*"), null).stream()
                .filter(n -> ManagementFactory.getMemoryPoolMXBeans().stream()
                        .anyMatch(p -> p.getObjectName().equals(n) && p.isUsageThresholdSupported())).findFirst().orElseThrow();
        long thresholdBefore = (Long) server.getAttribute(pool, "UsageThreshold");
        boolean cpuTimeBefore = ManagementFactory.getThreadMXBean().isThreadCpuTimeEnabled();
        try (JMXConnector connector = connect()) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            ObjectName hotspot = name("com.sun.management:type=HotSpotDiagnostic");
            ObjectName commands = name("com.sun.management:type=DiagnosticCommand");
            List<Refused> table = List.of(
                    new Refused("Memory.gc", SecurityException.class, () -> connection.invoke(MEMORY, "gc", null, null)),
                    new Refused("Memory Verbose", SecurityException.class, () -> connection.setAttribute(MEMORY, new Attribute("Verbose", true))),
                    new Refused("ClassLoading Verbose", SecurityException.class, () -> connection.setAttribute(
                            name(ManagementFactory.CLASS_LOADING_MXBEAN_NAME), new Attribute("Verbose", true))),
                    new Refused("Threading ThreadCpuTimeEnabled", SecurityException.class, () -> connection.setAttribute(
                            THREADING, new Attribute("ThreadCpuTimeEnabled", !cpuTimeBefore))),
                    new Refused("Threading ThreadContentionMonitoringEnabled", SecurityException.class, () -> connection.setAttribute(
                            THREADING, new Attribute("ThreadContentionMonitoringEnabled", true))),
                    new Refused("Threading resetPeakThreadCount", SecurityException.class, () -> connection.invoke(THREADING, "resetPeakThreadCount", null, null)),
                    new Refused("a read-only operation's name on another MBean", SecurityException.class, () -> connection.invoke(
                            MEMORY, "getThreadInfo", new Object[]{1L}, new String[]{"long"})),
                    new Refused("MemoryPool resetPeakUsage", SecurityException.class, () -> connection.invoke(pool, "resetPeakUsage", null, null)),
                    new Refused("MemoryPool UsageThreshold", SecurityException.class, () -> connection.setAttribute(pool, new Attribute("UsageThreshold", 1L))),
                    new Refused("setAttributes", SecurityException.class, () -> connection.setAttributes(MEMORY, new AttributeList(List.of(new Attribute("Verbose", true))))),
                    new Refused("createMBean of an MLet", SecurityException.class, () -> connection.createMBean("javax.management.loading.MLet", name("evil:type=MLet"))),
                    new Refused("unregisterMBean", SecurityException.class, () -> connection.unregisterMBean(ObjectNames.SUPERVISOR)),
                    new Refused("HotSpotDiagnostic dumpHeap", InstanceNotFoundException.class, () -> connection.invoke(hotspot, "dumpHeap",
                            new Object[]{dump.toString(), true}, new String[]{String.class.getName(), "boolean"})),
                    new Refused("HotSpotDiagnostic setVMOption", InstanceNotFoundException.class, () -> connection.invoke(hotspot, "setVMOption",
                            new Object[]{"HeapDumpOnOutOfMemoryError", "true"}, new String[]{String.class.getName(), String.class.getName()})),
                    new Refused("DiagnosticCommand", InstanceNotFoundException.class, () -> connection.invoke(commands, "vmSystemProperties", null, null)),
                    new Refused("DiagnosticCommand's MBeanInfo", InstanceNotFoundException.class, () -> connection.getMBeanInfo(commands)),
                    new Refused("Logging setLoggerLevel", InstanceNotFoundException.class, () -> connection.invoke(name("java.util.logging:type=Logging"),
                            "setLoggerLevel", new Object[]{"", "OFF"}, new String[]{String.class.getName(), String.class.getName()})),
                    new Refused("FlightRecorder", InstanceNotFoundException.class, () -> connection.invoke(name("jdk.management.jfr:type=FlightRecorder"),
                            "newRecording", null, null)),
                    new Refused("a query that reads every MBean", SecurityException.class, () -> connection.queryNames(null,
                            Query.eq(Query.attr("Verbose"), Query.value(true)))),
                    new Refused("an MBean as notification listener", SecurityException.class, () -> connection.addNotificationListener(
                            ObjectNames.site("blog"), MEMORY, null, null)));
            for (Refused row : table) {
                Exception thrown = assertThrows(Exception.class, row.call()::run, row.what() + " got through");
                assertTrue(row.expected().isInstance(thrown), row.what() + " ended in " + thrown);
            }
            assertFalse(connection.isRegistered(commands), "hidden MBeans are absent");
            assertTrue(connection.queryNames(null, null).stream().allMatch(n -> Set.of("sitevisor", "java.lang", "JMImplementation").contains(n.getDomain())));
            assertEquals(Set.of("sitevisor", "java.lang", "JMImplementation"), Set.of(connection.getDomains()));
            assertEquals(connection.queryNames(null, null).size(), connection.getMBeanCount());
        }
        assertFalse(Files.exists(dump), "the heap was dumped");
        assertFalse(ManagementFactory.getMemoryMXBean().isVerbose());
        assertFalse(ManagementFactory.getClassLoadingMXBean().isVerbose());
        assertEquals(cpuTimeBefore, ManagementFactory.getThreadMXBean().isThreadCpuTimeEnabled());
        assertEquals(thresholdBefore, server.getAttribute(pool, "UsageThreshold"));
        assertFalse(server.isRegistered(name("evil:type=MLet")));
        assertTrue(server.isRegistered(ObjectNames.SUPERVISOR));
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }

    private static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
