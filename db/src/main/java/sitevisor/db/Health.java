package sitevisor.db;

import java.nio.file.Path;
import java.time.Instant;

/**
 * The history store as an operator needs to see it.
 *
 * @param queuedEvents       events appended and not yet committed
 * @param droppedEvents      events dropped since the store opened because the queue was full (or appended after close)
 * @param lastWriteError     the last error writing to the database, "" when there was none; kept after writing
 *                           works again, so an operator can see what happened
 * @param movedAsideTo       where a database that could not be opened was moved at start-up, null when none was
 * @param failingSinceMillis UTC epoch ms of the first failed write of the failure going on now, 0 while writes succeed
 */
public record Health(int queuedEvents, long droppedEvents, String lastWriteError, Path movedAsideTo, long failingSinceMillis) {

    /** Whether writes are failing right now. */
    public boolean failing() {
        return failingSinceMillis != 0;
    }

    /** One line for a log or an MBean attribute. */
    @Override
    public String toString() {
        StringBuilder line = new StringBuilder(failing() ? "failing since " + Instant.ofEpochMilli(failingSinceMillis) : "writing");
        line.append(", ").append(queuedEvents).append(" queued, ").append(droppedEvents).append(" dropped");
        if (!lastWriteError.isEmpty()) line.append(", last write error: ").append(lastWriteError);
        if (movedAsideTo != null) line.append(", a database that could not be opened was moved to ").append(movedAsideTo);
        return line.toString();
    }
}
