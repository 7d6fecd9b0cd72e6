package sitevisor.daemon;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The daemon's own log: one line per record, {@code 2026-11-22T05:10:00.123Z INFO  ready: blog: …},
 * to stderr and to {@code home/sitevisor.log}, rotated by size. slf4j reaches it through
 * java.util.logging, which the JDK already carries.
 */
final class DaemonLog {
    static final long MAX_BYTES = 10L * 1024 * 1024;
    static final int BACKUPS = 3;

    private DaemonLog() {}

    /** Set (to anything) in the daemon's environment, sitevisor's own debug lines are logged, stack traces of failures among them. */
    static final String DEBUG_VARIABLE = "SITEVISOR_DEBUG";
    private static final Logger SITEVISOR = Logger.getLogger("sitevisor");

    /** Lines to stderr only: for commands that do not own a home. */
    static void toConsole() {
        Logger root = resetRoot();
        ConsoleLines console = new ConsoleLines();
        boolean debug = System.getenv(DEBUG_VARIABLE) != null;
        console.setLevel(debug ? Level.FINE : Level.INFO);
        SITEVISOR.setLevel(debug ? Level.FINE : null);
        root.addHandler(console);
    }

    /** Lines to stderr and to the file. */
    static void toConsoleAndFile(Path file) throws IOException {
        toConsole();
        Logger.getLogger("").addHandler(new RotatingFileHandler(file));
    }

    /** Quartz tells of its own set-up at length; its warnings and errors are what an operator needs. */
    private static final Logger QUARTZ = Logger.getLogger("org.quartz");

    private static Logger resetRoot() {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(Level.INFO);
        QUARTZ.setLevel(Level.WARNING);
        return root;
    }

    static final class LineFormatter extends Formatter {
        @Override
        public String format(LogRecord record) {
            StringBuilder line = new StringBuilder(160);
            line.append(Instant.ofEpochMilli(record.getMillis())).append(' ')
                    .append(levelName(record.getLevel())).append(' ')
                    .append(formatMessage(record)).append('\n');
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(trace);
            }
            return line.toString();
        }

        private static String levelName(Level level) {
            if (level.intValue() >= Level.SEVERE.intValue()) return "ERROR";
            if (level.intValue() >= Level.WARNING.intValue()) return "WARN ";
            if (level.intValue() >= Level.INFO.intValue()) return "INFO ";
            return "DEBUG";
        }
    }

    /**
     * Lines to stderr, each formatted by the thread that logs it and written in one piece. The
     * JDK's ConsoleHandler formats and flushes while it holds its lock: in a stop-all the threads
     * that stopped the sites queued on that lock, and the last sites were signalled late.
     */
    static final class ConsoleLines extends Handler {
        private final PrintStream err = System.err;

        ConsoleLines() {
            setFormatter(new LineFormatter());
        }

        @Override
        public void publish(LogRecord record) {
            if (!isLoggable(record)) return;
            byte[] line = getFormatter().format(record).getBytes(StandardCharsets.UTF_8);
            synchronized (this) {
                err.write(line, 0, line.length);
                err.flush();
            }
        }

        @Override
        public void flush() {
            err.flush();
        }

        @Override
        public void close() {
            // stderr stays open for whoever writes there next
            flush();
        }
    }

    /**
     * Appends to the file and renames it to {@code .1}, {@code .2}, … once it passes {@link #MAX_BYTES}.
     * A line is formatted before the lock is taken, for the same reason as {@link ConsoleLines}.
     */
    static final class RotatingFileHandler extends Handler {
        private final Path file;
        private OutputStream out;
        private long sizeBytes;

        RotatingFileHandler(Path file) throws IOException {
            this.file = file;
            setFormatter(new LineFormatter());
            open();
        }

        private void open() throws IOException {
            Files.createDirectories(file.getParent());
            out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            sizeBytes = Files.size(file);
        }

        @Override
        public void publish(LogRecord record) {
            if (!isLoggable(record)) return;
            byte[] line = getFormatter().format(record).getBytes(StandardCharsets.UTF_8);
            synchronized (this) {
                try {
                    if (sizeBytes + line.length > MAX_BYTES && sizeBytes > 0) rotate();
                    out.write(line);
                    out.flush();
                    sizeBytes += line.length;
                } catch (IOException e) {
                    reportError("cannot write " + file + ": " + e.getMessage(), e, java.util.logging.ErrorManager.WRITE_FAILURE);
                }
            }
        }

        private void rotate() throws IOException {
            out.close();
            for (int i = BACKUPS - 1; i >= 1; i--) {
                Path from = file.resolveSibling(file.getFileName() + "." + i);
                if (Files.exists(from)) Files.move(from, file.resolveSibling(file.getFileName() + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
            open();
        }

        @Override
        public synchronized void flush() {
            try {
                out.flush();
            } catch (IOException ignored) {
                // reported on the next write
            }
        }

        @Override
        public synchronized void close() {
            try {
                out.close();
            } catch (IOException ignored) {
                // nothing left to tell
            }
        }
    }
}
