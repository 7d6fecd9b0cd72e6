package sitevisor.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CliTest {
    @ParameterizedTest(name = "{0} answered ''{1}'' -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            start        | RUNNING: pid 42 after 93 ms (port 8001 accepts connections)                     | true
            start        | RUNNING: already running                                                          | true
            start        | BACKOFF: exited with code 3 while starting; retry 1 of 3 in 1 s                   | false
            start        | FATAL: gave up after 4 attempts                                                   | false
            start        | RUNNING: pid 42 after 9 ms; BACKOFF: exited with code 3 while starting            | false
            restart      | RUNNING: pid 43 after 120 ms; RUNNING: pid 44 after 130 ms                        | true
            forceRestart | STOPPED: did not start                                                            | false
            stop         | STOPPED: after 94 ms                                                              | true
            kill         | STOPPED: SIGKILL to pid 42                                                        | true
            stop         | STOPPING: still waiting; a reason with a colon: here                              | false
            start        | ''                                                                                | false
            runTask      | started sitemap                                                                   | true
            """)
    void anOperationSucceedsOnlyWhenEveryInstanceEndedInItsState(String operation, String answer, boolean ok) {
        assertEquals(ok, Cli.endedAsAsked(operation, answer));
    }
}
