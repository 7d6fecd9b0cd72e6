package sitevisor.mbeans;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

import static org.junit.jupiter.api.Assertions.*;

class HistoryTimesTest {
    // 2026-11-22 10:30 in Berlin (UTC+1)
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-22T09:30:00Z"), ZoneId.of("UTC"));
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "2h,                   2026-11-22T07:30:00Z",
            "30m,                  2026-11-22T09:00:00Z",
            "1d,                   2026-11-21T09:30:00Z",
            "03:00,                2026-11-22T02:00:00Z",
            "23:15,                2026-11-21T22:15:00Z",
            "9:05:30,              2026-11-22T08:05:30Z",
            "2026-11-20,           2026-11-19T23:00:00Z",
            "2026-11-20T03:00,     2026-11-20T02:00:00Z",
            "2026-11-20T03:00:00Z, 2026-11-20T03:00:00Z",
            "2026-11-20T03:00:00+05:00, 2026-11-19T22:00:00Z",
    })
    void readsTheFormsOperatorsType(String text, String expected) {
        assertEquals(Instant.parse(expected).toEpochMilli(), HistoryTimes.sinceMillis(text, NOW, BERLIN).getAsLong());
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"yesterday", "25:00", "2026-13-01", "2h ago", "-2h"})
    void refusesOtherTextNamingTheFormsItTakes(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HistoryTimes.sinceMillis(text, NOW, BERLIN));
        assertTrue(e.getMessage().contains("try 2h or 30m"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void nothingMeansFromTheBeginning(String text) {
        assertTrue(HistoryTimes.sinceMillis(text, NOW, BERLIN).isEmpty());
    }
}
