package sitevisor.config;

import sitevisor.config.file.Problems;
import sitevisor.config.file.YamlMap;
import sitevisor.mbeans.SiteNames;
import sitevisor.scheduler.CronSchedule;
import sitevisor.scheduler.MaintenanceSpec;
import sitevisor.scheduler.MissedPolicy;
import sitevisor.scheduler.SiteSchedule;
import sitevisor.scheduler.TaskAction;
import sitevisor.scheduler.TaskSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Reads what a site asks of the scheduler: {@code tasks}, {@code maintenance} and {@code drainTimeout}. */
final class ScheduleLoader {
    static final YamlMap.Keys TASK_KEYS = YamlMap.Keys.of("cron", "http", "method", "command", "timeout", "missed");
    static final YamlMap.Keys MAINTENANCE_KEYS = YamlMap.Keys.of("cron", "drainTimeout");
    static final Duration DEFAULT_TASK_TIMEOUT = Duration.ofHours(1);

    private ScheduleLoader() {}

    /**
     * The site's schedule, its problems reported; {@code {port}} and {@code {instance}} in a task's
     * URL or command mean instance 0's.
     *
     * @param commands reads a task's command and finds its program as the site's own are (reported when they cannot be)
     */
    static Optional<SiteSchedule> load(YamlMap site, String name, int port, Problems problems, Commands commands) {
        int before = problems.count();
        Duration drainTimeout = site.duration("drainTimeout", true).orElse(SiteSchedule.DEFAULT_DRAIN_TIMEOUT);
        Map<String, TaskSpec> tasks = new LinkedHashMap<>();
        site.map("tasks", YamlMap.Keys.ANY).ifPresent(taskMap -> {
            for (String task : taskMap.keys()) {
                if (!SiteNames.isValid(task)) {
                    taskMap.fail(task, "task name '" + task + "' must match " + SiteNames.RULE);
                    continue;
                }
                taskMap.map(task, TASK_KEYS).flatMap(settings -> task(settings, task, port, commands)).ifPresent(spec -> tasks.put(task, spec));
            }
        });
        MaintenanceSpec maintenance = site.map("maintenance", MAINTENANCE_KEYS).flatMap(ScheduleLoader::maintenance).orElse(null);
        if (problems.count() != before) return Optional.empty();
        return Optional.of(new SiteSchedule(name, drainTimeout, tasks, maintenance));
    }

    /** Reads commands as the site's own {@code command} is read. */
    interface Commands {
        /** The words of {@code settings}' key {@code command}; empty when they cannot be read (reported). */
        Optional<List<String>> words(YamlMap settings);

        /** The program, found as execvp would from the site's directory; empty when it is not found (reported). */
        Optional<Path> program(YamlMap settings, String program);
    }

    private static Optional<TaskSpec> task(YamlMap settings, String name, int port, Commands commands) {
        Optional<CronSchedule> schedule = cron(settings);
        Duration timeout = settings.duration("timeout", false).orElse(DEFAULT_TASK_TIMEOUT);
        MissedPolicy missed = MissedPolicy.RUN_ONCE;
        Optional<String> missedText = settings.text("missed", "run-once or skip");
        if (missedText.isPresent()) {
            missed = MissedPolicy.fromConfig(missedText.get());
            if (missed == null) {
                settings.fail("missed", "'" + missedText.get() + "' is not a policy for missed runs (run-once or skip)");
                missed = MissedPolicy.RUN_ONCE;
            }
        }
        Optional<TaskAction> action = Optional.empty();
        boolean http = settings.has("http");
        boolean command = settings.has("command");
        if (http == command) {
            settings.fail(http ? "command" : "cron", http ? "a task has either http: or command:, not both"
                    : "the task needs an action: http: \"http://127.0.0.1:8001/tasks/" + name + "\" or command: [./" + name + ".sh]");
        } else if (http) {
            action = httpAction(settings, port);
        } else {
            if (settings.has("method")) settings.fail("method", "only an http: task has a method");
            action = commandAction(settings, port, commands);
        }
        if (schedule.isEmpty() || action.isEmpty()) return Optional.empty();
        return Optional.of(new TaskSpec(name, schedule.get(), action.get(), timeout, missed));
    }

    private static Optional<MaintenanceSpec> maintenance(YamlMap settings) {
        Optional<CronSchedule> schedule = cron(settings);
        Duration drainTimeout = settings.has("drainTimeout") ? settings.duration("drainTimeout", true).orElse(null) : null;
        return schedule.map(cron -> new MaintenanceSpec(cron, drainTimeout));
    }

    private static Optional<CronSchedule> cron(YamlMap settings) {
        if (!settings.has("cron")) {
            settings.fail("cron", "is required: when it runs, as crontab's 5 fields (\"0 3 * * *\") or Quartz's 6 or 7");
            return Optional.empty();
        }
        Optional<String> text = settings.text("cron", "a schedule such as \"0 3 * * *\"");
        if (text.isEmpty()) return Optional.empty();
        try {
            return Optional.of(CronSchedule.parse(text.get()));
        } catch (IllegalArgumentException e) {
            settings.fail("cron", e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<TaskAction> httpAction(YamlMap settings, int port) {
        Optional<String> text = settings.text("http", "an http:// URL such as http://127.0.0.1:8001/tasks/sitemap");
        String method = settings.text("method", "GET or POST").map(m -> m.toUpperCase(Locale.ROOT)).orElse("GET");
        if (!method.equals("GET") && !method.equals("POST")) {
            settings.fail("method", "'" + method + "' is not GET or POST");
            return Optional.empty();
        }
        if (text.isEmpty()) return Optional.empty();
        String expanded = text.get().replace("{port}", Integer.toString(port)).replace("{instance}", "0");
        if (text.get().contains("{port}") && port == 0) {
            settings.fail("http", "uses {port}, but the site has no port");
            return Optional.empty();
        }
        return SiteLoader.httpUrl(settings, "http", text.get(), expanded, "http://127.0.0.1:8001/tasks/sitemap")
                .map(uri -> new TaskAction.Http(uri, method));
    }

    private static Optional<TaskAction> commandAction(YamlMap settings, int port, Commands commands) {
        Optional<List<String>> words = commands.words(settings);
        if (words.isEmpty()) return Optional.empty();
        if (port == 0 && words.get().stream().anyMatch(word -> word.contains("{port}"))) {
            settings.fail("command", "uses {port}, but the site has no port");
            return Optional.empty();
        }
        List<String> expanded = new ArrayList<>();
        for (String word : words.get()) expanded.add(word.replace("{port}", Integer.toString(port)).replace("{instance}", "0"));
        Optional<Path> program = commands.program(settings, expanded.get(0));
        if (program.isEmpty()) return Optional.empty();
        // the program as found, so the task runs what check found, whatever PATH the daemon has later
        expanded.set(0, program.get().toString());
        return Optional.of(new TaskAction.Command(expanded));
    }
}
