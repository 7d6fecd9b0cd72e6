package sitevisor.supervise;

/**
 * Hears of the sites a supervisor has and of those a reload adds or removes, so an adapter (the
 * JMX registry) can follow without the supervisor knowing of it. Called on the reload's thread,
 * never during another call to the same listener.
 */
public interface SitesListener {
    /** The site is configured: before a reload starts any of its instances. */
    default void siteAdded(String site) {
    }

    /** The site is gone from the config: after a reload has stopped its instances. */
    default void siteRemoved(String site) {
    }

    /** A reload applied this config: every site of it is added, changed or left as it was, and started as it should be. */
    default void configApplied(sitevisor.config.Config config) {
    }
}
