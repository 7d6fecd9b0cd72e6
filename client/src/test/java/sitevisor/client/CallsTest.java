package sitevisor.client;

import org.junit.jupiter.api.Test;
import sitevisor.mbeans.HistoryEntry;
import sitevisor.mbeans.SiteMXBean;
import sitevisor.mbeans.SupervisorMXBean;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The facade follows the contract: {@link SiteCalls} has one method for each method of
 * {@link SiteMXBean}, and {@link SupervisorCalls} for each of {@link SupervisorMXBean} — the same
 * name, the same parameter types, a {@link Call} of the type the client reads the MXBean's type as —
 * and nothing else; and each call reads or runs what it is named for. A change to an MXBean that
 * the client does not follow fails here, not in an operator's terminal.
 */
class CallsTest {
    private static final String ROWS = "java.util.List<java.util.Map<java.lang.String, java.lang.Object>>";

    @Test
    void siteCallsFollowSiteMXBean() {
        assertEquals(List.of(), disagreements(SiteMXBean.class, SiteCalls.class));
    }

    @Test
    void supervisorCallsFollowSupervisorMXBean() {
        assertEquals(List.of(), disagreements(SupervisorMXBean.class, SupervisorCalls.class));
    }

    @Test
    void eachSiteCallReadsOrRunsWhatItIsNamedFor() throws Exception {
        assertRequestsFollowNames(SiteCalls.of("blog"), "sitevisor:name=blog,type=Site");
    }

    @Test
    void eachSupervisorCallReadsOrRunsWhatItIsNamedFor() throws Exception {
        assertRequestsFollowNames(SupervisorCalls.of(), "sitevisor:type=Supervisor");
    }

    /** The check itself: each way a facade can disagree with its interface is named. */
    @Test
    void aFacadeThatDisagreesIsCaught() {
        assertEquals(List.of(
                        "Contract.kill(): the facade has no such method",
                        "Contract.restart(): the facade has restart(boolean)",
                        "Contract.runTask(String): the facade has runTask(int)",
                        "Facade.frob(): names nothing of Contract",
                        "Facade.history(int) gives sitevisor.client.Call<java.lang.String> for HistoryEntry[]: expected sitevisor.client.Call<" + ROWS + ">",
                        "Facade.restart(boolean): names nothing of Contract",
                        "Facade.runTask(int): names nothing of Contract"),
                disagreements(Contract.class, Facade.class));
    }

    private interface Contract {
        String getState();

        String restart();

        String kill();

        String runTask(String name);

        HistoryEntry[] history(int limit);
    }

    @SuppressWarnings("unused")
    private static final class Facade {
        public Call<String> getState() {
            return null;
        }

        public Call<String> restart(boolean force) {
            return null;
        }

        public Call<String> runTask(int name) {
            return null;
        }

        public Call<String> history(int limit) {
            return null;
        }

        public Call<String> frob() {
            return null;
        }
    }

    /** What is wrong between an MXBean interface and its facade, one line each; empty when they agree. */
    static List<String> disagreements(Class<?> contract, Class<?> facade) {
        Map<String, Method> wanted = bySignature(Arrays.stream(contract.getMethods()).filter(m -> !Modifier.isStatic(m.getModifiers())).toList());
        Map<String, Method> offered = bySignature(callMethods(facade));
        List<String> found = new ArrayList<>();
        wanted.forEach((signature, method) -> {
            Method counterpart = offered.get(signature);
            if (counterpart == null) {
                List<String> namesakes = offered.values().stream().filter(m -> m.getName().equals(method.getName())).map(CallsTest::signature).toList();
                found.add(contract.getSimpleName() + "." + signature + ": the facade has "
                        + (namesakes.isEmpty() ? "no such method" : String.join(", ", namesakes)));
                return;
            }
            String expected = "sitevisor.client.Call<" + readAs(method.getReturnType()) + ">";
            String given = counterpart.getGenericReturnType().getTypeName();
            if (!given.equals(expected)) {
                found.add(facade.getSimpleName() + "." + signature + " gives " + given + " for " + method.getReturnType().getSimpleName()
                        + ": expected " + expected);
            }
        });
        offered.forEach((signature, method) -> {
            if (!wanted.containsKey(signature)) found.add(facade.getSimpleName() + "." + signature + ": names nothing of " + contract.getSimpleName());
        });
        found.sort(Comparator.naturalOrder());
        return found;
    }

