package sitevisor.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TableTest {
    @Test
    void padsEachColumnToItsWidestCellAndLeavesNoTrailingBlanks() {
        String table = new Table("SITE", "STATE", "NOTE").row("blog", "RUNNING", "").row("a-long-name", "FATAL", "exited with code 1").toString();
        assertEquals("""
                SITE         STATE    NOTE
                blog         RUNNING
                a-long-name  FATAL    exited with code 1
                """, table);
    }

    @ParameterizedTest
    @CsvSource({"0,0s", "45999,45s", "60000,1m00s", "723000,12m03s", "11520000,3h12m", "187200000,2d04h"})
    void durationsShowTheTwoLargestUnits(long millis, String expected) {
        assertEquals(expected, Table.duration(millis));
    }

    @ParameterizedTest
    @CsvSource({"512,512B", "348160,340KB", "91750400,87.5MB", "1288490189,1.2GB", "314572800,300MB"})
    void sizesShowOneUnit(long bytes, String expected) {
        assertEquals(expected, Table.bytes(bytes));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {
            "2026-11-22T03:00:01+01:00,true,11-22 03:00:01",
            "2026-11-22T03:00:01+01:00,false,11-22 03:00",
            "2026-01-05T23:59:00Z,true,01-05 23:59:00",
            "2026-11-22T03:00+01:00,true,11-22 03:00:00",
            "'',true,-",
            "NULL,false,-",
            "not a time,true,not a time"})
    void dateTimesShowMonthDayAndTimeInTheOffsetGiven(String iso, boolean seconds, String expected) {
        assertEquals(expected, Table.dateTime(iso, seconds));
    }

    @ParameterizedTest
    @CsvSource({"0,0ms", "999,999ms", "1000,1s", "723000,12m03s"})
    void tookShowsMillisecondsBelowASecond(long millis, String expected) {
        assertEquals(expected, Table.took(millis));
    }

    private static Map<String, Object> task(String name, boolean paused, String nextRun, String lastRunStart, long lastRunMillis,
                                            String lastResult, String runningSince, long runningPid, int missedRuns) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("name", name);
        task.put("schedule", "0 * * * *");
        task.put("paused", paused);
        task.put("nextRun", nextRun);
        task.put("lastRunStart", lastRunStart);
        task.put("lastRunMillis", lastRunMillis);
        task.put("lastResult", lastResult);
        task.put("runningSince", runningSince);
        task.put("runningPid", runningPid);
        task.put("missedRuns", missedRuns);
        return task;
    }

    @Test
    void taskTableShowsNextLastRunningAndMissed() {
        String table = Cli.taskTable(List.of(
                task("sitemap", false, "2026-11-22T04:00:00+01:00", "2026-11-22T03:00:01+01:00", 1250, "HTTP 200",
                        "2026-11-22T03:30:00+01:00", 4242, 2),
                task("publish", false, "2026-11-22T03:35:00+01:00", "", -1, "", "", 0, 0))).toString();
        assertEquals("""
                TASK     SCHEDULE   NEXT RUN        LAST RUN        TOOK  RESULT    RUNNING                        MISSED
                sitemap  0 * * * *  11-22 04:00:00  11-22 03:00:01  1s    HTTP 200  since 11-22 03:30:00 pid 4242  2
                publish  0 * * * *  11-22 03:35:00  -               -     -         -                              0
                """, table);
    }

    @Test
    void aPausedTaskShowsPausedForItsNextRun() {
        String table = Cli.taskTable(List.of(task("sitemap", true, "", "2026-11-22T03:00:01+01:00", 80, "exit 1",
                "2026-11-22T03:30:00+01:00", 0, 0))).toString();
        assertEquals("""
                TASK     SCHEDULE   NEXT RUN  LAST RUN        TOOK  RESULT  RUNNING               MISSED
                sitemap  0 * * * *  paused    11-22 03:00:01  80ms  exit 1  since 11-22 03:30:00  0
                """, table);
    }
}
