package sitevisor.http;

import org.jolokia.server.core.config.Configuration;
import org.jolokia.server.core.service.api.Restrictor;
import org.jolokia.server.core.util.HttpMethod;
import org.jolokia.server.core.util.RequestType;
import sitevisor.mbeans.ObjectNames;

import javax.management.ObjectName;
import java.util.EnumSet;
import java.util.Set;

/**
 * What an HTTP client may do, deny by default and written in code, so that no missing or
 * unreadable policy file can fall back to allowing everything: read, list and run sitevisor's
 * own MBeans; read {@code java.lang}; nothing else. No writes anywhere (our MBeans have no
 * writable attributes), no operation on an ObjectName pattern (one request must not stop every
 * site), no config or notification requests, and no browser origins.
 */
public final class SitevisorRestrictor implements Restrictor {
    private static final Set<RequestType> TYPES = EnumSet.of(RequestType.READ, RequestType.EXEC, RequestType.LIST,
            RequestType.SEARCH, RequestType.VERSION);
    private static final String READ_ONLY_DOMAIN = "java.lang";

    public SitevisorRestrictor() {}

    /** Jolokia instantiates a restrictor class with its configuration when it has such a constructor. */
    public SitevisorRestrictor(Configuration configuration) {}

    @Override
    public boolean isHttpMethodAllowed(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.POST;
    }

    @Override
    public boolean isTypeAllowed(RequestType type) {
        return TYPES.contains(type);
    }

    @Override
    public boolean isAttributeReadAllowed(ObjectName name, String attribute) {
        return ours(name) || READ_ONLY_DOMAIN.equals(name.getDomain());
    }

    @Override
    public boolean isAttributeWriteAllowed(ObjectName name, String attribute) {
        return false;
    }

    @Override
    public boolean isOperationAllowed(ObjectName name, String operation) {
        return ours(name) && !name.isPattern();
    }

    @Override
    public boolean isRemoteAccessAllowed(String... hostOrAddress) {
        // the agent listens where the config says (loopback by default); the password guards the rest
        return true;
    }

    @Override
    public boolean isOriginAllowed(String origin, boolean onlyWhenStrictCheckingIsEnabled) {
        // curl and the sitevisor client send no Origin; a web page's request carries one and is refused
        return origin == null || origin.isEmpty();
    }

    @Override
    public boolean isObjectNameHidden(ObjectName name) {
        return !ours(name) && !READ_ONLY_DOMAIN.equals(name.getDomain());
    }

    private static boolean ours(ObjectName name) {
        return ObjectNames.DOMAIN.equals(name.getDomain());
    }
}
