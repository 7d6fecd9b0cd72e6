package sitevisor.jmx;

import sitevisor.mbeans.Description;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.NotificationBroadcasterSupport;
import javax.management.StandardEmitterMBean;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An MXBean whose attributes, operations and parameters carry the descriptions and names written
 * on its interface, so JConsole shows "Stops every instance gracefully…" and {@code count}
 * instead of empty text and {@code p0}.
 */
final class DescribedMBean<T> extends StandardEmitterMBean {
    /**
     * One MBeanInfo for every bean of the same kind: built per bean, every Site MBean of a large
     * config held its own copy, operation infos and descriptors and all, and built it by
     * reflection, site after site, during start-up.
     */
    private static final Map<InfoKey, MBeanInfo> SHARED_INFO = new ConcurrentHashMap<>();

    /** What the MBeanInfo is made from: the contract, the implementation's class and the notifications. */
    private record InfoKey(Class<?> contract, Class<?> implementation, List<MBeanNotificationInfo> notifications) {}

    private final Class<T> contract;
    private final InfoKey infoKey;

    DescribedMBean(T implementation, Class<T> contract, NotificationBroadcasterSupport emitter) {
        super(implementation, contract, true, emitter);
        this.contract = contract;
        this.infoKey = new InfoKey(contract, implementation.getClass(), List.of(emitter.getNotificationInfo()));
    }

    @Override
    protected MBeanInfo getCachedMBeanInfo() {
        return SHARED_INFO.get(infoKey);
    }

    @Override
    protected void cacheMBeanInfo(MBeanInfo info) {
        if (info != null) SHARED_INFO.putIfAbsent(infoKey, info);
    }

    @Override
    protected String getDescription(MBeanInfo info) {
        return describe(contract.getAnnotation(Description.class), info.getDescription());
    }

    @Override
    protected String getDescription(MBeanAttributeInfo info) {
        return getter(info.getName()).map(m -> describe(m.getAnnotation(Description.class), info.getDescription())).orElse(info.getDescription());
    }

    @Override
    protected String getDescription(MBeanOperationInfo info) {
        return operation(info).map(m -> describe(m.getAnnotation(Description.class), info.getDescription())).orElse(info.getDescription());
    }

    @Override
    protected String getParameterName(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        return parameter(op, sequence).filter(Parameter::isNamePresent).map(Parameter::getName).orElse(param.getName());
    }

    @Override
    protected String getDescription(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        return parameter(op, sequence).map(p -> describe(p.getAnnotation(Description.class), param.getDescription())).orElse(param.getDescription());
    }

    private Optional<Method> getter(String attribute) {
        return Arrays.stream(contract.getMethods())
                .filter(m -> m.getParameterCount() == 0 && (m.getName().equals("get" + attribute) || m.getName().equals("is" + attribute)))
                .findFirst();
    }

    private Optional<Method> operation(MBeanOperationInfo info) {
        return Arrays.stream(contract.getMethods())
                .filter(m -> m.getName().equals(info.getName()) && m.getParameterCount() == info.getSignature().length)
                .findFirst();
    }

    private Optional<Parameter> parameter(MBeanOperationInfo op, int sequence) {
        return operation(op).map(m -> m.getParameters()[sequence]);
    }

    private static String describe(Description description, String fallback) {
        return description == null ? fallback : description.value();
    }
}
