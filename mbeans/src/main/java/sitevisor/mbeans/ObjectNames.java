package sitevisor.mbeans;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/** The one place that builds sitevisor's JMX names. Site names are checked when the config loads, so they need no quoting. */
public final class ObjectNames {
    public static final String DOMAIN = "sitevisor";
    /** {@code sitevisor:type=Supervisor}: the daemon as a whole. */
    public static final ObjectName SUPERVISOR = parse(DOMAIN + ":type=Supervisor");
    /** {@code sitevisor:type=Site,name=*}: every site. */
    public static final ObjectName ALL_SITES = parse(DOMAIN + ":type=Site,name=*");

    private ObjectNames() {}

    /** {@code sitevisor:type=Site,name=blog}. */
    public static ObjectName site(String name) {
        return parse(DOMAIN + ":type=Site,name=" + name);
    }

    private static ObjectName parse(String name) {
        try {
            return new ObjectName(name);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("not a JMX name: " + name, e);
        }
    }
}
