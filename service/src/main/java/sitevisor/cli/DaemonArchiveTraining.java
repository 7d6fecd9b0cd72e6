package sitevisor.cli;

import sitevisor.daemon.Main;
import sitevisor.posix.Native;
import sitevisor.posix.Signal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs the daemon once on a throwaway home — one site, the history, the HTTP agent — gives it a
 * status, a restart, a stop all and a start all through the client, then stops it as SIGTERM does, so that the
 * JVM that runs this with {@code -XX:ArchiveClassesAtExit} archives the classes a real start loads
 * (AppCDS). {@code bin/sitevisor} does it before the first {@code run} after each build: with the
 * archive the classes are mapped, not read, parsed and verified while the sites start, so the
 * sites answer sooner.
 *
 * <p>Everything it makes is under a temporary folder, removed at the end; the agent listens on a
 * free loopback port, and the site is {@code sleep}, stopped by the daemon's own shutdown.
 */
public final class DaemonArchiveTraining {
    private static final long DEADLINE_MILLIS = TimeUnit.SECONDS.toMillis(60);

    private DaemonArchiveTraining() {}

    public static void main(String[] args) throws Exception {
        Path home = Files.createTempDirectory("sitevisor-daemon-training");
        boolean trained;
        try {
            trained = train(home);
        } finally {
            ArchiveTraining.deleteTree(home);
        }
        // an exit, not a return: no thread the daemon left behind may hold bin/sitevisor's `run` up
        System.exit(trained ? 0 : 1);
    }

    private static boolean train(Path home) throws Exception {
        Path config = home.resolve("sitevisor.yml");
        Files.writeString(config, "home: .\njolokia: { host: 127.0.0.1, port: " + freeLoopbackPort() + " }\nsites:\n"
                + "  training:\n    command: [sleep, \"60\"]\n    startSeconds: 0s\n    stopTimeout: 5s\n");
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        String[] daemonArgs = {"run", "-c", config.toString()};
        Thread daemon = new Thread(() -> Main.run(daemonArgs, discard, discard), "training daemon");
        daemon.setDaemon(true);
        daemon.start();
        long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
        // a status answered: the daemon supervises, and its SIGTERM handler is in place
        while (Cli.run(new String[]{"status", "-c", config.toString()}, discard, discard) != 0) {
            if (System.currentTimeMillis() > deadline || !daemon.isAlive()) return false;
            Thread.sleep(50);
        }
        try {
            Cli.run(new String[]{"restart", "training", "-c", config.toString()}, discard, discard);
            Cli.run(new String[]{"stop", "all", "-c", config.toString()}, discard, discard);
            Cli.run(new String[]{"start", "all", "-c", config.toString()}, discard, discard);
        } finally {
            // the daemon's shutdown, as an operator's SIGTERM runs it: it stops the site too
            Native.posix().kill((int) ProcessHandle.current().pid(), Signal.TERM.number());
            daemon.join(Math.max(1, deadline - System.currentTimeMillis()));
        }
        return !daemon.isAlive();
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
