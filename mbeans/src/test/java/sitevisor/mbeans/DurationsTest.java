package sitevisor.mbeans;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurationsTest {

    @ParameterizedTest(name = "{0} is {1} ms")
    @CsvSource({
            "0, 0",
            "250ms, 250",
            "10s, 10000",
            "5m, 300000",
            "2h, 7200000",
            "1d, 86400000",
            "1m30s, 90000",
            "1h0m5s, 3605000",
            "1s500ms, 1500",
    })
    void parsesWhatOperatorsWrite(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Durations.parse(text));
    }

    @ParameterizedTest(name = "''{0}'' is refused: {1}")
    @CsvSource(delimiter = '|', value = {
            "''       | it is empty",
            "10       | no unit after 10",
            "10x      | unknown unit 'x', not one of ms, s, m, h, d",
            "10S      | unknown unit 'S'",
            "1.5s     | whole numbers only",
            "-5s      | cannot be negative",
            "30s1m    | largest first",
            "1m1m     | largest first",
            "s        | expected a number",
            "1m 30s   | no spaces",
            "10;      | unexpected ';'",
            "soon     | expected a number",
            "99999999999999999999s | too large",
            "9999999999999999d | too large",
    })
    void refusesWithTheReason(String text, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertTrue(e.getMessage().startsWith("'" + text + "' is not a duration"), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertTrue(e.getMessage().endsWith("(try 10s, 2m)"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} ms formats as {1}")
    @CsvSource({
            "0, 0",
            "250, 250ms",
            "10000, 10s",
            "90000, 1m30s",
            "3605000, 1h5s",
            "86400000, 1d",
            "90061001, 1d1h1m1s1ms",
    })
    void formatsCompactlyAndReadsBack(long millis, String text) {
        assertEquals(text, Durations.format(Duration.ofMillis(millis)));
        assertEquals(Duration.ofMillis(millis), Durations.parse(text));
    }
}
