package sitevisor.daemon;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.*;

/** slf4j's lines as the daemon's code and its libraries log them, arriving in java.util.logging. */
class Slf4jOnJulTest {
    private static final String NAME = "sitevisor.test.Slf4jOnJulTest";
    private final Logger jul = Logger.getLogger(NAME);
    private final List<LogRecord> published = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            published.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void listen() {
        jul.setLevel(Level.INFO);
        jul.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        jul.removeHandler(capture);
        jul.setLevel(null);
    }

    @Test
    void slf4jFindsThisProviderAndNotAnother() {
        assertInstanceOf(Slf4jOnJul.JulLogger.class, LoggerFactory.getLogger(NAME));
    }

    @Test
    void aLineArrivesFormattedWithItsLevelAndItsThrowableAndNoCallerLookedFor() {
        IllegalStateException failure = new IllegalStateException("disk full");
        LoggerFactory.getLogger(NAME).warn("failing: {} after {} ms", "history", 12, failure);

        assertEquals(1, published.size());
        LogRecord record = published.get(0);
        assertEquals("failing: history after 12 ms", record.getMessage());
        assertEquals(Level.WARNING, record.getLevel());
        assertSame(failure, record.getThrown());
        assertEquals(NAME, record.getLoggerName());
        // the caller is not looked for: the logger's name stands in for it (slf4j-jdk14 named this class and method)
        assertEquals(NAME, record.getSourceClassName());
        assertNull(record.getSourceMethodName());
    }

    @Test
    void levelsBelowTheLoggersAreNeitherFormattedNorPublished() {
        org.slf4j.Logger log = LoggerFactory.getLogger(NAME);
        log.debug("hidden {}", "debug");
        log.trace("hidden");
        log.error("shown");

        assertFalse(log.isDebugEnabled());
        assertTrue(log.isErrorEnabled());
        assertEquals(List.of("shown"), published.stream().map(LogRecord::getMessage).toList());
        assertEquals(Level.SEVERE, published.get(0).getLevel());
    }
}
