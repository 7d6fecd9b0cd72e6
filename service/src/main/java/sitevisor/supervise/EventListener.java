package sitevisor.supervise;

/** Receives every lifecycle event, on the thread that caused it: return quickly and never throw. */
@FunctionalInterface
public interface EventListener {
    void onEvent(LifecycleEvent event);
}
