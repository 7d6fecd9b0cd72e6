package sitevisor.jmx;

import sitevisor.scheduler.QuartzSchedule;

/**
 * The task scheduler as the MBeans reach it. The daemon opens Quartz only once something is
 * scheduled: until then a read finds no task and no window, and an operation on tasks or windows
 * opens it.
 */
public interface SchedulerAccess {
    /** For a registry without tasks and windows: reads find none, operations are refused. */
    SchedulerAccess NONE = new SchedulerAccess() {
        @Override
        public QuartzSchedule ifOpen() {
            return null;
        }

        @Override
        public QuartzSchedule open() {
            throw new IllegalStateException("this daemon runs no scheduler");
        }
    };

    /** The scheduler when it is open, else null: nothing is scheduled. */
    QuartzSchedule ifOpen();

    /**
     * The scheduler, opened now when it was not.
     *
     * @throws IllegalStateException when it cannot open, with the reason
     */
    QuartzSchedule open();
}
