package sitevisor.security;

import org.jolokia.server.core.config.Configuration;
import org.jolokia.server.core.service.api.Restrictor;
import org.jolokia.server.core.util.HttpMethod;
import org.jolokia.server.core.util.RequestType;
import sitevisor.config.Config;
import sitevisor.config.Origins;
import sitevisor.mbeans.ObjectNames;

import javax.management.ObjectName;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What an HTTP client may do, deny by default and written in code, so that no missing or
 * unreadable policy file can fall back to allowing everything: read, list and run sitevisor's
 * own MBeans; read {@code java.lang}; nothing else. No writes anywhere (our MBeans have no
 * writable attributes), no operation on an ObjectName pattern (one request must not stop every
 * site), no config or notification requests, and browser origins only as listed in
 * {@code jolokia.origins}. {@link AgentDoor} refuses what a browser could forge before a request
 * gets here; this is the policy Jolokia itself applies to each request.
 */
public final class SitevisorRestrictor implements Restrictor {
    private static final Set<RequestType> TYPES = EnumSet.of(RequestType.READ, RequestType.EXEC, RequestType.LIST,
            RequestType.SEARCH, RequestType.VERSION);
    private static final String READ_ONLY_DOMAIN = "java.lang";
    // Jolokia makes its restrictor itself, from a class name, while the agent is constructed
    private static final ThreadLocal<Supplier<Config.HttpAccess>> HANDED_OVER = new ThreadLocal<>();

    private final Supplier<Config.HttpAccess> access;

    /** Jolokia instantiates a restrictor class with its configuration when it has such a constructor. */
    public SitevisorRestrictor(Configuration configuration) {
        Supplier<Config.HttpAccess> handed = HANDED_OVER.get();
        if (handed == null) throw new IllegalStateException("the restrictor is made by HttpAgent, which hands it the browser origins");
        this.access = handed;
    }

    /** Runs {@code construction}, during which Jolokia makes a restrictor that reads {@code access}. */
    public static <T, E extends Exception> T handingOver(Supplier<Config.HttpAccess> access, Construction<T, E> construction) throws E {
        HANDED_OVER.set(access);
        try {
            return construction.run();
        } finally {
            HANDED_OVER.remove();
        }
    }

    @FunctionalInterface
    public interface Construction<T, E extends Exception> {
        T run() throws E;
    }

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

    /**
     * Jolokia asks with a request's {@code Origin}, or its {@code Referer} when there is none:
     * curl and the sitevisor client send neither; a browser console's origin must be listed.
     */
    @Override
    public boolean isOriginAllowed(String origin, boolean onlyWhenStrictCheckingIsEnabled) {
        if (origin == null || origin.isEmpty()) return true;
        return Origins.ofUrl(origin).map(access.get().origins()::contains).orElse(false);
    }

    /**
     * An https console the operator listed is served: its own server ends TLS and forwards to this
     * agent, which listens on loopback unless told otherwise; Jolokia would refuse it over http.
     */
    @Override
    public boolean ignoreScheme() {
        return true;
    }

    @Override
    public boolean isObjectNameHidden(ObjectName name) {
        return !ours(name) && !READ_ONLY_DOMAIN.equals(name.getDomain());
    }

    private static boolean ours(ObjectName name) {
        return ObjectNames.DOMAIN.equals(name.getDomain());
    }
}
