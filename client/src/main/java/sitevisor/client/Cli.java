package sitevisor.client;

import sitevisor.config.file.CommandLine;
import sitevisor.config.file.ConfigException;
import sitevisor.config.file.ConfigProblem;
import sitevisor.config.file.DaemonAddress;
import sitevisor.config.file.Sizes;
import sitevisor.mbeans.SiteNames;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code sitevisor COMMAND}: the operator's client. Every client command finds the daemon from
 * the config file it runs, speaks to it through its Jolokia agent, and ends with an exit code a
 * script can act on: 0 done, 1 refused or failed, 2 usage, 3 the daemon cannot be reached.
 * {@code run} and {@code check} are the daemon's ({@code sitevisor.daemon.Main}): bin/sitevisor
 * sends them there, and this client knows nothing of the daemon but its MBeans and its files.
 */
public final class Cli {
    private static final java.util.regex.Pattern INSTANCE_STATE = java.util.regex.Pattern.compile(
            "(?:^|; )(" + String.join("|", java.util.Arrays.stream(sitevisor.mbeans.SiteState.values()).map(Enum::name).toList()) + "): ");
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;

    static final String USAGE_TEXT = CommandLine.USAGE;

    // a status must answer even while operations occupy the daemon; an operation is bounded by
    // the daemon's own timeouts (startTimeout, stopTimeout), so the client waits as long as it works
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration OPERATION_TIMEOUT = Duration.ZERO;
    private static final SupervisorCalls SUPERVISOR = SupervisorCalls.of();

    private final Invocation invocation;
    private final PrintStream out;
    private final PrintStream err;

