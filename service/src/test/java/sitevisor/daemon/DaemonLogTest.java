package sitevisor.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DaemonLogTest {
    @TempDir
    Path dir;

    /** Formats "slow" only once the test lets it, as a line formatted on a busy machine by cold code. */
    private static final class HeldFormatter extends Formatter {
        final CountDownLatch formatting = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String format(LogRecord record) {
            if (record.getMessage().equals("slow")) {
                formatting.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return record.getMessage() + "\n";
        }
    }

    /** While one thread formats a line, another's line is written: a stop-all's hundreds of threads each log a line. */
    private static void aSlowLineHoldsUpNoOther(Handler handler) throws Exception {
        HeldFormatter formatter = new HeldFormatter();
        handler.setFormatter(formatter);
        CompletableFuture<Void> slow = CompletableFuture.runAsync(() -> handler.publish(new LogRecord(Level.INFO, "slow")));
        try {
            assertTrue(formatter.formatting.await(10, TimeUnit.SECONDS), "the slow line was never formatted");
            CompletableFuture<Void> quick = CompletableFuture.runAsync(() -> handler.publish(new LogRecord(Level.INFO, "quick")));
            quick.get(10, TimeUnit.SECONDS);
        } finally {
            formatter.release.countDown();
        }
        slow.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aLineToStderrIsFormattedOutsideTheLock() throws Exception {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            DaemonLog.ConsoleLines console = new DaemonLog.ConsoleLines();
            aSlowLineHoldsUpNoOther(console);
        } finally {
            System.setErr(stderr);
        }
        assertEquals("quick\nslow\n", captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aLineToTheFileIsFormattedOutsideTheLock() throws Exception {
        Path file = dir.resolve("sitevisor.log");
        DaemonLog.RotatingFileHandler handler = new DaemonLog.RotatingFileHandler(file);
        try {
            aSlowLineHoldsUpNoOther(handler);
        } finally {
            handler.close();
        }
        assertEquals("quick\nslow\n", Files.readString(file));
    }
}
