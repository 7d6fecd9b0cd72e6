package sitevisor.db;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM on the test class path running {@link HistoryChild}: a second daemon for the lock,
 * a daemon killed with SIGKILL for durability. Closing it kills it, so a failed test leaves nothing.
 */
final class ChildJvm implements AutoCloseable {
    final Process process;
    private final BufferedReader out;

    ChildJvm(Path stderrFile, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), HistoryChild.class.getName()));
        command.addAll(List.of(args));
        process = new ProcessBuilder(command).redirectError(stderrFile.toFile()).start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** The next line the child printed, or null once it exited. */
    String readLine() throws IOException {
        return out.readLine();
    }

    /**
     * SIGKILL, then wait for the kernel to have ended it (its file lock goes with it). Through the
     * ProcessHandle: Process.destroyForcibly sends the same signal but also closes our end of the
     * child's stdout, and what it printed just before dying must still be read.
     */
    void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) throw new AssertionError("child " + process.pid() + " still alive 10 s after SIGKILL");
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.toHandle().destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        out.close();
    }
}
