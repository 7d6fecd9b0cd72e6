package sitevisor.daemon;

import sitevisor.db.HistoryEvent;
import sitevisor.mbeans.Actor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a maintenance restart adds beyond the drain and the site's own stop and start: for each
 * round, a one-off window on a real daemon assembly (Quartz on H2, a real site), then from the
 * history: the window's duration minus the instance's DRAINING, STOPPING and STARTING times, and
 * how late the window began after its time. Not a test: run by bench/tasks.sh.
 * Usage: MaintenanceBenchmark ROUNDS SITE_COMMAND...
 */
public final class MaintenanceBenchmark {
    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        String command = args.length > 1 ? String.join(", ", java.util.Arrays.stream(args, 1, args.length).map(a -> "\"" + a + "\"").toList())
                : "sh, -c, 'trap \"exit 0\" TERM; sleep 1000 & wait'";
        Path dir = Files.createTempDirectory("maintenance-bench");
        List<Long> overheads = new ArrayList<>();
        List<Long> lateness = new ArrayList<>();
        List<Long> windows = new ArrayList<>();
        try (Assembly daemon = new Assembly(dir)) {
            daemon.write("", """
                    blog:
                      command: [%s]
                      port: 18123
                      tasks:
                        sitemap: { cron: "0 0 1 1 *", command: [sh, -c, "true"] }
                    """.formatted(command));
            daemon.start();
            for (int round = 0; round < rounds; round++) {
                Instant at = Instant.now().plusMillis(1500).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
                int doneBefore = count(daemon, "maintenance done");
                daemon.schedule().scheduleMaintenance("blog", at, Actor.operator("bench"));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (count(daemon, "maintenance done") == doneBefore) {
                    if (System.nanoTime() > deadline) throw new IllegalStateException("window of " + at + " did not end");
                    Thread.sleep(20);
                }
                List<HistoryEvent> events = daemon.recorded("blog");
                HistoryEvent began = last(events, "maintenance");
                HistoryEvent done = last(events, "maintenance done");
                long parts = 0;
                for (HistoryEvent e : events) {
                    if (e.atMillis() < began.atMillis() || e.atMillis() > done.atMillis() || e.durationMillis() < 0) continue;
                    // a transition's duration is how long the instance was in its from-state
                    if (e.fromState().equals("DRAINING") || e.fromState().equals("STOPPING") || e.fromState().equals("STARTING")) parts += e.durationMillis();
                }
                long window = done.durationMillis();
                windows.add(window);
                overheads.add(window - parts);
                lateness.add(began.atMillis() - at.toEpochMilli());
            }
        }
        System.out.println("rounds: " + rounds);
        System.out.println("window (drain + stop + start + ours), median ms: " + median(windows) + " (" + Collections.min(windows) + "-" + Collections.max(windows) + ")");
        System.out.println("ours: window minus DRAINING, STOPPING and STARTING, median ms: " + median(overheads) + " (" + Collections.min(overheads) + "-" + Collections.max(overheads) + ")");
        System.out.println("window began after its time, median ms: " + median(lateness) + " (" + Collections.min(lateness) + "-" + Collections.max(lateness) + ")");
    }

    private static int count(Assembly daemon, String kind) {
        return (int) daemon.recorded("blog").stream().filter(e -> e.kind().equals(kind)).count();
    }

    private static HistoryEvent last(List<HistoryEvent> events, String kind) {
        for (int i = events.size() - 1; i >= 0; i--) if (events.get(i).kind().equals(kind)) return events.get(i);
        throw new IllegalStateException("no " + kind);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
