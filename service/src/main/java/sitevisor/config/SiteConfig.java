package sitevisor.config;

import sitevisor.posix.Signal;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One validated site. {@code {instance}} and {@code {port}} in the command, the environment and
 * the health URL are replaced per instance; instance {@code i} gets {@code port + i}.
 *
 * @param name          matches {@code [a-z0-9][a-z0-9._-]*}; used in JMX names and file names
 * @param command       the argument list, never run through a shell; element 0 is the program as written
 * @param program       the program's absolute path, checked to exist and be executable
 * @param directory     the working directory of every instance
 * @param environment   added to the daemon's environment for every instance
 * @param port          the first instance's port; 0 when the site names none
 * @param health        a URL that answers 2xx when an instance is ready, placeholders unreplaced; null when none
 * @param pidFile       where a program that daemonizes itself writes its pid; null when none
 * @param startSeconds  with neither port nor health: ready after staying up this long
 * @param startRetries  attempts after the first failed start before the instance is FATAL
 * @param restartLimit  crashes of a running instance within {@code restartWindow} before it is FATAL
 * @param backoff       the delay before the first retry; it doubles per failure, jittered
 * @param backoffMax    the cap of that delay
 * @param memory        the limits each instance's memory is held to
 * @param priority      in a host memory emergency, sites of lower priority are stopped first
 */
public record SiteConfig(
        String name,
        List<String> command,
        Path program,
        Path directory,
        Map<String, String> environment,
        int port,
        String health,
        Path pidFile,
        int instances,
        boolean autostart,
        RestartPolicy restart,
        Duration startTimeout,
        Duration startSeconds,
        int startRetries,
        Signal stopSignal,
        Duration stopTimeout,
        int restartLimit,
        Duration restartWindow,
        Duration backoff,
        Duration backoffMax,
        LogPolicy logs,
        MemoryLimits memory,
        int priority) {

    public SiteConfig {
        command = List.copyOf(command);
        environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    }

    /**
     * Whether {@code other} is this site with other memory limits or priority and nothing else:
     * settings the watch reads as it goes, which a reload applies without a restart.
     */
    public boolean differsOnlyInTuning(SiteConfig other) {
        return !equals(other) && withTuning(other.memory, other.priority).equals(other);
    }

    private SiteConfig withTuning(MemoryLimits memory, int priority) {
        return new SiteConfig(name, command, program, directory, environment, port, health, pidFile, instances, autostart, restart,
                startTimeout, startSeconds, startRetries, stopSignal, stopTimeout, restartLimit, restartWindow, backoff, backoffMax, logs,
                memory, priority);
    }

    /** The port of instance {@code i}, or 0 when the site has none. */
    public int portOf(int instance) {
        return port == 0 ? 0 : port + instance;
    }

    public List<String> commandOf(int instance) {
        List<String> args = new ArrayList<>(command.size());
        for (String arg : command) args.add(expand(arg, instance));
        return args;
    }

    public Map<String, String> environmentOf(int instance) {
        Map<String, String> env = new LinkedHashMap<>();
        environment.forEach((k, v) -> env.put(k, expand(v, instance)));
        return env;
    }

    public Optional<URI> healthOf(int instance) {
        return Optional.ofNullable(health).map(url -> URI.create(expand(url, instance)));
    }

    /** How an instance is named in messages and file names: {@code blog} alone, {@code blog-2} among several. */
    public String instanceName(int instance) {
        return instances == 1 ? name : name + "-" + instance;
    }

    /** The pid file a daemonizing program writes, for instance {@code i} (expanded like the command). */
    public Optional<Path> pidFileOf(int instance) {
        return Optional.ofNullable(pidFile).map(p -> Path.of(expand(p.toString(), instance)));
    }

    private String expand(String text, int instance) {
        return text.replace("{instance}", Integer.toString(instance))
                .replace("{port}", Integer.toString(portOf(instance)));
    }
}
