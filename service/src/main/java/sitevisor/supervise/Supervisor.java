package sitevisor.supervise;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.config.Config;
import sitevisor.config.SiteConfig;
import sitevisor.logs.LogRotator;
import sitevisor.posix.ExitWatcher;
import sitevisor.posix.Native;
import sitevisor.posix.PidFd;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Every site of one configuration: their instances, and operations over several at once. */
public final class Supervisor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
    private static final Duration WORKER_KEEP_ALIVE = Duration.ofSeconds(5);

    private final Config config;
    private final Context context;
    private final Map<String, List<Instance>> sites = new LinkedHashMap<>();
    private final ScheduledThreadPoolExecutor timers;
    private final ExecutorService workers;
    private final ExitWatcher watcher;
    private final LogRotator rotator;
    private ScheduledFuture<?> heapTrim;

    public Supervisor(Config config, EventListener events, Clock clock) throws IOException {
        this(config, events, clock, System.getenv());
    }

    /** @param baseEnvironment what every site's environment starts from, before its own entries */
    public Supervisor(Config config, EventListener events, Clock clock, Map<String, String> baseEnvironment) throws IOException {
        this.config = config;
        PidFd.checkSupported();
        Files.createDirectories(config.runDir());
        Files.createDirectories(config.logsDir());
        timers = new ScheduledThreadPoolExecutor(1, daemonThreads("timer"));
        timers.setRemoveOnCancelPolicy(true);
        // threads come and go with the work, so an idle daemon keeps few
        workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, WORKER_KEEP_ALIVE.toSeconds(), TimeUnit.SECONDS, new SynchronousQueue<>(), daemonThreads("site-op"));
        watcher = new ExitWatcher();
        rotator = new LogRotator();
        context = new Context(watcher, timers, workers, events, clock, config.runDir(), config.logsDir(), rotator, Map.copyOf(baseEnvironment));
        for (SiteConfig site : config.sites().values()) {
            List<Instance> instances = new ArrayList<>();
            for (int i = 0; i < site.instances(); i++) instances.add(new Instance(site, i, context));
            sites.put(site.name(), List.copyOf(instances));
        }
    }

    public Config config() {
        return config;
    }

    /**
     * Adopts every instance whose pid file names a process that is still ours, reports the stale
     * ones, then starts the autostart sites that are not running — all sites in parallel.
     */
    public void startUp() {
        Actor startUp = Actor.daemon("start-up");
        reportForeignPidFiles();
        forEach(all(), instance -> {
            if (instance.adoptFromPidFile(startUp)) return null;
            if (!instance.site().autostart()) return null;
            try {
                return instance.start(Actor.daemon("autostart"));
            } catch (IllegalStateException refused) {
                return null; // published as a REFUSED event and logged there
            }
        });
    }

    /** Pid files under run/ that belong to no configured instance: never signalled, only reported. */
    private void reportForeignPidFiles() {
        List<Path> known = all().stream().map(Instance::pidFilePath).toList();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(config.runDir(), "*.pid")) {
            for (Path file : files) {
                if (known.contains(file)) continue;
                try {
                    PidFile recorded = PidFile.read(file);
                    var why = recorded.identity().whyStale();
                    if (why.isPresent()) {
                        log.warn("stale: {}: {}; removed it, signalled nothing", file, why.get());
                        Files.deleteIfExists(file);
                    } else {
                        log.warn("orphan: {} names pid {} of site '{}' instance {}, which this config does not run; "
                                        + "left it running: stop it by hand, or put the site back and stop it",
                                file, recorded.identity().pid(), recorded.site(), recorded.instance());
                    }
                } catch (PidFile.Unreadable e) {
                    log.warn("stale: {}: {}; removed it, signalled nothing", file, e.getMessage());
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            log.warn("cannot read {}: {}", config.runDir(), e.getMessage());
        }
    }

    /** The instances of one site, or every site's for {@code all}; refused with the known names for an unknown one. */
    public List<Instance> instances(String site) {
        if ("all".equals(site)) return all();
        List<Instance> instances = sites.get(site);
        if (instances == null) {
            throw new IllegalArgumentException("no site named '" + site + "' (known: " + String.join(", ", sites.keySet()) + ")");
        }
        return instances;
    }

    public List<Instance> all() {
        return sites.values().stream().flatMap(List::stream).toList();
    }

    public List<Instance.Result> start(String site, Actor by) {
        return forEach(instances(site), i -> i.start(by));
    }

    public List<Instance.Result> stop(String site, Actor by) {
        return forEach(instances(site), i -> i.stop(by));
    }

    public List<Instance.Result> restart(String site, Actor by) {
        return forEach(instances(site), i -> i.restart(by));
    }

    public List<Instance.Result> kill(String site, Actor by) {
        return forEach(instances(site), i -> i.kill(by));
    }

    public List<Instance.Status> status() {
        return all().stream().map(Instance::status).toList();
    }

    /** Stops every site in parallel, each bounded by its own timeouts. */
    public void shutdown(Actor by) {
        forEach(all(), i -> i.stop(by));
    }

    /**
     * Runs the operation on every instance at once and waits for all. The first refusal is thrown
     * after all have finished, so one refused instance does not leave the others half-done.
     */
    private <T> List<T> forEach(List<Instance> instances, Function<Instance, T> operation) {
        if (instances.size() == 1) return java.util.Collections.singletonList(operation.apply(instances.get(0)));
        List<CompletableFuture<T>> futures = instances.stream()
                .map(i -> CompletableFuture.supplyAsync(() -> operation.apply(i), workers)).toList();
        List<T> results = new ArrayList<>();
        RuntimeException first = null;
        for (CompletableFuture<T> future : futures) {
            try {
                results.add(future.join());
            } catch (CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
                if (first == null) first = cause;
                else first.addSuppressed(cause);
            }
        }
        scheduleHeapTrim();
        if (first != null) throw first;
        return results;
    }

    /**
     * An operation on many sites at once runs each on its own thread; once those threads have
     * ended, the memory they used sits free in malloc's arenas, and only a trim returns it.
     */
    private synchronized void scheduleHeapTrim() {
        if (heapTrim != null) heapTrim.cancel(false);
        heapTrim = timers.schedule(Native::trimNativeHeap, WORKER_KEEP_ALIVE.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Leaves the sites as they are (a daemon restart adopts them) and releases the daemon's threads. */
    @Override
    public void close() {
        timers.shutdownNow();
        workers.shutdownNow();
        watcher.close();
        rotator.close();
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
