package sitevisor.config;

import sitevisor.config.file.Endpoint;
import sitevisor.scheduler.SiteSchedule;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated daemon configuration. Paths are absolute; every site is checked.
 *
 * @param file    the YAML file it was read from
 * @param home    the folder for {@code run/}, {@code logs/}, {@code db/} and the daemon's own log
 * @param jolokia where the HTTP agent listens
 * @param httpAccess which browser origins and which extra names in the Host header the HTTP agent accepts
 * @param jmxPort the remote JMX connector's port; 0 means off
 * @param sites   the sites in the order the file names them
 * @param history how long the history keeps events, and how many at most
 * @param schedules each site's tasks, maintenance window and drain timeout, by site, in the sites' order
 * @param maintenanceMaxConcurrent how many sites may be in maintenance at once on this host
 * @param memoryEmergency when the host is short of memory and how sites are stopped then; empty when the daemon leaves that to the kernel
 */
public record Config(Path file, Path home, Endpoint jolokia, HttpAccess httpAccess, int jmxPort, Map<String, SiteConfig> sites, HistoryPolicy history,
                     Map<String, SiteSchedule> schedules, int maintenanceMaxConcurrent, Optional<MemoryEmergency> memoryEmergency) {

    /**
     * What the HTTP agent accepts from browsers, beyond its own address: {@code jolokia.origins},
     * the web consoles allowed to call it (as a browser sends them: {@code http://localhost:8080}),
     * and {@code jolokia.allowedHosts}, further names a request's Host header may carry.
     */
    public record HttpAccess(List<String> origins, List<String> allowedHosts) {
        public static final HttpAccess NONE = new HttpAccess(List.of(), List.of());

        public HttpAccess {
            origins = List.copyOf(origins);
            allowedHosts = List.copyOf(allowedHosts);
        }
    }

    /** Events older than {@code keep} and beyond the newest {@code maxRows} are pruned. */
    public record HistoryPolicy(Duration keep, long maxRows) {
        public static final HistoryPolicy DEFAULT = new HistoryPolicy(Duration.ofDays(90), 1_000_000);
    }

    public Config {
        sites = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sites));
        schedules = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(schedules));
    }

    /** The site's schedule; a site that names none has no tasks and no window. */
    public SiteSchedule schedule(String site) {
        return schedules.getOrDefault(site, SiteSchedule.none(site));
    }

    /** Every site's schedule, in the sites' order. */
    public java.util.List<SiteSchedule> allSchedules() {
        return sites.keySet().stream().map(this::schedule).toList();
    }

    public Path runDir() {
        return home.resolve("run");
    }

    public Path logsDir() {
        return home.resolve("logs");
    }

    /** {@code user:password} for remote JMX (and the HTTP agent), readable by its owner alone. */
    public Path credentialsFile() {
        return home.resolve("credentials");
    }

    /** The history database's folder. */
    public Path dbDir() {
        return home.resolve("db");
    }

    public Path daemonLog() {
        return home.resolve("sitevisor.log");
    }

    public Optional<SiteConfig> site(String name) {
        return Optional.ofNullable(sites.get(name));
    }

    public List<String> siteNames() {
        return List.copyOf(sites.keySet());
    }
}
