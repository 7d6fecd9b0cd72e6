package sitevisor.scheduler;

/** Hears of every {@link SchedulerEvent}; the daemon records them. Called on the scheduler's threads: must not block for long. */
@FunctionalInterface
public interface SchedulerEvents {
    void onEvent(SchedulerEvent event);
}
