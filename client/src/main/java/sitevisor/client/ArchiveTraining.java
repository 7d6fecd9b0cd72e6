package sitevisor.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Runs the client's commands once against a stand-in daemon on loopback, so that the JVM that
 * runs this with {@code -XX:ArchiveClassesAtExit} archives the classes a real command loads
 * (AppCDS): {@code bin/sitevisor} does it once after each build, whatever command comes first.
 */
public final class ArchiveTraining {
    private static final String STATUS_ANSWER = "{\"request\":{\"type\":\"read\"},\"status\":200,\"value\":["
            + "{\"site\":\"blog\",\"instance\":0,\"state\":\"RUNNING\",\"pid\":4242,\"uptimeMillis\":3723000,\"port\":8001,"
            + "\"memoryBytes\":91750400,\"restarts\":1,\"lastExit\":\"exited with code 1\",\"reason\":\"pid 4242 after 120 ms\",\"nextMaintenance\":\"2026-11-29T03:30:00+01:00\"},"
            + "{\"site\":\"shop\",\"instance\":0,\"state\":\"FATAL\",\"pid\":0,\"uptimeMillis\":0,\"port\":8002,"
            + "\"memoryBytes\":0,\"restarts\":3,\"lastExit\":\"killed by SIGKILL\",\"reason\":\"gave up after 4 attempts\",\"nextMaintenance\":\"\"}]}";
    private static final String OPERATION_ANSWER = "[{\"status\":200,\"value\":\"RUNNING: pid 4243 after 98 ms\"},"
            + "{\"status\":200,\"value\":[\"blog\",\"shop\"]}]";
    private static final String TASKS_ANSWER = "[{\"status\":200,\"value\":[{\"site\":\"blog\",\"name\":\"sitemap\",\"schedule\":\"0 * * * *\","
            + "\"action\":\"GET http://127.0.0.1:8001/tasks/sitemap\",\"timeoutMillis\":600000,\"missed\":\"run-once\",\"paused\":true,"
            + "\"nextRun\":\"\",\"lastRunStart\":\"2026-11-22T03:00:01+01:00\",\"lastRunMillis\":1250,\"lastResult\":\"HTTP 200\","
            + "\"lastOk\":true,\"runningSince\":\"2026-11-22T04:00:00+01:00\",\"runningPid\":4250,\"missedRuns\":0}]},"
            + "{\"status\":200,\"value\":[\"blog\",\"shop\"]}]";

    private ArchiveTraining() {}

    public static void main(String[] args) throws Exception {
        Path home = Files.createTempDirectory("sitevisor-archive-training");
        try (ServerSocket daemon = new ServerSocket(0, 2, InetAddress.getLoopbackAddress())) {
            Files.writeString(home.resolve("credentials"), "sitevisor:training\n");
            Path config = home.resolve("sitevisor.yml");
            Files.writeString(config, "home: .\njolokia: { host: 127.0.0.1, port: " + daemon.getLocalPort() + " }\nsites:\n  blog:\n    command: [true]\n");
            Thread answering = new Thread(() -> answer(daemon, STATUS_ANSWER, OPERATION_ANSWER, TASKS_ANSWER), "stand-in daemon");
            answering.setDaemon(true);
            answering.start();
            PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
            Cli.run(new String[]{"status", "-c", config.toString()}, discard, discard);
            Cli.run(new String[]{"restart", "blog", "-c", config.toString()}, discard, discard);
            Cli.run(new String[]{"tasks", "blog", "-c", config.toString()}, discard, discard);
            answering.join(5000);
        } finally {
            deleteTree(home);
        }
    }

    /** A training's temporary folder and all in it; what cannot be removed stays. */
    static void deleteTree(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    private static void answer(ServerSocket daemon, String... answers) {
        for (String answer : answers) {
            try (Socket client = daemon.accept()) {
                readRequest(client.getInputStream());
                byte[] body = answer.getBytes(StandardCharsets.UTF_8);
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                return; // the training only fills the archive; a missed answer leaves it a little emptier
            }
        }
    }

    /** Reads the head and the body of Content-Length bytes, so the client's write never meets a closed socket. */
    private static void readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            if (head.size() >= 4 && head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) break;
        }
        for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) in.readNBytes(Integer.parseInt(line.substring(15).trim()));
        }
    }
}
