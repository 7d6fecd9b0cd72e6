package sitevisor.bench;

import sitevisor.config.Config;
import sitevisor.config.ConfigLoader;
import sitevisor.mbeans.SiteState;
import sitevisor.mbeans.Actor;
import sitevisor.supervise.Instance;
import sitevisor.supervise.LifecycleEvent;
import sitevisor.supervise.Supervisor;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Crash recovery and restart on many sites, measured against the site's own start time.
 * Not a test: run by bench/core.sh. Arguments: sites, rounds, first port, site program.
 */
public final class CoreBenchmark {
    public static void main(String[] args) throws Exception {
        int sites = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int firstPort = args.length > 2 ? Integer.parseInt(args[2]) : 21000;
        Path siteProgram = Path.of(args.length > 3 ? args[3] : "bench/site.py").toAbsolutePath();

        Path dir = Files.createTempDirectory("sitevisor-bench");
        StringBuilder yaml = new StringBuilder("home: var\njolokia: { port: 18780 }\nsites:\n");
        for (int i = 0; i < sites; i++) {
            yaml.append("  s").append(i).append(":\n")
                    .append("    command: [python3, '").append(siteProgram).append("', '{port}']\n")
                    .append("    port: ").append(firstPort + i).append('\n')
                    .append("    stopTimeout: 5s\n");
        }
        Files.writeString(dir.resolve("sitevisor.yml"), yaml);
        Config config = ConfigLoader.load(dir.resolve("sitevisor.yml"));

        // measured between the crash rounds, under the same load, so the two compare
        List<Double> ownStartMillis = new ArrayList<>();

        List<LifecycleEvent> events = Collections.synchronizedList(new ArrayList<>());
        Supervisor supervisor = new Supervisor(config, events::add, taskEvent -> { }, Clock.systemUTC());
        try {
            long began = System.nanoTime();
            supervisor.start("all", Actor.operator("bench"));
            double startAllMillis = (System.nanoTime() - began) / 1e6;
            for (Instance i : supervisor.all()) {
                if (i.state() != SiteState.RUNNING) throw new IllegalStateException(i + ": " + i.status().reason());
            }

            List<Double> crashMillis = new ArrayList<>();
            List<Double> detectMillis = new ArrayList<>();
            List<Double> respawnMillis = new ArrayList<>();
            List<Double> readyMillis = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                Instance victim = supervisor.all().get(r % sites);
                int port = victim.status().port();
                long oldPid = victim.status().pid();
                events.clear();
                Instant killedAt = Instant.now();
                long t0 = System.nanoTime();
                ProcessHandle.of(oldPid).orElseThrow().destroyForcibly();
                while (true) {
                    String answer = get(port);
                    if (answer != null && !answer.trim().equals(Long.toString(oldPid))) break;
                    if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(10)) throw new IllegalStateException("no recovery of " + victim);
                    Thread.sleep(1);
                }
                crashMillis.add((System.nanoTime() - t0) / 1e6);
                awaitRunning(victim);
                ownStartMillis.add(spawnToAnswerMillis(siteProgram, firstPort + sites + 1));
                Instant exited = at(events, SiteState.EXITED), spawned = at(events, SiteState.STARTING), ready = at(events, SiteState.RUNNING);
                detectMillis.add(Duration.between(killedAt, exited).toNanos() / 1e6);
                respawnMillis.add(Duration.between(exited, spawned).toNanos() / 1e6);
                readyMillis.add(Duration.between(spawned, ready).toNanos() / 1e6);
            }

            List<Double> restartMillis = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                Instance site = supervisor.all().get((r * 7) % sites);
                long t0 = System.nanoTime();
                Instance.Result result = site.restart(Actor.operator("bench"));
                restartMillis.add((System.nanoTime() - t0) / 1e6);
                if (result.state() != SiteState.RUNNING) throw new IllegalStateException(site + ": " + result.message());
            }

            long t0 = System.nanoTime();
            supervisor.shutdown(Actor.operator("bench"));
            double stopAllMillis = (System.nanoTime() - t0) / 1e6;

            System.out.printf("sites: %d, rounds: %d%n", sites, rounds);
            System.out.printf("site's own spawn-to-answer:   median %.1f ms (p10 %.1f, p90 %.1f)%n", median(ownStartMillis), pct(ownStartMillis, 10), pct(ownStartMillis, 90));
            System.out.printf("crash -> answering, new pid:  median %.1f ms (p10 %.1f, p90 %.1f)%n", median(crashMillis), pct(crashMillis, 10), pct(crashMillis, 90));
            System.out.printf("  of which kill -> EXITED:     median %.1f ms%n", median(detectMillis));
            System.out.printf("  EXITED -> spawned:           median %.1f ms%n", median(respawnMillis));
            System.out.printf("  spawned -> RUNNING:          median %.1f ms%n", median(readyMillis));
            System.out.printf("restart of an idle site:      median %.1f ms (p10 %.1f, p90 %.1f)%n", median(restartMillis), pct(restartMillis, 10), pct(restartMillis, 90));
            System.out.printf("start all %d sites: %.0f ms; stop all: %.0f ms%n", sites, startAllMillis, stopAllMillis);
        } finally {
            supervisor.shutdown(Actor.operator("bench"));
            supervisor.close();
        }
    }

    /** When the first event into {@code state} happened, waiting for it to be published. */
    private static Instant at(List<LifecycleEvent> events, SiteState state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            synchronized (events) {
                var found = events.stream().filter(e -> e.kind() == LifecycleEvent.Kind.TRANSITION && e.to() == state)
                        .map(LifecycleEvent::at).findFirst();
                if (found.isPresent()) return found.get();
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("no " + state + " event");
            Thread.sleep(1);
        }
    }

    private static void awaitRunning(Instance instance) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (instance.state() != SiteState.RUNNING) {
            if (System.nanoTime() > deadline) throw new IllegalStateException(instance + " not running again");
            Thread.sleep(1);
        }
    }

    /** The site alone: spawn it and poll until it answers, as the supervisor would. */
    private static double spawnToAnswerMillis(Path program, int port) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("python3", program.toString(), Integer.toString(port)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            while (get(port) == null) {
                if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(10)) throw new IllegalStateException("site never answered");
                Thread.sleep(1);
            }
            return (System.nanoTime() - t0) / 1e6;
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    private static String get(int port) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/").toURL().openConnection();
            c.setConnectTimeout(200);
            c.setReadTimeout(2000);
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                c.disconnect();
            }
        } catch (IOException notYet) {
            return null;
        }
    }

    private static double median(List<Double> values) {
        return pct(values, 50);
    }

    private static double pct(List<Double> values, int percentile) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.round(percentile / 100.0 * (sorted.size() - 1))));
    }
}