    /** The type the client reads an MXBean's type as, from Jolokia's JSON (Call's readers). */
    private static String readAs(Class<?> type) {
        if (type == String.class) return "java.lang.String";
        if (type == long.class) return "java.lang.Long";
        if (type == int.class) return "java.lang.Integer";
        if (type == String[].class) return "java.util.List<java.lang.String>";
        if (type.isArray()) return ROWS;
        return "java.util.Map<java.lang.String, java.lang.Object>";
    }

    /** The facade's public methods that make calls (not its factory). */
    private static List<Method> callMethods(Class<?> facade) {
        return Arrays.stream(facade.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()) && !m.isSynthetic())
                .toList();
    }

    private static Map<String, Method> bySignature(List<Method> methods) {
        return methods.stream().collect(Collectors.toMap(CallsTest::signature, m -> m, (a, b) -> a, LinkedHashMap::new));
    }

    private static String signature(Method method) {
        return method.getName() + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")"));
    }

    /** Each call names its MBean, and the attribute its getter is for or the operation it is named after, with its arguments. */
    private static void assertRequestsFollowNames(Object calls, String mbean) throws Exception {
        List<Method> methods = callMethods(calls.getClass());
        assertFalse(methods.isEmpty());
        for (Method method : methods) {
            Object[] arguments = Arrays.stream(method.getParameterTypes()).map(type -> type == int.class ? (Object) 7 : "x").toArray();
            Call<?> call = (Call<?>) method.invoke(calls, arguments);
            Map<String, Object> request = call.request();
            String name = method.getName();
            boolean attribute = method.getParameterCount() == 0 && name.startsWith("get");
            Map<String, Object> expected = new LinkedHashMap<>();
            expected.put("type", attribute ? "read" : "exec");
            expected.put("mbean", mbean);
            if (attribute) {
                expected.put("attribute", name.substring("get".length()));
            } else {
                expected.put("operation", name);
                if (arguments.length > 0) expected.put("arguments", List.of(arguments));
            }
            assertEquals(expected, request, name);
            assertEquals(attribute ? name.substring("get".length()) : name, call.name(), name);
        }
    }

    /** An answer reads as the MXBean's type says; a refusal reads as the reason alone. */
    @Test
    void answersAreReadAsTheirCallSays() {
        Call<List<Map<String, Object>>> instances = SupervisorCalls.of().getInstances();
        Answer<List<Map<String, Object>>> rows = instances.answer(Map.of("status", 200L,
                "value", List.of(Map.of("site", "blog", "instance", 0L))));
        assertEquals(List.of(Map.of("site", "blog", "instance", 0L)), rows.value());
        assertEquals(List.of("blog", "shop"), SupervisorCalls.of().getSites().answer(Map.of("status", 200L, "value", List.of("blog", "shop"))).value());
        assertEquals(3, SiteCalls.of("blog").getRestarts().answer(Map.of("status", 200L, "value", 3L)).value());
        Answer<String> refused = SiteCalls.of("blog").start().answer(Map.of("status", 500L, "error_type", "java.lang.IllegalStateException",
                "error", "java.lang.IllegalStateException : site 'blog': cannot start: port 8001 is held by pid 4242"));
        assertFalse(refused.ok());
        assertEquals("site 'blog': cannot start: port 8001 is held by pid 4242", refused.error());
        assertEquals("failed (HTTP agent status 404)", SiteCalls.of("blog").stop().answer(Map.of("status", 404L)).error());
        assertNull(SiteCalls.of("blog").stop().answer(Map.of("status", 404L)).valueOr(null));
    }
}
