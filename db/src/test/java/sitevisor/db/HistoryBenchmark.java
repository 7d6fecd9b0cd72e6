package sitevisor.db;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The history store's figures: insert throughput with the durability chosen (group commit, CHECKPOINT
 * per commit), the 50-event query of one site at 1M rows and its plan, the start-up the database adds
 * (in a fresh JVM, as the daemon starts), the file size per million events, and what pruning costs
 * the writer. Not a test: run by bench/history.sh. Arguments: {@code all WORKDIR RUNS} or
 * {@code open DIR} (the child JVM of the start-up figure).
 */
public final class HistoryBenchmark {
    static final int MILLION = 1_000_000;
    static final int SITES = 100;
    /** Keeps everything the benchmark writes: pruning is measured on purpose, not by accident. */
    static final Retention KEEP_ALL = new Retention(Duration.ofDays(36_500), 100_000_000);

    public static void main(String[] args) throws Exception {
        if (args[0].equals("open")) {
            openOnce(Path.of(args[1]));
            return;
        }
        if (args[0].equals("prune")) {
            // for tuning the batch: prune WORKDIR BATCH_ROWS, with a 1M-row database in WORKDIR/million
            pruningUnderLoad(Path.of(args[1]), Path.of(args[1]).resolve("million"), Integer.parseInt(args[2]));
            return;
        }
        Path work = Files.createDirectories(Path.of(args[1]));
        int runs = Integer.parseInt(args[2]);
        System.out.printf(Locale.ROOT, "H2 %s, Java %s, %d cores, %d runs each; medians%n", org.h2.engine.Constants.VERSION,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), runs);

