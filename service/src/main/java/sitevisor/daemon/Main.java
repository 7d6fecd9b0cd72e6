package sitevisor.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.config.Config;
import sitevisor.config.ConfigException;
import sitevisor.config.ConfigLoader;
import sitevisor.config.ConfigProblem;
import sitevisor.db.History;
import sitevisor.db.Retention;
import sitevisor.history.HistoryRecorder;
import sitevisor.http.HttpAgent;
import sitevisor.jmx.JmxRegistry;
import sitevisor.jmx.RemoteJmx;
import sitevisor.posix.Native;
import sitevisor.posix.Ports;
import sitevisor.security.Credentials;
import sitevisor.supervise.Actor;
import sitevisor.supervise.Supervisor;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.ForkJoinPool;
import java.time.ZoneId;

/** {@code sitevisor run|check [-c FILE]}: the daemon in the foreground, and the config check. */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private static final String USAGE_TEXT = """
            usage: sitevisor run   [-c FILE]   run the daemon in the foreground (it never forks itself)
                   sitevisor check [-c FILE]   check a config; every error names the file, site, key and why

            FILE defaults to $SITEVISOR_CONFIG, else ./sitevisor.yml""";

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || List.of("-h", "--help", "help").contains(args[0])) {
            (args.length == 0 ? err : out).println(USAGE_TEXT);
            return args.length == 0 ? USAGE : OK;
        }
        String command = args[0];
        Path configFile;
        try {
            configFile = configFile(List.of(args).subList(1, args.length));
        } catch (IllegalArgumentException e) {
            err.println("sitevisor " + command + ": " + e.getMessage());
            err.println(USAGE_TEXT);
            return USAGE;
        }
        return switch (command) {
            case "check" -> check(configFile, out, err);
            case "run" -> runDaemon(configFile, err);
            default -> {
                err.println("sitevisor: unknown command '" + command + "'");
                err.println(USAGE_TEXT);
                yield USAGE;
            }
        };
    }

    /** {@code -c FILE}, else {@code $SITEVISOR_CONFIG}, else {@code ./sitevisor.yml}. */
    public static Path configFile(List<String> options) {
        List<String> rest = new ArrayList<>(options);
        Path file = null;
        while (!rest.isEmpty()) {
            String option = rest.remove(0);
            if (option.equals("-c") || option.equals("--config")) {
                if (rest.isEmpty()) throw new IllegalArgumentException(option + " needs a file");
                file = Path.of(rest.remove(0));
            } else if (option.startsWith("--config=")) {
                file = Path.of(option.substring("--config=".length()));
            } else {
                throw new IllegalArgumentException("unknown option '" + option + "'");
            }
        }
        if (file == null) {
            String fromEnvironment = System.getenv("SITEVISOR_CONFIG");
            file = Path.of(fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment : "sitevisor.yml");
        }
        return file.toAbsolutePath().normalize();
    }

    private static int check(Path configFile, PrintStream out, PrintStream err) {
        try {
            Config config = ConfigLoader.load(configFile);
            out.println(configFile + ": OK, " + config.sites().size() + " site" + (config.sites().size() == 1 ? "" : "s")
                    + (config.sites().isEmpty() ? "" : " (" + String.join(", ", config.siteNames()) + ")"));
            return OK;
        } catch (ConfigException e) {
            printProblems(e, err);
            return FAILED;
        }
    }

    private static void printProblems(ConfigException e, PrintStream err) {
        for (ConfigProblem problem : e.problems()) err.println(problem);
        int n = e.problems().size();
        err.println(n + " problem" + (n == 1 ? "" : "s") + " found; nothing was started");
    }

    private static int runDaemon(Path configFile, PrintStream err) {
        // jnr's libc bindings take a few hundred milliseconds to make; the first spawn needs them,
        // reading the config and opening the history do not: made beside those, they are ready
        Thread bindings = new Thread(Native::pageSizeBytes, "native-bindings");
        bindings.setDaemon(true);
        bindings.start();
        Config config;
        try {
            config = ConfigLoader.load(configFile);
        } catch (ConfigException e) {
            printProblems(e, err);
            return FAILED;
        }
        DaemonLock lock;
        try {
            lock = DaemonLock.acquire(config.home());
        } catch (DaemonLock.HeldException e) {
            err.println("sitevisor run: " + e.getMessage());
            return FAILED;
        } catch (IOException e) {
            err.println("sitevisor run: cannot lock " + config.runDir() + ": " + e.getMessage());
            return FAILED;
        }
        try {
            DaemonLog.toConsoleAndFile(config.daemonLog());
        } catch (IOException e) {
            err.println("sitevisor run: cannot open " + config.daemonLog() + ": " + e.getMessage());
            return FAILED;
        }
        return new Daemon(config, lock).runUntilSignalled();
    }

    /** The running daemon: supervises until SIGTERM or SIGINT, then stops every site and exits 0. */
    static final class Daemon {
        private static final Logger log = LoggerFactory.getLogger(Daemon.class);
        // the remote connector listens on loopback; another address is a later, explicit setting
        private static final String REMOTE_JMX_HOST = "127.0.0.1";
        private final Config config;
        private final DaemonLock lock;
        private final CountDownLatch stopRequested = new CountDownLatch(1);
        private final AtomicBoolean stopping = new AtomicBoolean();

        Daemon(Config config, DaemonLock lock) {
            this.config = config;
            this.lock = lock;
        }

        int runUntilSignalled() {
            long began = System.nanoTime();
            EventLog eventLog = new EventLog();
            Clock clock = Clock.systemUTC();
            MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
            // closed last: the events of the shutdown are written before the database closes
            try (History history = History.open(config.dbDir(), new Retention(config.history().keep(), config.history().maxRows()), clock);
                 JmxRegistry jmx = new JmxRegistry(platform)) {
                HistoryRecorder recorder = new HistoryRecorder(history, clock);
                AtomicReference<Scheduling> scheduling = new AtomicReference<>();
                try (Supervisor supervisor = new Supervisor(config, event -> {
                    eventLog.onEvent(event);
                    recorder.onEvent(event);
                    jmx.onEvent(event);
                    Scheduling tasks = scheduling.get();
                    if (tasks != null) tasks.onEvent(event);
                }, clock);
                     Scheduling tasks = new Scheduling(supervisor, recorder, ForkJoinPool.commonPool())) {
                    tasks.open(Scheduling.SCHEDULER_NAME, history.sharedConnections(), config, clock, ZoneId.systemDefault());
                    scheduling.set(tasks);
                    jmx.register(supervisor, clock, history, tasks.scheduler());
                    return serve(supervisor, tasks, recorder, platform, began);
                }
            } catch (IOException | RuntimeException e) {
                log.error("cannot start: {}", e.getMessage(), e);
                return FAILED;
            } finally {
                try {
                    lock.close();
                } catch (IOException ignored) {
                    // the kernel drops the lock with the process anyway
                }
            }
        }

        /**
         * Opens the doors (remote JMX, HTTP agent), then supervises until signalled. Jolokia takes
         * half a second or more to load, so the HTTP agent opens beside the sites' start; its port
         * is checked first, so a held one still stops the daemon before any site is touched.
         */
        private int serve(Supervisor supervisor, Scheduling tasks, HistoryRecorder recorder, MBeanServer platform, long began) throws IOException {
            Credentials credentials = Credentials.loadOrCreate(config.credentialsFile());
            refuseHeldPort("the HTTP agent", config.jolokia().host(), config.jolokia().port());
            try (RemoteJmx remote = config.jmxPort() == 0 ? null
                    : RemoteJmx.start(platform, REMOTE_JMX_HOST, config.jmxPort(), credentials)) {
                if (remote != null) log.info("listening: remote JMX on {} (user {})", remote.url(), credentials.user());
                CompletableFuture<HttpAgent> agent = new CompletableFuture<>();
                Thread opening = new Thread(() -> {
                    try {
                        HttpAgent opened = HttpAgent.start(config.jolokia().host(), config.jolokia().port(), credentials);
                        log.info("listening: HTTP agent on {} (user {}, password in {})", opened.url(), credentials.user(), config.credentialsFile());
                        agent.complete(opened);
                    } catch (IOException | RuntimeException e) {
                        agent.completeExceptionally(e);
                    }
                }, "http-agent-start");
                opening.setDaemon(true);
                opening.start();
                try {
                    return superviseUntilSignalled(supervisor, tasks, recorder, began, agent);
                } finally {
                    agent.thenAccept(HttpAgent::close);
                }
            }
        }

        private static void refuseHeldPort(String what, String host, int port) throws IOException {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            } catch (IOException e) {
                String holders = Ports.describeHolders(port).map(h -> ", held by " + h).orElse("");
                throw new IOException("cannot listen for " + what + " on " + host + ":" + port + holders + ": " + e.getMessage(), e);
            }
        }

        private int superviseUntilSignalled(Supervisor supervisor, Scheduling tasks, HistoryRecorder recorder, long began,
                                            CompletableFuture<HttpAgent> agent) throws IOException {
            try {
                onSignal("TERM");
                onSignal("INT");
                log.info("starting: sitevisor pid {} with {} ({} sites), home {}", ProcessHandle.current().pid(),
                        config.file(), config.sites().size(), config.home());
                recorder.daemonEvent("started: pid " + ProcessHandle.current().pid() + " with " + config.file() + " ("
                        + config.sites().size() + " sites)", Actor.daemon("start-up"));
                supervisor.startUp();
                tasks.start();
                try {
                    agent.join();
                } catch (CompletionException e) {
                    // rare: its port was free a moment ago; the sites are up, and like after a kill -9 they keep running
                    log.error("cannot open the HTTP agent: {}; exiting, the sites keep running and the next `sitevisor run` adopts them",
                            e.getCause().getMessage(), e.getCause());
                    recorder.daemonEvent("exiting: cannot open the HTTP agent: " + e.getCause().getMessage(), Actor.daemon("start-up"));
                    return FAILED;
                }
                log.info("supervising: {} sites, {} instances, ready after {} ms", config.sites().size(), supervisor.all().size(),
                        (System.nanoTime() - began) / 1_000_000);
                stopRequested.await();
                log.info("shutting down: stopping every site in parallel, each after draining its tasks");
                recorder.daemonEvent("shutting down: stopping every site", Actor.daemon("shutdown"));
                supervisor.shutdown(Actor.daemon("shutdown"));
                recorder.daemonEvent("exiting: every site stopped", Actor.daemon("shutdown"));
                log.info("exiting: every site stopped");
                return OK;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return FAILED;
            }
        }

        private void onSignal(String name) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                if (stopping.compareAndSet(false, true)) {
                    log.info("signalled: SIG{}: stopping gracefully", name);
                    stopRequested.countDown();
                } else {
                    log.info("signalled: SIG{} again: already stopping", name);
                }
            });
        }
    }
}
