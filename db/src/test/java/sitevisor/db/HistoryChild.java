package sitevisor.db;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The other process of the durability and lock tests (not a test itself).
 * <ul>
 * <li>{@code append DIR ROUND THREADS}: appends events from THREADS threads in a loop, each waiting for
 *     its commit, and prints {@code acked <reason>;} for each once {@code awaitCommitted} returned true.
 * <li>{@code open DIR}: tries to open the history and prints {@code opened <file>} or {@code refused: <message>}.
 * </ul>
 */
public final class HistoryChild {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        switch (args[0]) {
            case "append" -> append(dir, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "open" -> open(dir);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void append(Path dir, int round, int threads) throws Exception {
        History history = History.open(dir, Retention.DEFAULT, Clock.systemUTC());
        System.out.println("opened");
        System.out.flush();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread appender = new Thread(() -> {
                for (long n = 0; ; n++) {
                    String reason = "round " + round + " thread " + thread + " event " + n;
                    long sequence = history.append(new HistoryEvent(0, System.currentTimeMillis(), "site" + thread, thread, 4242,
                            "TRANSITION", "RUNNING", "EXITED", 1, 0, reason, "child", 12, ""));
                    if (!history.awaitCommitted(sequence, Duration.ofSeconds(30))) throw new IllegalStateException("not committed: " + reason);
                    // println is synchronised: each line comes out whole, and ';' marks it complete
                    System.out.println("acked " + reason + ";");
                }
            });
            appender.start();
        }
        Thread.sleep(Long.MAX_VALUE); // until killed
    }

    private static void open(Path dir) {
        try (History history = History.open(dir, Retention.DEFAULT, Clock.systemUTC())) {
            System.out.println("opened " + history.file());
        } catch (IOException e) {
            System.out.println("refused: " + e.getMessage());
        }
    }
}
