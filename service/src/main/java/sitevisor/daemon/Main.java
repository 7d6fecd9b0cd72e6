package sitevisor.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.config.file.CommandLine;
import sitevisor.config.file.ConfigException;
import sitevisor.config.file.ConfigProblem;
import sitevisor.config.Config;
import sitevisor.config.ConfigLoader;
import sitevisor.history.HistoryRecorder;
import sitevisor.mbeans.Actor;
import sitevisor.memory.MemoryWatch;
import sitevisor.posix.HostMemory;
import sitevisor.posix.Native;
import sitevisor.posix.Ports;
import sitevisor.security.Credentials;
import sitevisor.scheduler.SchedulerEvents;
import sitevisor.supervise.Supervisor;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code sitevisor run|check [-c FILE]}: the daemon in the foreground, and the config check.
 * {@code bin/sitevisor} runs this class for those two commands, and the client's jar for every
 * other; a command line is read here as the client reads one (options before or after the
 * command), and a mistake in it gets the client's words and the usage of every command.
 */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    /** The daemon's commands; the client has the others. */
    static final Set<String> COMMANDS = Set.of("run", "check");

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || List.of("-h", "--help", "help").contains(args[0])) {
            (args.length == 0 ? err : out).println(CommandLine.USAGE);
            return args.length == 0 ? USAGE : OK;
        }
        Command command;
        try {
            command = Command.parse(List.of(args));
        } catch (IllegalArgumentException e) {
            err.println("sitevisor: " + e.getMessage());
            err.println(CommandLine.USAGE);
            return USAGE;
        }
        return command.name().equals("check") ? check(command.configFile(), out, err) : runDaemon(command.configFile(), err);
    }

    /**
     * {@code run} or {@code check} and the config file it means.
     *
     * <p>The words are split as the client splits them ({@link CommandLine#split}); the client's
     * options are refused here in the client's words ({@code run takes no --json}), and MainTest
     * holds the two readings to the same answers.
     */
    record Command(String name, Path configFile) {
        /** Why neither daemon command takes an option of the client's, by the option as the client names it. */
        private static final Map<String, String> NOT_TAKEN = Map.of(
                "-n", "", "-f", "", "--since", "", "--json", "",
                "--at", " (maintenance SITE --at TIME does)",
                "--force", " (stop and restart do: they skip the drain)");
        private static final List<String> NOT_TAKEN_ORDER = List.of("-n", "-f", "--since", "--at", "--force", "--json");

        /** @throws IllegalArgumentException with what is wrong, in the words of the client's usage errors */
        static Command parse(List<String> arguments) {
            CommandLine.Words words = CommandLine.split(arguments);
            String command = words.command();
            if (command == null) throw new IllegalArgumentException("no command given");
            if (!COMMANDS.contains(command)) {
                throw new IllegalArgumentException("unknown command '" + command + "' (the daemon's are run and check; "
                        + "bin/sitevisor gives the others to the client)");
            }
            if (!words.positional().isEmpty()) {
                throw new IllegalArgumentException(command + " takes no site, got '" + String.join(" ", words.positional()) + "'");
            }
            for (String option : NOT_TAKEN_ORDER) {
                if (words.has(option)) throw new IllegalArgumentException(command + " takes no " + option + NOT_TAKEN.get(option));
            }
            return new Command(command, CommandLine.configFile(words.configFile()));
        }
    }

    private static int check(Path configFile, PrintStream out, PrintStream err) {
        try {
            Config config = ConfigLoader.load(configFile);
            out.println(configFile + ": OK, " + config.sites().size() + " site" + (config.sites().size() == 1 ? "" : "s")
                    + (config.sites().isEmpty() ? "" : " (" + String.join(", ", config.siteNames()) + ")"));
            return OK;
        } catch (ConfigException e) {
            printProblems(e, "", err);
            return FAILED;
        }
    }

    /** @param consequence what the problems stopped, said after their count: a check stops nothing */
    private static void printProblems(ConfigException e, String consequence, PrintStream err) {
        for (ConfigProblem problem : e.problems()) err.println(problem);
        int n = e.problems().size();
        err.println(n + " problem" + (n == 1 ? "" : "s") + " found" + consequence);
    }

    private static int runDaemon(Path configFile, PrintStream err) {
        // jnr's libc bindings are slow to make; the first spawn needs them, reading the config and
        // opening the history do not: made beside those, they are ready.
        // The same thread caps malloc's arenas, before the start's threads make more of them, then
        // makes jnr-posix's bindings, which only the first signal or reap needs: the spawns go on meanwhile.
        Thread bindings = new Thread(() -> {
            Native.limitMallocArenas();
            Native.posix();
        }, "native-bindings");
        bindings.setDaemon(true);
        bindings.start();
        Config config;
        try {
            config = ConfigLoader.load(configFile);
        } catch (ConfigException e) {
            printProblems(e, "; nothing was started", err);
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
        private final Config config;
        private final DaemonLock lock;
        private final CountDownLatch stopRequested = new CountDownLatch(1);
        private final AtomicBoolean stopping = new AtomicBoolean();

        Daemon(Config config, DaemonLock lock) {
            this.config = config;
            this.lock = lock;
        }

        /**
         * Starts the sites at once and opens the history, the scheduler and the doors beside them
         * (see {@link Services}); the doors' ports are tried first, so a held one still stops the
         * daemon before any site is touched.
         */
        int runUntilSignalled() {
            long began = System.nanoTime();
            EventLog eventLog = new EventLog();
            Clock clock = Clock.systemUTC();
            HistoryRecorder recorder = new HistoryRecorder(clock);
            SchedulerEvents taskEvents = event -> {
                eventLog.onEvent(event);
                recorder.onEvent(event);
            };
            // closed last: the events of the shutdown are written before the database closes
            try (Services services = new Services(config, clock, recorder, Credentials.loadOrCreate(config.credentialsFile()))) {
                try (Supervisor supervisor = new Supervisor(config, event -> {
                    eventLog.onEvent(event);
                    recorder.onEvent(event);
                    services.onEvent(event);
                }, taskEvents, clock)) {
                    try {
                        refuseHeldPort("the HTTP agent", config.jolokia().host(), config.jolokia().port());
                        if (config.jmxPort() != 0) refuseHeldPort("remote JMX", Services.REMOTE_JMX_HOST, config.jmxPort());
                        return superviseUntilSignalled(supervisor, services, recorder, began);
                    } finally {
                        services.closeDoorsAndTasks();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // one line an operator acts on; where it came from only for whoever debugs
                log.error("cannot start: {}", e.getMessage() == null ? e.toString() : e.getMessage());
                log.debug("cannot start", e);
                return FAILED;
            } finally {
                try {
                    lock.close();
                } catch (IOException ignored) {
                    // the kernel drops the lock with the process anyway
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

        private int superviseUntilSignalled(Supervisor supervisor, Services services, HistoryRecorder recorder, long began) throws IOException {
            try {
                onSignal("TERM");
                onSignal("INT");
                log.info("starting: sitevisor pid {} with {} ({} sites), home {}", ProcessHandle.current().pid(),
                        config.file(), config.sites().size(), config.home());
                recorder.daemonEvent("started: pid " + ProcessHandle.current().pid() + " with " + config.file() + " ("
                        + config.sites().size() + " sites)", Actor.daemon("start-up"));
                CompletableFuture<Void> opened = services.openBeside(supervisor);
                supervisor.startUp();
                try {
                    opened.join();
                } catch (CompletionException e) {
                    // the sites are up; like after a kill -9 of the daemon they keep running, and the next run adopts them
                    log.error("cannot start: {}; exiting, the sites keep running and the next `sitevisor run` adopts them{}",
                            e.getCause().getMessage(), recorder.attached() ? "" : " (the events of this start are in this log only)");
                    log.debug("cannot start", e.getCause());
                    if (recorder.attached()) recorder.daemonEvent("exiting: " + e.getCause().getMessage(), Actor.daemon("start-up"));
                    return FAILED;
                }
                lock.announce(config.jolokia().host(), services.agentPort());
                services.startTasks();
                log.info("supervising: {} sites, {} instances, ready after {} ms", config.sites().size(), supervisor.all().size(),
                        (System.nanoTime() - began) / 1_000_000);
                log.info("memory: {}", MemoryWatch.describe(config));
                try (MemoryWatch watch = MemoryWatch.start(supervisor, hostMemory(), Clock.systemUTC())) {
                    stopRequested.await();
                }
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

        /**
         * The host's memory files; {@code SITEVISOR_MEMINFO} and {@code SITEVISOR_MEMORY_PRESSURE}
         * name others in their place, so a test can bring about a host emergency without
         * exhausting the memory of the machine it runs on.
         */
        private static HostMemory hostMemory() {
            String meminfo = System.getenv("SITEVISOR_MEMINFO");
            if (meminfo == null || meminfo.isEmpty()) return new HostMemory();
            String pressure = System.getenv("SITEVISOR_MEMORY_PRESSURE");
            log.warn("memory: reading the host's memory from {} and its pressure from {}, as SITEVISOR_MEMINFO says", meminfo,
                    pressure == null || pressure.isEmpty() ? "nowhere" : pressure);
            return new HostMemory(Path.of(meminfo), pressure == null || pressure.isEmpty() ? null : Path.of(pressure));
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
