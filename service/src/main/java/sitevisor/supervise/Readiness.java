package sitevisor.supervise;

import sitevisor.mbeans.Durations;
import sitevisor.config.SiteConfig;
import sitevisor.posix.ProcStat;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * When a starting instance counts as ready: its health URL answers 2xx, or its port accepts
 * connections, or — with neither — it stayed up {@code startSeconds}. Probes quickly at first, so
 * a site is RUNNING within a few milliseconds of being able to serve.
 *
 * <p>Each refused probe costs the daemon CPU, and hundreds of sites starting at once, each probed
 * every 10 ms, would take a whole core from the very sites that are starting. So the probes of
 * all starting instances share a budget of about a thousand a second: the more instances start
 * together, the longer each waits between probes (up to a quarter second).
 */
final class Readiness {
    private static final long FIRST_PROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_PROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long PROBE_BUDGET_NANOS_PER_INSTANCE = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_SHARED_PROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /**
     * How often an instance that only has to stay up looks whether a stop was asked for. It
     * waited out its whole {@code startSeconds} before, and held its stop, a reload or a stop all
     * that long.
     */
    private static final long STOP_LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Instances of every site probing now. */
    private static final AtomicInteger probing = new AtomicInteger();

    enum Outcome { READY, EXITED, TIMED_OUT, STOP_REQUESTED }

    private final int port;
    private final Optional<URI> health;
    private final Duration startSeconds;
    private final Duration startTimeout;

    Readiness(SiteConfig site, int instance) {
        this.port = site.portOf(instance);
        this.health = site.healthOf(instance);
        this.startSeconds = site.startSeconds();
        this.startTimeout = site.startTimeout();
    }

    /** Waits, at most {@code startTimeout}, and gives way at once when the process ends or a stop is asked for. */
    Outcome await(Child child, BooleanSupplier stopRequested) {
        try {
            if (port == 0 && health.isEmpty()) return stayUp(child, stopRequested);
            probing.incrementAndGet();
            try {
                return probe(child, stopRequested);
            } finally {
                probing.decrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.STOP_REQUESTED;
        } catch (ExecutionException impossible) {
            return Outcome.EXITED;
        }
    }

    /** Ready once the process stayed up {@code startSeconds}; a stop asked for meanwhile is seen within {@link #STOP_LOOK_NANOS}. */
    private Outcome stayUp(Child child, BooleanSupplier stopRequested) throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + startSeconds.toNanos();
        while (true) {
            if (stopRequested.getAsBoolean()) return Outcome.STOP_REQUESTED;
            long left = deadline - System.nanoTime();
            if (left <= 0) return stillRuns(child) ? Outcome.READY : Outcome.EXITED;
            try {
                child.exit().get(Math.min(left, STOP_LOOK_NANOS), TimeUnit.NANOSECONDS);
                return Outcome.EXITED;
            } catch (TimeoutException stillUp) {
                // look for a stop, then wait on
            }
        }
    }

    private Outcome probe(Child child, BooleanSupplier stopRequested) throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        long interval = FIRST_PROBE_NANOS;
        while (true) {
            if (child.hasExited()) return Outcome.EXITED;
            if (stopRequested.getAsBoolean()) return Outcome.STOP_REQUESTED;
            if ((port == 0 || accepts(port)) && health.map(Readiness::answers2xx).orElse(true)) {
                // a program that forks, leaves the port to its child and exits is not ready: it daemonized
                return stillRuns(child) ? Outcome.READY : Outcome.EXITED;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) return Outcome.TIMED_OUT;
            try {
                child.exit().get(Math.min(interval, left), TimeUnit.NANOSECONDS);
            } catch (TimeoutException notYet) {
                interval = Math.min(interval * 2, maxProbeIntervalNanos(probing.get()));
            }
        }
    }

    /**
     * Whether the main process still runs, asked of /proc rather than of the exit watcher, whose
     * report can come late when hundreds of sites start at once. One that ended is waited for
     * until the watcher has reaped it, so its exit status is known to whoever handles it.
     */
    private static boolean stillRuns(Child child) throws InterruptedException, ExecutionException {
        if (child.hasExited()) return false;
        boolean runs = ProcStat.read(child.pid()).map(stat -> stat.startTicks() == child.identity().startTicks()
                && !stat.isZombie() && !stat.isExiting()).orElse(false);
        if (runs) return true;
        child.exit().get();
        return false;
    }

    /** The longest wait between two probes of one instance while {@code probingInstances} probe. */
    static long maxProbeIntervalNanos(int probingInstances) {
        return Math.max(MAX_PROBE_NANOS, Math.min(MAX_SHARED_PROBE_NANOS, probingInstances * PROBE_BUDGET_NANOS_PER_INSTANCE));
    }

    /** For the RUNNING message: {@code (port 8001 accepts connections)}. */
    String howReady() {
        if (health.isPresent()) return " (" + health.get() + " answers 2xx)";
        if (port != 0) return " (port " + port + " accepts connections)";
        return " (stayed up " + Durations.format(startSeconds) + ")";
    }

    /** For the failed-start message: what never happened. */
    String whatNeverHappened() {
        if (health.isPresent()) return " (" + health.get() + " never answered 2xx)";
        if (port != 0) return " (port " + port + " never accepted a connection)";
        return "";
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private static boolean answers2xx(URI health) {
        try {
            HttpURLConnection connection = (HttpURLConnection) health.toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(2000);
            connection.setInstanceFollowRedirects(false);
            try {
                int code = connection.getResponseCode();
                return code >= 200 && code < 300;
            } finally {
                connection.disconnect();
            }
        } catch (IOException notYet) {
            return false;
        }
    }
}
