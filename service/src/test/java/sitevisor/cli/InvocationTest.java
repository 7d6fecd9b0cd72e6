package sitevisor.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
            tasks blog                  | 'tasks' is not in this version of sitevisor yet
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
            status --force              | unknown option '--force'
            check --json                | check takes no --json
            """)
    void refusesWhatIsNotACommandLine(String line, String message) {
        Invocation.UsageException e = assertThrows(Invocation.UsageException.class, () -> Invocation.parse(words(line)));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }
}
