package sitevisor.supervise;

/**
 * Receives every lifecycle event, on the thread that caused it: return quickly and never throw. A
 * listener that must hold the operation up (until the event is durable, say) leaves that wait in
 * {@link LifecycleEvent#waits()} rather than blocking here.
 */
@FunctionalInterface
public interface EventListener {
    void onEvent(LifecycleEvent event);
}
