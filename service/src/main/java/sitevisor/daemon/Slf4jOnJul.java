package sitevisor.daemon;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.LogRecord;

/**
 * slf4j onto java.util.logging, where {@link DaemonLog} writes every line, without finding out
 * who called. slf4j-jdk14 makes a Throwable and its whole stack trace for each line to name the
 * calling class and method, which no line of the daemon shows. That makes every line several times
 * dearer, and the lines come when time counts: two a site in a start or a stop of all of them, and
 * a crash logs its own on the way to the restart.
 * Found by slf4j through {@code META-INF/services}.
 */
public final class Slf4jOnJul implements SLF4JServiceProvider {
    private ILoggerFactory loggers;
    private IMarkerFactory markers;
    private MDCAdapter mdc;

    @Override
    public void initialize() {
        Map<String, Logger> made = new ConcurrentHashMap<>();
        loggers = name -> made.computeIfAbsent(name, JulLogger::new);
        markers = new BasicMarkerFactory();
        mdc = new BasicMDCAdapter();
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    /** One java.util.logging logger of the same name; slf4j's levels mapped as slf4j-jdk14 maps them. */
    static final class JulLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        private final transient java.util.logging.Logger jul;

        JulLogger(String name) {
            this.name = name;
            this.jul = java.util.logging.Logger.getLogger(name);
        }

        private boolean enabled(Level level) {
            return jul.isLoggable(julLevel(level));
        }

        private static java.util.logging.Level julLevel(Level level) {
            return switch (level) {
                case TRACE -> java.util.logging.Level.FINEST;
                case DEBUG -> java.util.logging.Level.FINE;
                case INFO -> java.util.logging.Level.INFO;
                case WARN -> java.util.logging.Level.WARNING;
                case ERROR -> java.util.logging.Level.SEVERE;
            };
        }

        @Override
        public boolean isTraceEnabled() {
            return enabled(Level.TRACE);
        }

        @Override
        public boolean isDebugEnabled() {
            return enabled(Level.DEBUG);
        }

        @Override
        public boolean isInfoEnabled() {
            return enabled(Level.INFO);
        }

        @Override
        public boolean isWarnEnabled() {
            return enabled(Level.WARN);
        }

        @Override
        public boolean isErrorEnabled() {
            return enabled(Level.ERROR);
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern, Object[] arguments, Throwable throwable) {
            LogRecord record = new LogRecord(julLevel(level), MessageFormatter.basicArrayFormat(messagePattern, arguments));
            record.setLoggerName(name);
            // named, so that no formatter makes java.util.logging walk the stack for the caller either
            record.setSourceClassName(name);
            record.setSourceMethodName(null);
            record.setThrown(throwable);
            jul.log(record);
        }
    }
}
