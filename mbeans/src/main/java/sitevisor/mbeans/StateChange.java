package sitevisor.mbeans;

/** The notification every Site MBean sends on each state change of one of its instances. */
public final class StateChange {
    /**
     * The notification type. Its user data is a CompositeData with the items {@code site},
     * {@code instance}, {@code pid}, {@code from}, {@code to}, {@code reason}, {@code actor},
     * {@code exitCode}, {@code signal} and {@code timeMillis}.
     */
    public static final String TYPE = "sitevisor.site.state";

    private StateChange() {}
}