    private Cli(Invocation invocation, PrintStream out, PrintStream err) {
        this.invocation = invocation;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || List.of("-h", "--help", "help").contains(args[0])) {
            (args.length == 0 ? err : out).println(USAGE_TEXT);
            return args.length == 0 ? USAGE : OK;
        }
        Invocation invocation;
        try {
            invocation = Invocation.parse(List.of(args));
        } catch (Invocation.UsageException e) {
            err.println("sitevisor: " + e.getMessage());
            err.println(USAGE_TEXT);
            return USAGE;
        }
        if (invocation.command().equals("run") || invocation.command().equals("check")) {
            // the daemon's commands: read here only so that a mistake in one gets the usage error above
            err.println("sitevisor " + invocation.command() + ": the daemon's command, not the client's: bin/sitevisor "
                    + invocation.command() + " runs it with the daemon's jar (sitevisor.daemon.Main)");
            return USAGE;
        }
        Path configFile = CommandLine.configFile(invocation.configFile());
        return new Cli(invocation, out, err).client(configFile);
    }

    private int client(Path configFile) {
        DaemonAddress daemon;
        if (!java.nio.file.Files.exists(configFile)) {
            return fail(USAGE, "no config at " + configFile + ": give -c FILE or set SITEVISOR_CONFIG to the file the daemon runs");
        }
        try {
            daemon = DaemonAddress.read(configFile);
        } catch (ConfigException e) {
            List<String> problems = e.problems().stream().map(ConfigProblem::toString).toList();
            return fail(FAILED, String.join("\n", problems) + "\ncannot find the daemon of " + configFile + " (fix the config, or give -c FILE)");
        }
        if (invocation.command().equals("logs")) {
            return new LogTail(daemon, invocation, out, err).run();
        }
        try {
            JolokiaClient client = JolokiaClient.of(daemon);
            client.listensElsewhere().ifPresent(running -> err.println("sitevisor: the daemon of " + daemon.home() + " listens on "
                    + running.host() + ":" + running.port() + ", not on " + daemon.jolokia().host() + ":" + daemon.jolokia().port()
                    + " as " + daemon.file() + " now says; restart the daemon to apply that"));
            String site = invocation.site().orElse(null);
            boolean all = "all".equals(site);
            // --force: the same operation without the drain (only stop and restart take it)
            boolean force = invocation.force();
            return switch (invocation.command()) {
                case "status" -> status(client, site);
                case "start" -> all ? allSites(client, SUPERVISOR.startAll()) : oneSite(client, site, SiteCalls::start);
                case "stop" -> all ? allSites(client, force ? SUPERVISOR.forceStopAll() : SUPERVISOR.stopAll())
                        : oneSite(client, site, force ? SiteCalls::forceStop : SiteCalls::stop);
                case "restart" -> all ? allSites(client, force ? SUPERVISOR.forceRestartAll() : SUPERVISOR.restartAll())
                        : oneSite(client, site, force ? SiteCalls::forceRestart : SiteCalls::restart);
                case "kill" -> oneSite(client, site, SiteCalls::kill);
                case "tasks" -> invocation.action().isEmpty() ? tasks(client, site) : switch (invocation.action().get()) {
                    case Invocation.TASKS_RUN -> oneSite(client, site, calls -> calls.runTask(invocation.task().orElseThrow()));
                    case Invocation.TASKS_PAUSE -> oneSite(client, site, SiteCalls::pauseTasks);
                    case Invocation.TASKS_RESUME -> oneSite(client, site, SiteCalls::resumeTasks);
                    default -> throw new IllegalStateException("unhandled tasks sub-command " + invocation.action().get());
                };
                case "maintenance" -> oneSite(client, site, calls -> calls.scheduleMaintenance(invocation.at().orElseThrow()));
                case "reload" -> reload(client, daemon.file());
                case "history" -> history(client, site);
                default -> throw new IllegalStateException("unhandled command " + invocation.command());
            };
        } catch (JolokiaClient.Unreachable e) {
            return fail(UNREACHABLE, "sitevisor is not reachable for " + daemon.file() + ": " + e.getMessage()
                    + "\nstart it with: sitevisor run -c " + daemon.file());
        } catch (JolokiaClient.Refused e) {
            return fail(FAILED, e.getMessage());
        }
    }

    private int status(JolokiaClient client, String site) throws JolokiaClient.Unreachable, JolokiaClient.Refused {
        List<Map<String, Object>> rows;
        if (site != null && !SiteNames.isValid(site)) return fail(FAILED, SiteNames.unknown(site, knownSites(client)));
        if (site == null) {
            // every instance of every site, in the config's order, in one read of one attribute
            Answer<List<Map<String, Object>>> answer = client.send(SUPERVISOR.getInstances(), STATUS_TIMEOUT);
            if (!answer.ok()) return fail(FAILED, answer.error());
            rows = answer.value();
        } else {
            var answers = client.send(SiteCalls.of(site).getInstances(), SUPERVISOR.getSites(), STATUS_TIMEOUT);
            List<String> known = answers.second().valueOr(List.of());
            if (!known.contains(site)) return fail(FAILED, SiteNames.unknown(site, known));
            rows = answers.first().valueOr(List.of());
        }
        Map<String, List<Map<String, Object>>> bySite = new LinkedHashMap<>();
        for (Map<String, Object> row : rows) {
            bySite.computeIfAbsent(Json.text(row, "site"), name -> new ArrayList<>()).add(instanceRow(row));
        }
        if (invocation.json()) {
            List<Map<String, Object>> sites = new ArrayList<>();
            for (Map.Entry<String, List<Map<String, Object>>> entry : bySite.entrySet()) {
                Map<String, Object> printed = new LinkedHashMap<>();
                printed.put("site", entry.getKey());
                printed.put("instances", entry.getValue());
                sites.add(printed);
            }
            out.println(Json.write(Map.of("sites", sites)));
            return OK;
        }
        Table table = new Table("SITE", "INSTANCE", "STATE", "PID", "UPTIME", "PORT", "MEMORY", "RESTARTS", "NEXT MAINT.", "NOTE");
        for (Map.Entry<String, List<Map<String, Object>>> entry : bySite.entrySet()) {
            for (Map<String, Object> instance : entry.getValue()) {
                String state = Json.text(instance, "state");
                long pid = Json.number(instance, "pid");
                long port = Json.number(instance, "port");
                long memoryBytes = Json.number(instance, "memoryBytes");
                table.row(entry.getKey(), Json.number(instance, "instance"), state,
                        pid == 0 ? "-" : pid, pid == 0 ? "-" : Table.duration(Json.number(instance, "uptimeMillis")),
                        port == 0 ? "-" : port, memory(memoryBytes, instance),
                        Json.number(instance, "restarts"), Table.dateTime(Json.text(instance, "nextMaintenance"), false),
                        note(state, instance));
            }
        }
        out.print(table);
        return OK;
    }

    private static final List<String> INSTANCE_FIELDS = List.of("instance", "state", "pid", "uptimeMillis", "port", "memoryBytes",
            "memoryPeakBytes", "memoryWarnBytes", "memoryRestartBytes", "restarts", "lastExit", "reason", "nextMaintenance", "changedAt", "changedBy");

    /** What the instance costs, and beside it the limit it is restarted at (else the one it is warned at): {@code 83.2MB/512MB}. */
    static String memory(long memoryBytes, Map<String, Object> instance) {
        if (memoryBytes == 0) return "-";
        long restart = Json.number(instance, "memoryRestartBytes");
        long limit = restart > 0 ? restart : Json.number(instance, "memoryWarnBytes");
        return limit > 0 ? Table.bytes(memoryBytes) + "/" + Sizes.format(limit) : Table.bytes(memoryBytes);
    }

    /** An instance's fields in the order of the table, whatever order the JSON parser kept. */
    private static Map<String, Object> instanceRow(Map<String, Object> instance) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (String field : INSTANCE_FIELDS) row.put(field, instance.get(field));
        return row;
    }

    /**
     * Why a site is not running, who made it so and when: what an operator asks next. Who is the
     * actor without the door it came through, {@code operator cli user alice}.
     */
    static String note(String state, Map<String, Object> instance) {
        if (state.equals("RUNNING")) return "";
        String reason = Json.text(instance, "reason");
        String why = reason.isEmpty() ? Json.text(instance, "lastExit") : reason;
        String by = Json.text(instance, "changedBy");
        int door = by.indexOf(" (");
        if (door > 0) by = by.substring(0, door);
        String at = Json.text(instance, "changedAt");
        if (by.isEmpty() || at.isEmpty()) return why;
        return why + " (" + by + ", " + Table.dateTime(at, true) + ")";
    }

    /**
     * Runs one operation of a site's MBean and prints the message it returns.
     *
     * @param operation which operation of {@link SiteCalls}, once the site's name is known to be one
     */
    private int oneSite(JolokiaClient client, String site, Function<SiteCalls, Call<String>> operation)
            throws JolokiaClient.Unreachable, JolokiaClient.Refused {
        if (!SiteNames.isValid(site)) return fail(FAILED, SiteNames.unknown(site, knownSites(client)));
        Call<String> call = operation.apply(SiteCalls.of(site));
        // the known sites come with the same answer, for the message a mistyped name gets
        var answers = client.send(call, SUPERVISOR.getSites(), OPERATION_TIMEOUT);
        Answer<String> answer = answers.first();
        List<String> known = answers.second().valueOr(List.of());
        boolean answered = answer.ok();
        String message = answered ? answer.value() : known.contains(site) ? answer.error() : SiteNames.unknown(site, known);
        boolean ok = answered && endedAsAsked(call.name(), message);
        if (invocation.json()) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("site", site);
            result.put("operation", call.name());
            result.put("ok", ok);
            result.put(ok ? "result" : "error", message);
            out.println(Json.write(result));
        } else {
            if (ok) out.println(site + ": " + message);
            else err.println("sitevisor " + invocation.command() + ": " + (answered ? site + ": " : "") + message);
        }
        return ok ? OK : FAILED;
    }

    /**
     * Whether every instance ended in the state the operation is for: a start that ended in
     * BACKOFF or FATAL has failed, whatever the daemon answered. The Site MBean answers each
     * instance as {@code STATE: what happened}, joined by {@code "; "}.
     */
    static boolean endedAsAsked(String operation, String answer) {
        String wanted = switch (operation) {
            case "start", "restart", "forceRestart" -> "RUNNING";
            case "stop", "forceStop", "kill" -> "STOPPED";
            default -> null;
        };
        if (wanted == null) return true;
        java.util.regex.Matcher states = INSTANCE_STATE.matcher(answer);
        boolean any = false;
        while (states.find()) {
            any = true;
            if (!states.group(1).equals(wanted)) return false;
        }
        return any;
    }

    /** @param call one of the Supervisor's operations over every site: startAll, stopAll, forceStopAll, ... */
    private int allSites(JolokiaClient client, Call<List<Map<String, Object>>> call) throws JolokiaClient.Unreachable, JolokiaClient.Refused {
        Answer<List<Map<String, Object>>> answer = client.send(call, OPERATION_TIMEOUT);
        if (!answer.ok()) return fail(FAILED, answer.error());
        List<Map<String, Object>> outcomes = answer.value();
        boolean allOk = outcomes.stream().allMatch(o -> Json.flag(o, "ok"));
        if (invocation.json()) {
            Map<String, Object> result = new LinkedHashMap<>();
            // printed as the command says it: restart, forceStop, ...
            result.put("operation", call.name().substring(0, call.name().length() - "All".length()));
            result.put("ok", allOk);
            result.put("outcomes", outcomes);
            out.println(Json.write(result));
        } else {
            out.print(outcomeTable(outcomes));
        }
        return allOk ? OK : FAILED;
    }

    private static Table outcomeTable(List<Map<String, Object>> outcomes) {
        Table table = new Table("SITE", "INSTANCE", "STATE", "RESULT");
        for (Map<String, Object> outcome : outcomes) {
            table.row(Json.text(outcome, "site"), Json.number(outcome, "instance"), Json.text(outcome, "state"),
                    (Json.flag(outcome, "ok") ? "" : "failed: ") + Json.text(outcome, "message"));
        }
        return table;
    }

    private static final List<String> TASK_FIELDS = List.of("site", "name", "schedule", "action", "timeoutMillis", "missed", "paused",
            "nextRun", "lastRunStart", "lastRunMillis", "lastResult", "lastOk", "runningSince", "runningPid", "missedRuns");

    /** The site's tasks: one exec of tasks(), with the known sites in the same request for a mistyped name. */
    private int tasks(JolokiaClient client, String site) throws JolokiaClient.Unreachable, JolokiaClient.Refused {
        if (!SiteNames.isValid(site)) return fail(FAILED, SiteNames.unknown(site, knownSites(client)));
        var answers = client.send(SiteCalls.of(site).tasks(), SUPERVISOR.getSites(), STATUS_TIMEOUT);
        Answer<List<Map<String, Object>>> answer = answers.first();
        if (!answer.ok()) {
            List<String> known = answers.second().valueOr(List.of());
            return fail(FAILED, known.contains(site) ? answer.error() : SiteNames.unknown(site, known));
        }
        List<Map<String, Object>> tasks = new ArrayList<>();
        for (Map<String, Object> each : answer.value()) {
            Map<String, Object> task = new LinkedHashMap<>();
            for (String field : TASK_FIELDS) task.put(field, each.get(field));
            tasks.add(task);
        }
        // paused is the site's, so every row carries the same
        boolean paused = tasks.stream().anyMatch(task -> Json.flag(task, "paused"));
        if (invocation.json()) {
            Map<String, Object> printed = new LinkedHashMap<>();
            printed.put("site", site);
            printed.put("paused", paused);
            printed.put("tasks", tasks);
            out.println(Json.write(printed));
            return OK;
        }
        if (tasks.isEmpty()) {
            out.println(site + ": no scheduled tasks");
            return OK;
        }
        out.print(taskTable(tasks));
        if (paused) out.println("paused: no task of " + site + " falls due until: sitevisor tasks " + site + " resume");
        return OK;
    }

    static Table taskTable(List<Map<String, Object>> tasks) {
        Table table = new Table("TASK", "SCHEDULE", "NEXT RUN", "LAST RUN", "TOOK", "RESULT", "RUNNING", "MISSED");
        for (Map<String, Object> task : tasks) {
            String nextRun = Json.text(task, "nextRun");
            String lastRun = Json.text(task, "lastRunStart");
            String result = Json.text(task, "lastResult");
            String runningSince = Json.text(task, "runningSince");
            long runningPid = Json.number(task, "runningPid");
            table.row(Json.text(task, "name"), Json.text(task, "schedule"),
                    nextRun.isEmpty() && Json.flag(task, "paused") ? "paused" : Table.dateTime(nextRun, true),
                    Table.dateTime(lastRun, true), lastRun.isEmpty() ? "-" : Table.took(Json.number(task, "lastRunMillis")),
                    result.isEmpty() ? "-" : result,
                    runningSince.isEmpty() ? "-" : "since " + Table.dateTime(runningSince, true) + (runningPid == 0 ? "" : " pid " + runningPid),
                    Json.number(task, "missedRuns"));
        }
        return table;
    }

    private static final List<String> HISTORY_FIELDS = List.of("id", "time", "atMillis", "site", "instance", "pid", "kind", "from", "to",
            "exitCode", "signal", "durationMillis", "actor", "reason", "details");
    private static final java.time.format.DateTimeFormatter LOCAL_TIME = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private int history(JolokiaClient client, String site) throws JolokiaClient.Unreachable, JolokiaClient.Refused {
        Answer<List<Map<String, Object>>> answer = client.send(
                SUPERVISOR.queryHistory(site == null ? "" : site, invocation.since().orElse(""), invocation.lines()), STATUS_TIMEOUT);
        if (!answer.ok()) return fail(FAILED, answer.error());
        List<Map<String, Object>> events = new ArrayList<>();
        for (Map<String, Object> each : answer.value()) {
            Map<String, Object> event = new LinkedHashMap<>();
            for (String field : HISTORY_FIELDS) event.put(field, each.get(field));
            events.add(event);
        }
        if (invocation.json()) {
            out.println(Json.write(Map.of("events", events)));
            return OK;
        }
        Table table = new Table("TIME", "SITE", "INSTANCE", "EVENT", "STATE", "PID", "TOOK", "WHO", "REASON");
        java.time.ZoneId zone = java.time.ZoneId.systemDefault();
        for (Map<String, Object> event : events) {
            String from = Json.text(event, "from");
            String to = Json.text(event, "to");
            String siteName = Json.text(event, "site");
            long pid = Json.number(event, "pid");
            long tookMillis = Json.number(event, "durationMillis");
            table.row(LOCAL_TIME.format(java.time.Instant.ofEpochMilli(Json.number(event, "atMillis")).atZone(zone)),
                    siteName.isEmpty() ? "(daemon)" : siteName, siteName.isEmpty() ? "" : Json.number(event, "instance"),
                    Json.text(event, "kind"), from.isEmpty() ? "" : from + " -> " + to, pid == 0 ? "-" : pid,
                    tookMillis < 0 ? "" : Table.took(tookMillis),
                    Json.text(event, "actor"), Json.text(event, "reason"));
        }
        out.print(table);
        return OK;
    }

    private int reload(JolokiaClient client, Path configFile) throws JolokiaClient.Unreachable, JolokiaClient.Refused {
        // a reload re-reads the daemon's own file: one given with -c that shares its home would otherwise seem applied
        Answer<String> running = client.send(SUPERVISOR.getConfigFile(), STATUS_TIMEOUT);
        if (running.ok() && !sameFile(Path.of(running.value()), configFile)) {
            return fail(FAILED, "the daemon of this home runs " + running.value() + ", not " + configFile
                    + ": a reload re-reads the daemon's own file; edit that one, or restart the daemon with -c " + configFile);
        }
        Answer<Map<String, Object>> answer = client.send(SUPERVISOR.reload(), OPERATION_TIMEOUT);
        if (!answer.ok()) return fail(FAILED, answer.error() + "\nthe running config stays");
        Map<String, Object> result = answer.value();
        List<Map<String, Object>> outcomes = Json.list(result.get("outcomes")).stream().map(Json::map).toList();
        boolean allOk = outcomes.stream().allMatch(o -> Json.flag(o, "ok"));
        if (invocation.json()) {
            Map<String, Object> printed = new LinkedHashMap<>();
            printed.put("ok", allOk);
            for (String key : List.of("added", "removed", "changed", "retuned", "unchanged")) printed.put(key, Json.list(result.get(key)));
            printed.put("outcomes", outcomes);
            out.println(Json.write(printed));
        } else {
            for (String key : List.of("added", "removed", "changed", "retuned", "unchanged")) {
                List<Object> names = Json.list(result.get(key));
                out.println((key + ":").concat(" ".repeat(10 - key.length())) + (names.isEmpty() ? "-" : String.join(", ", names.stream().map(Object::toString).toList())));
            }
            if (!outcomes.isEmpty()) out.print(outcomeTable(outcomes));
        }
        return allOk ? OK : FAILED;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return java.nio.file.Files.isSameFile(a, b);
        } catch (java.io.IOException unreadable) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    private static List<String> knownSites(JolokiaClient client) throws JolokiaClient.Unreachable, JolokiaClient.Refused {
        return client.send(SUPERVISOR.getSites(), STATUS_TIMEOUT).valueOr(List.of());
    }

    private int fail(int exitCode, String message) {
        if (invocation.json()) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("ok", false);
            result.put("error", message);
            out.println(Json.write(result));
        } else {
            err.println("sitevisor " + invocation.command() + ": " + message);
        }
        return exitCode;
    }
}
