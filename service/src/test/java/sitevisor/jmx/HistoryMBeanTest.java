package sitevisor.jmx;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.db.History;
import sitevisor.db.Retention;
import sitevisor.history.HistoryRecorder;
import sitevisor.mbeans.ObjectNames;
import sitevisor.supervise.Fixture;
import sitevisor.supervise.Supervisor;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.openmbean.CompositeData;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The history as JConsole reads it: rows of open types from the Site and Supervisor MBeans, over a real H2 file. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HistoryMBeanTest {
    @TempDir
    Path dir;
    Fixture fixture;
    History history;
    MBeanServer server;
    JmxRegistry registry;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Fixture(dir);
        history = History.open(dir.resolve("db"), Retention.DEFAULT, Clock.systemUTC());
        server = MBeanServerFactory.newMBeanServer();
        registry = new JmxRegistry(server);
        fixture.alsoTell(registry);
        fixture.alsoTell(new HistoryRecorder(history, Clock.systemUTC()));
        Supervisor supervisor = fixture.supervise("""
                blog:
                  command: [sleep, "1000"]
                  startSeconds: 0
                shop:
                  command: [sleep, "1000"]
                  startSeconds: 0
                """);
        registry.register(supervisor, Clock.systemUTC(), history);
    }

    @AfterEach
    void tearDown() {
        try {
            registry.close();
            fixture.close();
        } finally {
            history.close();
        }
    }

    private CompositeData[] invoke(javax.management.ObjectName name, String operation, Object[] arguments, String[] signature) throws Exception {
        return (CompositeData[]) server.invoke(name, operation, arguments, signature);
    }

    @Test
    void aSitesHistoryIsItsEventsNewestFirstWithWhoAsked() throws Exception {
        server.invoke(ObjectNames.site("blog"), "start", new Object[0], new String[0]);
        server.invoke(ObjectNames.site("blog"), "stop", new Object[0], new String[0]);
        server.invoke(ObjectNames.site("shop"), "start", new Object[0], new String[0]);
        CompositeData[] rows = invoke(ObjectNames.site("blog"), "history", new Object[]{10}, new String[]{"int"});
        assertEquals(List.of("stopped", "stopping", "ready", "spawned"), Arrays.stream(rows).map(r -> r.get("kind")).toList());
        for (CompositeData row : rows) {
            assertEquals("blog", row.get("site"));
            assertEquals("operator local jmx", row.get("actor"));
        }
        assertEquals("STOPPING", rows[0].get("from"));
        assertTrue((Long) rows[0].get("durationMillis") >= 0, "a stop records how long it took");
        assertTrue(rows[0].get("time").toString().endsWith("Z"));
    }

    @Test
    void theSupervisorReadsEverySiteOrOneFromATimeOn() throws Exception {
        server.invoke(ObjectNames.site("blog"), "start", new Object[0], new String[0]);
        server.invoke(ObjectNames.site("shop"), "start", new Object[0], new String[0]);
        CompositeData[] all = invoke(ObjectNames.SUPERVISOR, "history", new Object[]{100}, new String[]{"int"});
        assertEquals(List.of("shop", "shop", "blog", "blog"), Arrays.stream(all).map(r -> r.get("site")).toList());
        String[] signature = {String.class.getName(), String.class.getName(), "int"};
        CompositeData[] blogSinceAnHourAgo = invoke(ObjectNames.SUPERVISOR, "queryHistory", new Object[]{"blog", "1h", 100}, signature);
        assertEquals(2, blogSinceAnHourAgo.length);
        CompositeData[] fromTheFuture = invoke(ObjectNames.SUPERVISOR, "queryHistory", new Object[]{"", "2999-01-01", 100}, signature);
        assertEquals(0, fromTheFuture.length);
        assertTrue(server.getAttribute(ObjectNames.SUPERVISOR, "HistoryHealth").toString().startsWith("writing"));
    }

    @Test
    void aMistakeIsRefusedWithWhatWouldBeRight() {
        String[] signature = {String.class.getName(), String.class.getName(), "int"};
        for (Object[] arguments : List.of(new Object[]{"blgo", "", 10}, new Object[]{"", "yesterday", 10}, new Object[]{"", "", 0})) {
            javax.management.RuntimeMBeanException e = assertThrows(javax.management.RuntimeMBeanException.class, () -> invoke(ObjectNames.SUPERVISOR, "queryHistory", arguments, signature));
            assertInstanceOf(IllegalArgumentException.class, e.getCause(), e.toString());
            String message = e.getCause().getMessage();
            assertTrue(message.contains("known: blog, shop") || message.contains("try 2h") || message.contains("limit must be 1 to 10000"), message);
        }
    }
}
