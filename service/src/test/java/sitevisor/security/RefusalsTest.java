package sitevisor.security;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import sitevisor.testing.LogLines;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RefusalsTest {
    private final AtomicLong nanos = new AtomicLong(1_000);

    @Test
    void oneLineAMinutePerKindThenHowManyMoreCame() {
        try (LogLines lines = new LogLines(RefusalsTest.class)) {
            Refusals refusals = new Refusals(LoggerFactory.getLogger(RefusalsTest.class), nanos::get);
            refusals.refused("http 403 10.0.0.9", "HTTP 403 to 10.0.0.9: Host 'evil.example' is not this agent's address");
            for (int i = 0; i < 5; i++) {
                nanos.addAndGet(TimeUnit.SECONDS.toNanos(10));
                refusals.refused("http 403 10.0.0.9", "again");
            }
            refusals.refused("http 401 10.0.0.9", "HTTP 401 to 10.0.0.9: wrong user or password");
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(11));
            refusals.refused("http 403 10.0.0.9", "HTTP 403 to 10.0.0.9: a browser request from http://evil.example is refused");

            assertEquals(List.of(
                    "WARNING refused: HTTP 403 to 10.0.0.9: Host 'evil.example' is not this agent's address",
                    "WARNING refused: HTTP 401 to 10.0.0.9: wrong user or password",
                    "WARNING refused: HTTP 403 to 10.0.0.9: a browser request from http://evil.example is refused (and 5 more like it since the last such line)"),
                    lines.all());
        }
    }

    @Test
    void whatAClientSentCannotForgeALine() {
        try (LogLines lines = new LogLines(RefusalsTest.class)) {
            new Refusals(LoggerFactory.getLogger(RefusalsTest.class), nanos::get)
                    .refused("http 403", "Host 'x\nINFO stopped: every site' is not this agent's address");
            assertEquals(List.of("WARNING refused: Host 'x?INFO stopped: every site' is not this agent's address"), lines.all());
        }
    }
}
