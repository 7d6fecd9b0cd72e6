package sitevisor.client;

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
            stop         | STOPPED: stopped in 94 ms                                                             | true
            kill         | STOPPED: SIGKILL to pid 42                                                        | true
            stop         | STOPPING: still waiting; a reason with a colon: here                              | false
            start        | ''                                                                                | false
            runTask      | started sitemap                                                                   | true
            """)
    void anOperationSucceedsOnlyWhenEveryInstanceEndedInItsState(String operation, String answer, boolean ok) {
        assertEquals(ok, Cli.endedAsAsked(operation, answer));
    }

    @ParameterizedTest(name = "{0}: {5}")
    @CsvSource(delimiter = '|', textBlock = """
            RUNNING | ready after 93 ms          |                   | 2026-12-07T16:58:10+01:00 | operator cli user root (jolokia user sitevisor from 127.0.0.1) | ''
            STOPPED | stopped in 94 ms           |                   | 2026-12-07T16:58:10+01:00 | operator cli user root (jolokia user sitevisor from 127.0.0.1) | stopped in 94 ms (operator cli user root, 12-07 16:58:10)
            FATAL   | gave up after 4 failed starts | exited with code 3 | 2026-12-07T03:30:00Z | policy retry (restart: on-failure)                         | gave up after 4 failed starts (policy retry, 12-07 03:30:00)
            EXITED  | ''                         | exited with code 0 | 2026-12-07T03:30:00Z    | daemon start-up                                                | exited with code 0 (daemon start-up, 12-07 03:30:00)
            STOPPED | ''                         | ''                 | ''                      | ''                                                             | ''
            """)
    void aStatusNoteSaysWhyWhoAndWhen(String state, String reason, String lastExit, String changedAt, String changedBy, String note) {
        java.util.Map<String, Object> instance = new java.util.HashMap<>();
        instance.put("reason", reason);
        instance.put("lastExit", lastExit == null ? "" : lastExit);
        instance.put("changedAt", changedAt);
        instance.put("changedBy", changedBy);
        assertEquals(note, Cli.note(state, instance));
    }
}
