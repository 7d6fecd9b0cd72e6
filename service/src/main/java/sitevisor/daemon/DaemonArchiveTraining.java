package sitevisor.daemon;

import sitevisor.mbeans.HttpAgentPaths;
import sitevisor.mbeans.ObjectNames;
import sitevisor.posix.Native;
import sitevisor.posix.Signal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the daemon once on a throwaway home — one site, the history, the HTTP agent — gives it a
 * status, a restart, a stop all and a start all over HTTP as the client sends them, then stops it
 * as SIGTERM does, so that the JVM that runs this with {@code -XX:ArchiveClassesAtExit} archives
 * the classes a real start loads (AppCDS). {@code bin/sitevisor} does it before the first
 * {@code run} after each build: with the archive the classes are mapped, not read, parsed and
 * verified while the sites start, so the sites answer sooner.
 *
 * <p>The requests go over plain HTTP ({@link HttpURLConnection}), not through the client, which is
 * not on the daemon's class path: what the daemon loads to answer them is what gets archived.
 * Everything it makes is under a temporary folder, removed at the end; the agent listens on a free
 * loopback port, and the site is {@code sleep}, stopped by the daemon's own shutdown.
 */
public final class DaemonArchiveTraining {
    private static final long DEADLINE_MILLIS = TimeUnit.SECONDS.toMillis(60);
    private static final String SUPERVISOR = ObjectNames.SUPERVISOR.getCanonicalName();

    private DaemonArchiveTraining() {}

    public static void main(String[] args) throws Exception {
        Path home = Files.createTempDirectory("sitevisor-daemon-training");
        boolean trained;
        try {
            trained = train(home);
        } finally {
            deleteTree(home);
        }
        // an exit, not a return: no thread the daemon left behind may hold bin/sitevisor's `run` up
        System.exit(trained ? 0 : 1);
    }

    private static boolean train(Path home) throws Exception {
        Path config = home.resolve("sitevisor.yml");
        int port = freeLoopbackPort();
        Files.writeString(config, "home: .\njolokia: { host: 127.0.0.1, port: " + port + " }\nsites:\n"
                + "  training:\n    command: [sleep, \"60\"]\n    startSeconds: 0s\n    stopTimeout: 5s\n");
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        String[] daemonArgs = {"run", "-c", config.toString()};
        Thread daemon = new Thread(() -> Main.run(daemonArgs, discard, discard), "training daemon");
        daemon.setDaemon(true);
        daemon.start();
        long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
        URI agent = URI.create("http://127.0.0.1:" + port + HttpAgentPaths.CONTEXT + "/");
        // a status answered: the daemon supervises, and its SIGTERM handler is in place
        while (!post(agent, home, "{\"type\":\"read\",\"mbean\":\"" + SUPERVISOR + "\",\"attribute\":\"Instances\"}").contains("\"status\":200")) {
            if (System.currentTimeMillis() > deadline || !daemon.isAlive()) return false;
            Thread.sleep(50);
        }
        try {
            // as the client sends an operation on one site: with a read of the site names, in one bulk request
            post(agent, home, "[{\"type\":\"exec\",\"mbean\":\"" + ObjectNames.site("training").getCanonicalName()
                    + "\",\"operation\":\"restart\"},{\"type\":\"read\",\"mbean\":\"" + SUPERVISOR + "\",\"attribute\":\"Sites\"}]");
            post(agent, home, "{\"type\":\"exec\",\"mbean\":\"" + SUPERVISOR + "\",\"operation\":\"stopAll\"}");
            post(agent, home, "{\"type\":\"exec\",\"mbean\":\"" + SUPERVISOR + "\",\"operation\":\"startAll\"}");
        } finally {
            // the daemon's shutdown, as an operator's SIGTERM runs it: it stops the site too
            Native.posix().kill((int) ProcessHandle.current().pid(), Signal.TERM.number());
            daemon.join(Math.max(1, deadline - System.currentTimeMillis()));
        }
        return !daemon.isAlive();
    }

    /**
     * Posts one request to the agent with the credentials the daemon wrote, as the client does,
     * and returns the answer's body; empty while the daemon has not written its credentials or
     * does not listen yet.
     */
    private static String post(URI agent, Path home, String json) {
        try {
            String credentials = Files.readString(home.resolve("credentials")).trim();
            HttpURLConnection http = (HttpURLConnection) agent.toURL().openConnection();
            http.setConnectTimeout(2000);
            http.setReadTimeout((int) DEADLINE_MILLIS);
            http.setRequestMethod("POST");
            http.setDoOutput(true);
            http.setRequestProperty("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
            http.setRequestProperty(HttpAgentPaths.CLI_USER_HEADER, System.getProperty("user.name", ""));
            http.setRequestProperty("Content-Type", "application/json");
            try (OutputStream body = http.getOutputStream()) {
                body.write(json.getBytes(StandardCharsets.UTF_8));
            }
            int status = http.getResponseCode();
            try (InputStream answer = status < 400 ? http.getInputStream() : http.getErrorStream()) {
                return answer == null ? "" : new String(answer.readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                http.disconnect();
            }
        } catch (IOException notYet) {
            return "";
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** The training's temporary folder and all in it; what cannot be removed stays. */
    private static void deleteTree(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }
}
