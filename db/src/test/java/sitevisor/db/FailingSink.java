package sitevisor.db;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** The writer's sink made to fail the way a full or hanging disk does, for as long as the test says. */
final class FailingSink implements EventSink {
    enum Mode {
        /** writes through */
        WORKING,
        /** fails before writing, like a full disk */
        FAILING,
        /** writes, then fails once as if the acknowledgement was lost; WORKING after */
        FAILING_ONCE_AFTER_WRITE,
        /** blocks until {@link #release()}, then writes */
        HANGING
    }

    private final EventSink real;
    private final CountDownLatch released = new CountDownLatch(1);
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicInteger stuck = new AtomicInteger();
    volatile Mode mode = Mode.WORKING;
    /** Runs on the writer thread between the write and the failure of FAILING_ONCE_AFTER_WRITE. */
    volatile Runnable betweenWriteAndFailure = () -> {};

    FailingSink(EventSink real) {
        this.real = real;
    }

    void release() {
        released.countDown();
    }

    @Override
    public void write(List<HistoryEvent> events) throws SQLException {
        attempts.incrementAndGet();
        switch (mode) {
            case FAILING -> throw new SQLException("IO Exception: No space left on device [90028-232]", "90028", 90028);
            case FAILING_ONCE_AFTER_WRITE -> {
                real.write(events);
                mode = Mode.WORKING;
                betweenWriteAndFailure.run();
                throw new SQLException("IO Exception: connection lost after the commit [90028-232]", "90028", 90028);
            }
            case HANGING -> {
                stuck.incrementAndGet();
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted");
                }
                real.write(events);
            }
            case WORKING -> real.write(events);
        }
    }

    @Override
    public void close() {
        release();
        real.close();
    }
}
