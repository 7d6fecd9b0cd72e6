package sitevisor.client;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class InvocationTest {
    private static List<String> words(String line) {
        return Arrays.stream(line.trim().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            status                          | status  |      |           | false | 10 | false
            status blog --json              | status  | blog |           | true  | 10 | false
            --json -c /etc/s.yml status     | status  |      | /etc/s.yml| true  | 10 | false
            restart all                     | restart | all  |           | false | 10 | false
            stop blog --config=/x.yml       | stop    | blog | /x.yml    | false | 10 | false
            logs blog -n 50 -f              | logs    | blog |           | false | 50 | true
            logs -n0 blog                   | logs    | blog |           | false | 0  | false
            kill shop                       | kill    | shop |           | false | 10 | false
            reload --json                   | reload  |      |           | true  | 10 | false
            run -c a.yml                    | run     |      | a.yml     | false | 10 | false
            history                         | history |      |           | false | 20 | false
            history blog -n 5 --since 2h    | history | blog |           | false | 5  | false
            """)
    void parsesWhatOperatorsType(String line, String command, String site, String config, boolean json, int lines, boolean follow) throws Exception {
        Invocation invocation = Invocation.parse(words(line));
        assertEquals(command, invocation.command());
        assertEquals(Optional.ofNullable(site), invocation.site());
        assertEquals(Optional.ofNullable(config).map(Path::of), invocation.configFile());
        assertEquals(json, invocation.json());
        assertEquals(lines, invocation.lines());
        assertEquals(follow, invocation.follow());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            --json                      | no command given
            frob                        | unknown command 'frob'
            tasks                       | tasks needs a site
            tasks --json                | tasks needs a site
            tasks all                   | tasks acts on one site at a time
            tasks blog run              | tasks SITE run needs the task's NAME
            tasks blog run a b          | tasks SITE run takes one task, got 'a b'
            tasks blog pause now        | tasks SITE pause takes nothing more, got 'now'
            tasks blog resume x         | tasks SITE resume takes nothing more, got 'x'
            tasks blog frob             | unknown tasks sub-command 'frob'
            tasks blog --force          | tasks takes no --force
            tasks blog --at 03:00       | tasks takes no --at
            maintenance blog            | maintenance needs --at TIME
            maintenance blog --json     | maintenance needs --at TIME
            maintenance --at 03:00      | maintenance needs a site
            maintenance all --at 03:00  | maintenance acts on one site at a time
            maintenance blog --at       | --at needs a time
            maintenance blog --at=      | --at needs a value
            maintenance blog --at 2020-01-01T03:00 | --at 2020-01-01T03:00 is not in the future
            maintenance a b --at 03:00  | maintenance takes one site, got 'a b'
            restart blog --at 03:00     | restart takes no --at
            start blog --force          | start takes no --force
            start all --force           | start takes no --force
            status --force              | status takes no --force
            kill blog --force           | kill takes no --force: kill skips the drain
            logs blog --force           | logs takes no --force
            history --force             | history takes no --force
            reload --force              | reload takes no --force
            history -n 0                | -n needs 1 to 10000 events, got 0
            status --since 2h           | status takes no --since
            restart                     | restart needs a site (or all)
            kill                        | kill needs a site
            kill all                    | kill acts on one site at a time
            logs all                    | logs acts on one site at a time
            status blog shop            | status takes one site, got 'blog shop'
            reload blog                 | reload takes no site, got 'blog'
            status -f                   | status takes no -f
            restart blog -n 3           | restart takes no -n
            logs blog -n                | -n needs a number of lines
            logs blog -n -3             | -n needs a number of lines (0 or more), got '-3'
            logs blog -n many           | -n needs a number of lines (0 or more), got 'many'
            status -c                   | -c needs a config file
            status --frce               | unknown option '--frce'
            check --json                | check takes no --json
            maintenance blog --at 25:00 | --at '25:00' is not a time
            maintenance blog --at soon  | --at 'soon' is not a time
            history --since yesterday   | --since 'yesterday' is not a time
            history blog --since 2026-13-01 | --since '2026-13-01' is not a time
            """)
    void refusesWhatIsNotACommandLine(String line, String message) {
        Invocation.UsageException e = assertThrows(Invocation.UsageException.class, () -> Invocation.parse(words(line)));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            tasks blog                      | blog |        |       |       | false | false
            tasks blog --json               | blog |        |       |       | false | true
            --json tasks blog               | blog |        |       |       | false | true
            tasks blog run sitemap          | blog | run    | sitemap |     | false | false
            tasks blog run sitemap --json   | blog | run    | sitemap |     | false | true
            tasks --json blog run sitemap   | blog | run    | sitemap |     | false | true
            tasks blog pause                | blog | pause  |       |       | false | false
            tasks blog resume               | blog | resume |       |       | false | false
            maintenance blog --at 23:59     | blog |        |       | 23:59 | false | false
            maintenance --at=03:30:15 blog  | blog |        |       | 03:30:15 | false | false
            maintenance blog --at 2099-12-01T03:30+01:00 --json | blog | | | 2099-12-01T03:30+01:00 | false | true
            stop blog --force               | blog |        |       |       | true  | false
            --force restart all             | all  |        |       |       | true  | false
            stop all --force --json         | all  |        |       |       | true  | true
            stop blog                       | blog |        |       |       | false | false
            """)
    void parsesTasksMaintenanceAndForce(String line, String site, String action, String task, String at, boolean force, boolean json)
            throws Exception {
        Invocation invocation = Invocation.parse(words(line));
        assertEquals(Optional.of(site), invocation.site());
        assertEquals(Optional.ofNullable(action), invocation.action());
        assertEquals(Optional.ofNullable(task), invocation.task());
        assertEquals(Optional.ofNullable(at), invocation.at());
        assertEquals(force, invocation.force());
        assertEquals(json, invocation.json());
    }

    /** A usage error ends before the client looks for a config or a daemon: exit 2, the message, then the usage. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tasks", "tasks blog run", "tasks blog frob", "maintenance blog", "start blog --force", "status --force"})
    void usageErrorsExitTwoWithTheMessageAndTheUsage(String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Cli.run(words(line).toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(Cli.USAGE, exit);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        String printed = err.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("sitevisor: "), printed);
        assertTrue(printed.contains("usage: sitevisor"), printed);
    }

    @Test
    void helpNamesTheNewForms() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(Cli.OK, Cli.run(new String[]{"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err));
        String help = out.toString(StandardCharsets.UTF_8);
        for (String form : List.of("sitevisor tasks   SITE  ", "sitevisor tasks   SITE run NAME", "sitevisor tasks   SITE pause|resume",
                "sitevisor maintenance SITE --at TIME", "sitevisor stop    SITE|all [--force]", "sitevisor restart SITE|all [--force]",
                "next maintenance")) {
            assertTrue(help.contains(form), form + " in\n" + help);
        }
    }
}
