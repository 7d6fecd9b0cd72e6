package sitevisor.db;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The store's log lines (slf4j-jdk14 routes them to java.util.logging), for tests that count them. */
final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger(History.class.getName());
    private final List<String> lines = new CopyOnWriteArrayList<>();

    LogCapture() {
        logger.addHandler(this);
    }

    /** Formatted messages that start with this verb, e.g. {@code "failing:"}. */
    List<String> startingWith(String verb) {
        return lines.stream().filter(line -> line.startsWith(verb)).toList();
    }

    @Override
    public void publish(LogRecord record) {
        lines.add(getFormatter() == null ? new java.util.logging.SimpleFormatter().formatMessage(record) : getFormatter().formatMessage(record));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
