package sitevisor.scheduler;

import sitevisor.mbeans.Actor;
import sitevisor.mbeans.SiteState;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** What the scheduler needs of the daemon's sites; the supervisor implements it. */
public interface SiteLifecycle {

    /** The site's state: its instances' common state, or the least settled one among several. Null for a site the daemon does not run. */
    SiteState state(String site);

    /**
     * The maintenance restart: a drain of the site's tasks bounded by {@code drainTimeout}, a
     * graceful stop, a start, and the wait until it is ready. Blocks until done.
     *
     * @param by the window that asked, recorded on every row of the restart
     * @return what happened, in words
     * @throws IllegalStateException when it was refused; the message says what state blocked it
     */
    String restartForMaintenance(String site, Duration drainTimeout, Actor by);

    /**
     * Starts a task's program in the site's directory and environment, in a process group of its
     * own, its output into the site's log.
     *
     * @throws IOException when it cannot be started; the message says why
     */
    TaskProcess launch(String site, String task, List<String> command) throws IOException;
}
