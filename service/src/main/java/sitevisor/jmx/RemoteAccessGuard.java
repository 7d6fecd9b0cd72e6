package sitevisor.jmx;

import sitevisor.mbeans.ObjectNames;

import javax.management.MBeanServer;
import javax.management.ObjectInstance;
import javax.management.ObjectName;
import javax.management.remote.MBeanServerForwarder;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a remote JMX client may do, deny by default: anything with sitevisor's own MBeans; read
 * {@code java.lang} (memory, threads, runtime) and listen to the MBean server's delegate; nothing
 * else. No MBean can be created, registered or unregistered (an MLet would load code from
 * anywhere), and no other MBean can be written to or invoked — DiagnosticCommand, HotSpot's heap
 * dump and the logging MBeans among them.
 */
final class RemoteAccessGuard implements InvocationHandler {
    private static final Set<String> READ_ONLY_DOMAINS = Set.of("java.lang", "JMImplementation");
    // the connector itself asks for class loaders to read a request's parameters; no client can call those
    private static final Set<String> NEVER = Set.of("createMBean", "registerMBean", "unregisterMBean", "instantiate", "deserialize");
    private static final Set<String> READS = Set.of("getAttribute", "getAttributes", "getMBeanInfo", "isInstanceOf",
            "getObjectInstance", "addNotificationListener", "removeNotificationListener", "getClassLoaderFor");

    private MBeanServer target;

    static MBeanServerForwarder create() {
        return (MBeanServerForwarder) Proxy.newProxyInstance(MBeanServerForwarder.class.getClassLoader(),
                new Class<?>[]{MBeanServerForwarder.class}, new RemoteAccessGuard());
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (name.equals("getMBeanServer")) return target;
        if (name.equals("setMBeanServer")) {
            target = (MBeanServer) args[0];
            return null;
        }
        if (NEVER.contains(name)) throw new SecurityException("refused: " + name + " is not allowed over remote JMX");
        if (args != null && args.length > 0 && args[0] instanceof ObjectName objectName) {
            boolean ours = ObjectNames.DOMAIN.equals(objectName.getDomain());
            boolean readable = READ_ONLY_DOMAINS.contains(objectName.getDomain()) && READS.contains(name);
            if (!ours && !readable) throw new SecurityException("refused: " + name + " on " + objectName + " is not allowed over remote JMX");
        }
        Object result;
        try {
            result = method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        // the names of MBeans a client may not touch are none of its business either
        if (name.equals("queryNames")) {
            return ((Set<?>) result).stream().map(ObjectName.class::cast).filter(RemoteAccessGuard::visible).collect(Collectors.toSet());
        }
        if (name.equals("queryMBeans")) {
            return ((Set<?>) result).stream().map(ObjectInstance.class::cast).filter(i -> visible(i.getObjectName())).collect(Collectors.toSet());
        }
        if (name.equals("getDomains")) {
            return java.util.Arrays.stream((String[]) result).filter(d -> d.equals(ObjectNames.DOMAIN) || READ_ONLY_DOMAINS.contains(d)).toArray(String[]::new);
        }
        return result;
    }

    private static boolean visible(ObjectName name) {
        return ObjectNames.DOMAIN.equals(name.getDomain()) || READ_ONLY_DOMAINS.contains(name.getDomain());
    }
}
