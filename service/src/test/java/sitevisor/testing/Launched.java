package sitevisor.testing;

import sitevisor.posix.ProcStat;
import sitevisor.posix.Processes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A daemon and client runs through {@code bin/sitevisor}, as operators start them, in one test
 * folder. Every process it starts, and every site those start, carries a marker in its
 * environment, so {@link #close()} ends all of them, also when the test failed.
 */
public final class Launched implements AutoCloseable {
    public static final Path LAUNCHER = Path.of(System.getProperty("sitevisor.launcher", "../bin/sitevisor")).toAbsolutePath().normalize();
    public static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Path dir;
    private final String runId = UUID.randomUUID().toString();
    private final List<Process> started = new ArrayList<>();
    private final Path config;
    private int jolokiaPort;
    private int daemons;
    /** What {@code $SITEVISOR_CGROUPS} the daemons get; null to leave it unset (auto). */
    private String cgroups;
    /** Further variables the daemons started from now on get. */
    private final java.util.Map<String, String> daemonEnvironment = new java.util.LinkedHashMap<>();

    /** What one run of the launcher printed and how it ended. */
    public record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public Launched(Path dir) throws IOException {
        this.dir = dir;
        this.config = dir.resolve("sitevisor.yml");
        this.jolokiaPort = Probes.freePort();
    }

    public Path config() {
        return config;
    }

    /** Makes the daemons started from now on use this kind of cgroup: auto, v1, v2 or off. */
    public void useCgroups(String choice) {
        cgroups = choice;
    }

    /** Gives the daemons started from now on this environment variable too. */
    public void daemonEnvironment(String name, String value) {
        daemonEnvironment.put(name, value);
    }

    public Path home() {
        return dir.resolve("var");
    }

    public int jolokiaPort() {
        return jolokiaPort;
    }

    /** Writes the config: home var, the HTTP agent on a free port, any other top-level keys, then the sites. */
    public void writeConfig(String topLevel, String sites) throws IOException {
        writeConfig("", topLevel, sites);
    }

    /** Writes the config as {@link #writeConfig(String, String)}, with further keys of the agent, such as {@code origins: [http://127.0.0.1:8080]}. */
    public void writeConfig(String jolokiaKeys, String topLevel, String sites) throws IOException {
        String jolokia = "port: " + jolokiaPort + (jolokiaKeys.isEmpty() ? "" : ", " + jolokiaKeys);
        Files.writeString(config, "home: var\njolokia: { " + jolokia + " }\n" + topLevel + "sites:\n" + sites);
    }

    /** Starts {@code bin/sitevisor run} and waits until it supervises; its output goes to daemon-N.out. */
    public Process startDaemon() throws Exception {
        Process daemon = launchDaemon();
        Path output = dir.resolve("daemon-" + daemons + ".out");
        Await.until("the daemon supervising", WAIT, () -> {
            if (!daemon.isAlive()) throw new AssertionError("the daemon ended:\n" + Files.readString(output));
            return Files.readString(output).contains("supervising:");
        });
        return daemon;
    }

    /** Runs {@code bin/sitevisor run -c CONFIG} and returns at once; its output goes to the n-th daemon's file. */
    public Process launchDaemon() throws IOException {
        Path output = dir.resolve("daemon-" + ++daemons + ".out");
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "run", "-c", config.toString());
        builder.environment().put("SITEVISOR_TEST_RUN", runId);
        if (cgroups != null) builder.environment().put(sitevisor.posix.Cgroups.CHOICE, cgroups);
        builder.environment().putAll(daemonEnvironment);
        builder.redirectErrorStream(true).redirectOutput(output.toFile());
        Process daemon = builder.start();
        started.add(daemon);
        return daemon;
    }

    /** The output of the n-th daemon started, from 1. */
    public String daemonOutput(int n) throws IOException {
        return Files.readString(dir.resolve("daemon-" + n + ".out"));
    }

    /** Runs {@code bin/sitevisor ARGUMENTS -c CONFIG} to its end. */
    public Run cli(String... arguments) throws Exception {
        return cli(config, arguments);
    }

    /** Runs {@code bin/sitevisor ARGUMENTS -c FILE} to its end: another file than the daemon's. */
    public Run cli(Path configFile, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(arguments));
        command.addAll(List.of("-c", configFile.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("SITEVISOR_TEST_RUN", runId);
        Path out = Files.createTempFile(dir, "cli", ".out");
        Path err = Files.createTempFile(dir, "cli", ".err");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process cli = builder.start();
        started.add(cli);
        if (!cli.waitFor(60, TimeUnit.SECONDS)) throw new AssertionError("sitevisor " + String.join(" ", arguments) + " did not end");
        return new Run(cli.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Starts a process that ends with the test, marked like the daemon's. */
    public Process start(ProcessBuilder builder) throws IOException {
        builder.environment().put("SITEVISOR_TEST_RUN", runId);
        Process process = builder.start();
        started.add(process);
        return process;
    }

    @Override
    public void close() {
        started.forEach(Process::destroyForcibly);
        for (ProcStat p : Processes.all()) {
            if (Processes.environmentContains(p.pid(), "SITEVISOR_TEST_RUN=" + runId)) {
                ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        try {
            SiteCgroups.killAndRemove(home().resolve("run"));
        } catch (Exception e) {
            throw new IllegalStateException("processes left in the cgroups of " + home() + ": " + e.getMessage(), e);
        }
    }
}