        single(work, runs);
        concurrent(work, runs, 8);
        Path million = buildMillion(work);
        query(million, runs);
        startup(work, million, runs);
        fileSize(work, million);
        pruningUnderLoad(work, million, History.Tuning.DEFAULT.pruneBatchRows());
    }

    static HistoryEvent event(String site, long atMillis, String reason) {
        return new HistoryEvent(0, atMillis, site, 0, 12345, "TRANSITION", "RUNNING", "EXITED", 1, 0, reason,
                "operator cli user alice (jolokia user sitevisor from 127.0.0.1)", 1234, "");
    }

    static Path fresh(Path work, String name) throws Exception {
        Path dir = work.resolve(name);
        deleteTree(dir);
        return Files.createDirectories(dir);
    }

    /** One appender that waits for each commit: the latency an operator's stop or start pays. */
    static void single(Path work, int runs) throws Exception {
        int events = 3_000;
        List<Double> perSecond = new ArrayList<>();
        List<Double> latencyMicros = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            try (History history = History.open(fresh(work, "single"), KEEP_ALL, Clock.systemUTC())) {
                for (int i = 0; i < 500; i++) history.awaitCommitted(history.append(event("warm", System.currentTimeMillis(), "warm-up " + i)), Duration.ofMinutes(1));
                long began = System.nanoTime();
                for (int i = 0; i < events; i++) {
                    long sequence = history.append(event("site" + (i % SITES), System.currentTimeMillis(), "exited: code 1, event " + i));
                    if (!history.awaitCommitted(sequence, Duration.ofMinutes(1))) throw new IllegalStateException("not committed");
                }
                double seconds = (System.nanoTime() - began) / 1e9;
                perSecond.add(events / seconds);
                latencyMicros.add(seconds * 1e6 / events);
            }
        }
        System.out.printf(Locale.ROOT, "insert, 1 appender waiting for each commit: %.0f events/s (%.0f us per append+commit)%n",
                median(perSecond), median(latencyMicros));
    }

    /** Appenders that each wait for their own commit, as instances crashing at once do: group commit at work. */
    static void concurrent(Path work, int runs, int threads) throws Exception {
        int perThread = 3_000;
        List<Double> perSecond = new ArrayList<>();
        List<Double> perCommit = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            AtomicInteger commits = new AtomicInteger();
            History.Tuning counting = History.Tuning.DEFAULT.withSink(real -> new EventSink() {
                @Override
                public void write(List<HistoryEvent> events) throws java.sql.SQLException {
                    real.write(events);
                    commits.incrementAndGet();
                }

                @Override
                public void close() {
                    real.close();
                }
            });
            try (History history = History.open(fresh(work, "concurrent"), KEEP_ALL, Clock.systemUTC(), counting)) {
                for (int i = 0; i < 500; i++) history.awaitCommitted(history.append(event("warm", System.currentTimeMillis(), "warm-up " + i)), Duration.ofMinutes(1));
                commits.set(0);
                CountDownLatch start = new CountDownLatch(1);
                List<Thread> appenders = new ArrayList<>();
                AtomicLong failures = new AtomicLong();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    Thread appender = new Thread(() -> {
                        try {
                            start.await();
                            for (int i = 0; i < perThread; i++) {
                                long sequence = history.append(event("site" + ((thread * 13 + i) % SITES), System.currentTimeMillis(), "event " + thread + "/" + i));
                                if (!history.awaitCommitted(sequence, Duration.ofMinutes(1))) failures.incrementAndGet();
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                    appender.start();
                    appenders.add(appender);
                }
                long began = System.nanoTime();
                start.countDown();
                for (Thread appender : appenders) appender.join();
                double seconds = (System.nanoTime() - began) / 1e9;
                if (failures.get() > 0) throw new IllegalStateException(failures + " not committed");
                perSecond.add(threads * perThread / seconds);
                perCommit.add(threads * perThread / (double) commits.get());
            }
        }
        System.out.printf(Locale.ROOT, "insert, %d appenders each waiting for its commit: %.0f events/s (%.1f events per commit)%n",
                threads, median(perSecond), median(perCommit));
    }

    /** A million events over 100 sites, one a second, loaded in big transactions (the writer would take minutes). */
    static Path buildMillion(Path work) throws Exception {
        Path dir = fresh(work, "million");
        long nowMillis = System.currentTimeMillis();
        long began = System.nanoTime();
        // the store creates the schema and holds the database while the rows go in around it
        History history = History.open(dir, KEEP_ALL, Clock.systemUTC(), History.Tuning.DEFAULT.withPruning(10_000, null));
        try (Connection connection = HistoryDatabase.connect(History.jdbcUrl(dir)); Statement statement = connection.createStatement()) {
            QueryPlanTest.loadRows(statement, 1, MILLION, SITES, nowMillis - MILLION * 1000L, 1000);
        } finally {
            history.close();
        }
        System.out.printf(Locale.ROOT, "loaded 1M rows in %.1f s (INSERT ... SELECT, 50,000 a transaction)%n", (System.nanoTime() - began) / 1e9);
        return dir;
    }

    static void query(Path million, int runs) throws Exception {
        try (History history = History.open(million, KEEP_ALL, Clock.systemUTC(), History.Tuning.DEFAULT.withPruning(10_000, null))) {
            for (HistoryQuery query : List.of(HistoryQuery.latest("site42", 50), HistoryQuery.latestOfAll(50),
                    new HistoryQuery("site42", System.currentTimeMillis() - 86_400_000L * 3, System.currentTimeMillis() - 86_400_000L, 50))) {
                List<Double> medians = new ArrayList<>();
                List<Double> p99s = new ArrayList<>();
                for (int run = 0; run < runs; run++) {
                    for (int i = 0; i < 5_000; i++) check(history.query(query));
                    List<Double> micros = new ArrayList<>();
                    for (int i = 0; i < 1_000; i++) {
                        long began = System.nanoTime();
                        check(history.query(query));
                        micros.add((System.nanoTime() - began) / 1e3);
                    }
                    medians.add(median(micros));
                    p99s.add(percentile(micros, 0.99));
                }
                System.out.printf(Locale.ROOT, "query at 1M rows, %s: median %.0f us, p99 %.0f us (1,000 queries after 5,000 warm-up)%n",
                        describe(query), median(medians), median(p99s));
                System.out.println("  EXPLAIN: " + history.explain(query).replaceAll("\\s+", " "));
            }
        }
    }

    private static void check(List<HistoryEvent> events) {
        if (events.size() != 50) throw new IllegalStateException("expected 50 events, got " + events.size());
    }

    private static String describe(HistoryQuery query) {
        return (query.site() == null ? "every site" : "one site") + (query.sinceMillis() == null ? "" : ", a 2-day range") + ", last " + query.limit();
    }

    /** History.open (schema, checks, threads) in a fresh JVM, as the daemon pays it, empty and at 1M rows. */
    static void startup(Path work, Path million, int runs) throws Exception {
        List<Double> empty = new ArrayList<>();
        List<Double> full = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            empty.add(openInChild(fresh(work, "empty")));
            full.add(openInChild(million));
        }
        System.out.printf(Locale.ROOT, "start-up the database adds (History.open in a fresh JVM, H2's classes included): empty %.0f ms (creates the file,"
                + " applies V1), 1M rows %.0f ms%n", median(empty), median(full));
        System.out.printf(Locale.ROOT, "  the same in a JVM that has H2 loaded already: empty %.1f ms, 1M rows %.1f ms%n",
                openMillis(fresh(work, "warm-empty")), openMillis(million));
    }

    private static double openMillis(Path dir) throws Exception {
        long began = System.nanoTime();
        History history = History.open(dir, KEEP_ALL, Clock.systemUTC(), History.Tuning.DEFAULT.withPruning(10_000, null));
        double millis = (System.nanoTime() - began) / 1e6;
        history.close();
        return millis;
    }

    private static double openInChild(Path dir) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), HistoryBenchmark.class.getName(), "open", dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            if (child.waitFor() != 0 || line == null) throw new IllegalStateException("open in a child JVM failed: " + line);
            return Double.parseDouble(line);
        }
    }

    private static void openOnce(Path dir) throws Exception {
        System.out.println(openMillis(dir));
    }

    /**
     * Bytes per event: the bulk-loaded million (the live data), and events written by the writer as
     * they come, in group commits. Each commit writes a chunk of its own (the changed pages of the
     * table and both indexes, 25 to 45 KB); H2 reuses a chunk's space once all of it has been dead for
     * RETENTION_TIME (45 s), and the Compactor (every 5 minutes in the daemon) rewrites the few live
     * pages out of sparse chunks so that they do die.
     */
    static void fileSize(Path work, Path million) throws Exception {
        long bulk = Files.size(million.resolve(HistoryDatabase.FILE_NAME));
        System.out.printf(Locale.ROOT, "file size, 1M rows loaded in bulk, after close: %.0f MB (%.0f bytes an event)%n", bulk / 1e6, bulk / (double) MILLION);
        Path dir = fresh(work, "burst");
        Path file = dir.resolve(HistoryDatabase.FILE_NAME);
        int events = 100_000;
        try (History history = History.open(dir, KEEP_ALL, Clock.systemUTC(), History.Tuning.DEFAULT.withCompaction(null))) {
            long began = System.nanoTime();
            burst(history, events, 0);
            long afterFirst = Files.size(file);
            System.out.printf(Locale.ROOT, "file size, a burst of %,d events through the writer (8 appenders, %.1f s): %.0f MB (%.0f bytes an event)%n",
                    events, (System.nanoTime() - began) / 1e9, afterFirst / 1e6, afterFirst / (double) events);
            Thread.sleep(46_000); // past RETENTION_TIME: only then may a chunk be rewritten
            Compactor.Compacted compacted = history.compactNow();
            Thread.sleep(46_000); // and the chunks it emptied are reused only after RETENTION_TIME again
            burst(history, events, events);
            long afterSecond = Files.size(file);
            System.out.printf(Locale.ROOT, "  then one compaction run (%d steps, %d ms) and a second burst of %,d: %.0f MB (+%.0f MB)%n",
                    compacted.steps(), compacted.tookMillis(), events, afterSecond / 1e6, (afterSecond - afterFirst) / 1e6);
        }
        System.out.printf(Locale.ROOT, "  after close (H2 compacts the file for at most 200 ms): %.0f MB for %,d events (%.0f bytes an event)%n",
                Files.size(file) / 1e6, 2 * events, Files.size(file) / (2.0 * events));
    }

    private static void burst(History history, int events, int first) throws InterruptedException {
        List<Thread> appenders = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            Thread appender = new Thread(() -> {
                for (int i = first + thread; i < first + events; i += 8) {
                    history.awaitCommitted(history.append(event("site" + (i % SITES), System.currentTimeMillis(), "exited: code 1, event " + i)), Duration.ofMinutes(1));
                }
            });
            appender.start();
            appenders.add(appender);
        }
        for (Thread appender : appenders) appender.join();
    }

    /** A prune of 100,000 rows at 1M rows (by count, then by age), in transactions of batchRows, while one appender waits for each commit. */
    static void pruningUnderLoad(Path work, Path million, int batchRows) throws Exception {
        pruningUnderLoad(work, million, batchRows, "count", new Retention(Duration.ofDays(36_500), MILLION - 100_000));
        // the benchmark's million are one a second up to when it was loaded: keep all but the oldest 100,000 seconds' worth
        long newestMillis;
        try (History history = History.open(million, KEEP_ALL, Clock.systemUTC(), History.Tuning.DEFAULT.withPruning(batchRows, null))) {
            newestMillis = history.query(HistoryQuery.latestOfAll(1)).get(0).atMillis();
        }
        Duration keep = Duration.ofMillis(System.currentTimeMillis() - newestMillis).plusSeconds(MILLION - 100_000);
        pruningUnderLoad(work, million, batchRows, "age", new Retention(keep, 100_000_000));
    }

    static void pruningUnderLoad(Path work, Path million, int batchRows, String by, Retention retention) throws Exception {
        Path dir = fresh(work, "prune");
        Files.copy(million.resolve(HistoryDatabase.FILE_NAME), dir.resolve(HistoryDatabase.FILE_NAME));
        List<Double> quietMicros = new ArrayList<>();
        List<Double> pruningMicros = new ArrayList<>();
        try (History history = History.open(dir, retention, Clock.systemUTC(), History.Tuning.DEFAULT.withPruning(batchRows, null))) {
            for (int i = 0; i < 500; i++) quietMicros.add(appendTimed(history, i));
            long[] tookNanos = new long[1];
            Pruner.Pruned[] pruned = new Pruner.Pruned[1];
            Thread pruner = new Thread(() -> {
                try {
                    long began = System.nanoTime();
                    pruned[0] = history.pruneNow();
                    tookNanos[0] = System.nanoTime() - began;
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            pruner.start();
            for (int i = 0; pruner.isAlive(); i++) pruningMicros.add(appendTimed(history, 1000 + i));
            pruner.join();
            System.out.printf(Locale.ROOT, "pruning at 1M rows, by %s: %,d events in %.1f s, %,d-row transactions (%.0f ms each), one appender"
                    + " waiting for each commit meanwhile%n", by, pruned[0].total(), tookNanos[0] / 1e9, batchRows, tookNanos[0] / 1e6 / (pruned[0].total() / (double) batchRows));
        }
        System.out.printf(Locale.ROOT, "  that appender's append+commit: median %.0f us, p99 %.0f us, max %.0f ms (without pruning: median %.0f us, p99 %.0f us)%n",
                median(pruningMicros), percentile(pruningMicros, 0.99), Collections.max(pruningMicros) / 1e3, median(quietMicros), percentile(quietMicros, 0.99));
    }

    private static double appendTimed(History history, int i) {
        long began = System.nanoTime();
        history.awaitCommitted(history.append(event("site" + (i % SITES), System.currentTimeMillis(), "during pruning " + i)), Duration.ofMinutes(1));
        return (System.nanoTime() - began) / 1e3;
    }

    static double median(List<Double> values) {
        return percentile(values, 0.5);
    }

    static double percentile(List<Double> values, double fraction) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(fraction * sorted.size())));
    }

    static void deleteTree(Path dir) throws Exception {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Collections.reverseOrder()).toList()) Files.delete(path);
        }
    }
}
