package sitevisor.mbeans;

/**
 * The notification a Site MBean sends when the memory watch saw or did something to one of its
 * instances: a limit crossed, a restart or stop asked for and why, a host emergency.
 */
public final class MemoryNotice {
    /**
     * The notification type. Its user data has the items of {@link StateChange#TYPE}'s, {@code from}
     * and {@code to} both the instance's state, {@code reason} the figures and what was done.
     */
    public static final String TYPE = "sitevisor.site.memory";

    private MemoryNotice() {}
}
