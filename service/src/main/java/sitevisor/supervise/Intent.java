package sitevisor.supervise;

/**
 * What an instance is meant to do, as the requests made of it say: run, stay down, or leave
 * service for good because a reload removed or replaced its site. One value, where a start, a
 * stop and a reload used to set two flags; a retirement is never undone.
 */
sealed interface Intent permits Intent.Run, Intent.StayDown, Intent.Retired {
    Intent RUN = new Run();
    Intent STAY_DOWN = new StayDown();

    /** Started and not stopped since, also when it gave up or exited on its own: the restart policy applies. */
    record Run() implements Intent {}

    /** Stopped, killed, or never started. */
    record StayDown() implements Intent {}

    /** Out of service; every later operation is refused with {@code why}. */
    record Retired(String why) implements Intent {}
}
