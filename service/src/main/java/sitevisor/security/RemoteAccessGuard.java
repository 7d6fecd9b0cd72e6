package sitevisor.security;

import sitevisor.mbeans.ObjectNames;

import javax.management.InstanceNotFoundException;
import javax.management.MBeanServer;
import javax.management.ObjectInstance;
import javax.management.ObjectName;
import javax.management.QueryExp;
import javax.management.remote.MBeanServerForwarder;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a remote JMX client may do, deny by default, written for what JConsole and VisualVM call
 * to show a JVM (read from JConsole's own classes and watched over the wire):
 * <ul>
 * <li>sitevisor's own MBeans: everything;</li>
 * <li>{@code java.lang} (with the {@code com.sun.management} attributes of its MXBeans) and the
 *     MBean server's delegate: reading, listening, and the read-only operations of
 *     {@code java.lang:type=Threading} (thread info, dumps of thread stacks, deadlock detection,
 *     per-thread CPU time and allocation);</li>
 * <li>nothing else: no write, no other operation ({@code Memory.gc}, thresholds and peaks stay as
 *     they are), no MBean created, registered or unregistered (an MLet would load code from
 *     anywhere), and every other MBean (DiagnosticCommand, HotSpotDiagnostic's heap dump, Flight
 *     Recorder, logging) is absent: queries leave it out and a call naming it finds nothing.</li>
 * </ul>
 * A refusal on a visible MBean is a {@link SecurityException}: JConsole shows it and stays
 * connected, where a checked exception would make it disconnect.
 */
public final class RemoteAccessGuard implements InvocationHandler {
    private static final Set<String> READ_ONLY_DOMAINS = Set.of("java.lang", "JMImplementation");
    private static final ObjectName THREADING = name(ManagementFactory.THREAD_MXBEAN_NAME);
    /** Every operation of the JDK 17 ThreadMXBean but {@code resetPeakThreadCount}, the one that changes something. */
    private static final Set<String> THREADING_READS = Set.of("getThreadInfo", "dumpAllThreads", "findDeadlockedThreads",
            "findMonitorDeadlockedThreads", "getThreadCpuTime", "getThreadUserTime", "getThreadAllocatedBytes");
    // the connector itself asks for class loaders to read a request's parameters; no client can call those
    private static final Set<String> NEVER = Set.of("createMBean", "registerMBean", "unregisterMBean", "instantiate", "deserialize",
            "getClassLoader");
    private static final Set<String> READS = Set.of("getAttribute", "getAttributes", "getMBeanInfo", "isInstanceOf", "isRegistered",
            "getObjectInstance", "addNotificationListener", "removeNotificationListener", "getClassLoaderFor");
    /** Calls that name no MBean, answered with what the client may see. */
    private static final Set<String> UNNAMED = Set.of("queryNames", "queryMBeans", "getDomains", "getMBeanCount", "getDefaultDomain",
            "getClassLoaderRepository");
    // the connector's own query when a client first listens: it looks for broadcasters, among the visible names
    private static final String CONNECTOR_QUERIES = "com.sun.jmx.remote.internal.";

    private final Refusals refusals;
    private MBeanServer target;

    private RemoteAccessGuard(Refusals refusals) {
        this.refusals = refusals;
    }

    /** A guard that logs what it refuses, with who asked, through {@code refusals}. */
    public static MBeanServerForwarder create(Refusals refusals) {
        return (MBeanServerForwarder) Proxy.newProxyInstance(MBeanServerForwarder.class.getClassLoader(),
                new Class<?>[]{MBeanServerForwarder.class}, new RemoteAccessGuard(refusals));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (method.getDeclaringClass() == Object.class) {
            // the connector keeps the server in hash maps, as the notification buffer's key
            return switch (name) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "RemoteAccessGuard in front of " + target;
            };
        }
        if (name.equals("getMBeanServer")) return target;
        if (name.equals("setMBeanServer")) {
            target = (MBeanServer) args[0];
            return null;
        }
        if (NEVER.contains(name)) throw refused(name, name + " is not allowed over remote JMX");
        if (UNNAMED.contains(name)) return unnamed(method, args);
        if (args == null || args.length == 0 || !(args[0] instanceof ObjectName objectName)) {
            throw refused(name, name + " is not allowed over remote JMX");
        }
        if (name.endsWith("NotificationListener") && args.length > 1 && args[1] instanceof ObjectName) {
            // an MBean named as the listener would be called by the server itself, on no client's behalf
            throw refused(name, "an MBean as notification listener is not allowed over remote JMX");
        }
        if (!visible(objectName)) {
            // absent, as queries show it: a SecurityException here breaks VisualVM's probe for HotSpotDiagnostic
            if (name.equals("isRegistered")) return false;
            throw new InstanceNotFoundException(objectName.toString());
        }
        if (!ours(objectName) && !readable(name, objectName, args)) {
            throw refused(describe(name, objectName, args), describe(name, objectName, args) + " is not allowed over remote JMX: "
                    + objectName.getDomain() + " is read-only");
        }
        return call(method, args);
    }

    /** What a visible MBean outside our domain allows: reading and listening, and Threading's reads. */
    private static boolean readable(String name, ObjectName objectName, Object[] args) {
        if (name.equals("invoke")) return objectName.equals(THREADING) && THREADING_READS.contains((String) args[1]);
        return READS.contains(name);
    }

    private Object unnamed(Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if ((name.equals("queryNames") || name.equals("queryMBeans")) && args[1] != null
                && !((QueryExp) args[1]).getClass().getName().startsWith(CONNECTOR_QUERIES)) {
            // a query is evaluated on every MBean, hidden ones included, so it could read what the client may not
            throw refused(name + " with a query", name + " with a query expression is not allowed over remote JMX; query by name");
        }
        Object result = call(method, args);
        return switch (name) {
            case "queryNames" -> ((Set<?>) result).stream().map(ObjectName.class::cast).filter(RemoteAccessGuard::visible).collect(Collectors.toSet());
            case "queryMBeans" -> ((Set<?>) result).stream().map(ObjectInstance.class::cast).filter(i -> visible(i.getObjectName())).collect(Collectors.toSet());
            case "getDomains" -> Arrays.stream((String[]) result).filter(RemoteAccessGuard::visibleDomain).toArray(String[]::new);
            case "getMBeanCount" -> (int) target.queryNames(null, null).stream().filter(RemoteAccessGuard::visible).count();
            default -> result;
        };
    }

    /** The exception a refused call ends in, logged with who asked. */
    private SecurityException refused(String kind, String why) {
        refusals.refused("jmx " + kind, "remote JMX, " + Callers.current() + ": " + why);
        return new SecurityException("refused: " + why);
    }

    private Object call(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static String describe(String name, ObjectName objectName, Object[] args) {
        if (name.equals("invoke")) return "operation " + args[1] + " of " + objectName;
        if (name.equals("setAttribute") || name.equals("setAttributes")) return "writing " + objectName;
        return name + " on " + objectName;
    }

    private static boolean ours(ObjectName name) {
        return ObjectNames.DOMAIN.equals(name.getDomain());
    }

    private static boolean visible(ObjectName name) {
        return visibleDomain(name.getDomain());
    }

    private static boolean visibleDomain(String domain) {
        return ObjectNames.DOMAIN.equals(domain) || READ_ONLY_DOMAINS.contains(domain);
    }

    private static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
