package sitevisor.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The lines one logger of the daemon writes while a test runs, as java.util.logging receives them from slf4j. */
public final class LogLines implements AutoCloseable {
    private final Logger logger;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record.getLevel() + " " + record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    public LogLines(Class<?> loggerOf) {
        logger = Logger.getLogger(loggerOf.getName());
        logger.addHandler(capture);
    }

    /** Every line so far, each as its level and its message. */
    public List<String> all() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        logger.removeHandler(capture);
    }
}
