package sitevisor.scheduler;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CronScheduleTest {
    static final ZoneId UTC = ZoneOffset.UTC;
    /** Mid-minute, so that "strictly after" and the first minute are both exercised. */
    static final Instant START = Instant.parse("2030-03-14T10:17:23Z");
    /** "now" for the schedules bound to a year, so that the tests do not expire with it. */
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            */5 * * * *               | 0 */5 * * * ?
            0 3 * * 0                 | 0 0 3 ? * 1
            30 3 * * 7                | 0 30 3 ? * 1
            0 9 * * 1-5               | 0 0 9 ? * 2-6
            0 9 * * 5-7               | 0 0 9 ? * 6,7,1
            0 0 1 * *                 | 0 0 0 1 * ?
            0 0 * * */2               | 0 0 0 ? * 1,3,5,7
            15 10 * JAN,jul mon-fri   | 0 15 10 ? JAN,JUL MON-FRI
            0 0 * * 0-7               | 0 0 0 * * ?
            0 0 * * 0,7               | 0 0 0 ? * 1
            0 0 * * 3-7/2             | 0 0 0 ? * 4,6,1
            0 0 * * */3               | 0 0 0 ? * 1,4,7
            0 12 * * mon-fri/2        | 0 0 12 ? * 2,4,6
            0 12 * * mon-5            | 0 0 12 ? * 2-6
            0 22 * * fri-sat,sun      | 0 0 22 ? * FRI-SAT,SUN
            05 4 * feb-apr/2 sat,SUN  | 0 5 4 ? 2-4/2 SAT,SUN
            */20 1-3 1,15 * *         | 0 */20 1-3 1,15 * ?
            0 0 */10 * *              | 0 0 0 */10 * ?
            0 8-18/2 * * 1-5          | 0 0 8-18/2 ? * 2-6
            0 0 1-31 * *              | 0 0 0 1-31 * ?
            0 0 */2 * */1             | 0 0 0 */2 * ?
            0 0 */1 * 6               | 0 0 0 ? * 7
            """)
    void translatesCrontabLines(String written, String quartz) {
        CronSchedule schedule = CronSchedule.parse(written);
        assertEquals(quartz, schedule.quartzExpression());
        assertEquals(written, schedule.written());
    }

    /** The next 20 fire times agree with crontab's own rule, evaluated minute by minute. */
    @ParameterizedTest
    @ValueSource(strings = {
            "*/5 * * * *", "0 3 * * 0", "30 3 * * 7", "0 9 * * 1-5", "0 9 * * 5-7", "0 0 1 * *", "0 0 * * */2",
            "15 10 * JAN,jul mon-fri", "0 0 * * 3-7/2", "0 0 * * */3", "0 12 * * mon-fri/2", "0 22 * * fri-sat,sun",
            "05 4 * feb-apr/2 sat,SUN", "*/20 1-3 1,15 * *", "0 0 */10 * *", "0 8-18/2 * * 1-5", "0 0 31 * *",
            "0 0 */2 * */1", "0 0 */1 * 6"})
    void firesWhenCrontabWould(String written) {
        assertEquals(Crontab.nextFires(written, START, 20), nextFires(CronSchedule.parse(written), START, 20));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            @yearly    | 0 0 0 1 1 ?
            @annually  | 0 0 0 1 1 ?
            @monthly   | 0 0 0 1 * ?
            @weekly    | 0 0 0 ? * 1
            @daily     | 0 0 0 * * ?
            @midnight  | 0 0 0 * * ?
            @hourly    | 0 0 * * * ?
            @Daily     | 0 0 0 * * ?
            """)
    void translatesMacros(String written, String quartz) {
        CronSchedule schedule = CronSchedule.parse(written);
        assertEquals(quartz, schedule.quartzExpression());
        assertEquals(written, schedule.written());
        String crontab = MACROS.get(written.toLowerCase(Locale.ROOT));
        assertEquals(Crontab.nextFires(crontab, START, 8), nextFires(schedule, START, 8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 0/5 * * * ?", "0 15 10 ? * 6L 2030", "0 0 12 L * ?", "0 0 9 ? * MON-FRI *", "0 0 13 ? * mon-fri",
            "0 30 2 L-3 * ?", "0 0 12 15W * ?", "0 0 12 LW * ?", "0 0 12 ? * 6#3", "0 0 12 ? * FRIL", "0 0/15 9-17 ? JAN,MAR-MAY/2 2-6",
            "*/10 * * * * ?", "0 0 22-2 * * ?"})
    void passesQuartzFormsThrough(String written) {
        assertEquals(written, CronSchedule.parse(written, NOW).quartzExpression());
    }

    @Test
    void quartzFormMeansWhatQuartzSays() {
        CronSchedule lastFriday = CronSchedule.parse("0 15 10 ? * 6L 2030", NOW);
        assertEquals(Optional.of(Instant.parse("2030-01-25T10:15:00Z")),
                lastFriday.nextAfter(Instant.parse("2030-01-01T00:00:00Z"), UTC));
        assertEquals(Optional.empty(), lastFriday.nextAfter(Instant.parse("2030-12-27T10:15:00Z"), UTC));
        CronSchedule everyFive = CronSchedule.parse("0 0/5 * * * ?");
        assertEquals(Optional.of(Instant.parse("2030-03-14T10:20:00Z")), everyFive.nextAfter(START, UTC));
    }

    @Test
    void trimsAndCollapsesWhitespace() {
        CronSchedule crontab = CronSchedule.parse("  */5\t*   * *\n*  ");
        assertEquals("*/5 * * * *", crontab.written());
        assertEquals("0 */5 * * * ?", crontab.quartzExpression());
        assertEquals("0 0/5 * * * ?", CronSchedule.parse(" 0  0/5 * * *\t? ").quartzExpression());
        assertEquals("@daily", CronSchedule.parse(" @daily ").written());
    }

    @Test
    void saysHowManyFieldsToWrite() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("*/5 * * *"));
        assertEquals("'*/5 * * *' has 4 fields; write crontab's 5 (minute hour day-of-month month day-of-week) "
                + "or Quartz's 6 or 7 (seconds first)", e.getMessage());
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                // emptiness and field counts
                Arguments.of("", "the schedule is empty"),
                Arguments.of(" \t ", "the schedule is empty"),
                Arguments.of("*", "'*' has 1 field; write crontab's 5"),
                Arguments.of("every day at noon", "'every day at noon' has 4 fields"),
                Arguments.of("0 3 * * * /usr/bin/backup --all --now", "has 8 fields"),
                Arguments.of("0 3 * * * /usr/bin/backup", "fields are read as Quartz's: seconds minute hour"),
                // out of range, per field
                Arguments.of("60 * * * *", "minute 60 is out of range 0-59 in '60 * * * *'"),
                Arguments.of("0 24 * * *", "hour 24 is out of range 0-23 in '0 24 * * *'"),
                Arguments.of("0 0-24 * * *", "hour 24 is out of range 0-23"),
                Arguments.of("0 0 0 * *", "day-of-month 0 is out of range 1-31"),
                Arguments.of("0 0 32 * *", "day-of-month 32 is out of range 1-31"),
                Arguments.of("0 0 * 0 *", "month 0 is out of range 1-12"),
                Arguments.of("0 0 * 13 *", "month 13 is out of range 1-12"),
                Arguments.of("0 0 * * 8", "day-of-week 8 is out of range 0-7"),
                Arguments.of("0 0 * * 1-8", "day-of-week 8 is out of range 0-7"),
                Arguments.of("99999999999 * * * *", "minute 99999999999 is out of range 0-59"),
                // day-of-month and day-of-week
                Arguments.of("0 0 1 * 1", "crontab then runs on days matching EITHER"),
                Arguments.of("0 0 1-31 * mon-fri", "write two tasks"),
                Arguments.of("0 0 */2 * 1", "crontab runs only on days matching BOTH"),
                Arguments.of("0 0 1 * */2", "write '*' in one of the two"),
                // macros
                Arguments.of("@reboot", "@reboot is not a schedule"),
                Arguments.of("@weekdays", "'@weekdays' is not a known macro; use one of @yearly, @annually, @monthly, "
                        + "@weekly, @daily, @midnight, @hourly"),
                Arguments.of("@daily 3", "stands alone"),
                // garbage and what crontab and Quartz read differently
                Arguments.of("a b c d e", "'a' in minute in 'a b c d e' is not a number"),
                Arguments.of("0 3 * * foo", "unknown day-of-week 'foo' in '0 3 * * foo'; use SUN-SAT or 0-7"),
                Arguments.of("0 3 * sept *", "unknown month 'sept'"),
                Arguments.of("0 3 * mon *", "unknown month 'mon'"),
                Arguments.of("0 3 * * monday", "unknown day-of-week 'monday'"),
                Arguments.of("~ * * * *", "random ranges are not supported"),
                Arguments.of("0 0 * * fri-sun", "runs backwards (5 > 0); crontab does not wrap around — write 5-7"),
                Arguments.of("0 22-2 * * *", "write 22-23,0-2"),
                Arguments.of("0 0 * * sat-tue", "write 6-7,1-2"),
                Arguments.of("5/10 * * * *", "has a step but no range end"),
                Arguments.of("*/0 * * * *", "step 0 in minute"),
                Arguments.of("*/60 * * * *", "step 60 in minute '*/60' in '*/60 * * * *' is wider than the field's "
                        + "range 0-59: crontab would fire only at minute 0, not every 60 minutes"),
                Arguments.of("0 0 * jan-dec/12 *", "step 12 in month"),
                Arguments.of("*/x * * * *", "is not a step"),
                Arguments.of("1,,2 * * * *", "empty list item in minute"),
                Arguments.of("*,5 * * * *", "'*' must stand alone"),
                Arguments.of("1-2-3 * * * *", "is not a range"),
                Arguments.of("0 0 L * *", "uses Quartz's syntax"),
                Arguments.of("0 0 15W * *", "uses Quartz's syntax"),
                Arguments.of("0 0 ? * 1", "uses Quartz's syntax"),
                Arguments.of("0 0 * * 5#2", "uses Quartz's syntax"),
                Arguments.of("0 0 * * 5L", "uses Quartz's syntax"),
                // never fires
                Arguments.of("0 0 0 1 1 ? 2000", "'0 0 0 1 1 ? 2000' never fires after now"),
                Arguments.of("0 0 31 2 *", "never fires after now"),
                Arguments.of("0 0 30 2,4 *", null),
                // what Quartz's parser reads past: trailing characters, a step of nothing
                Arguments.of("0 0 13 ? * MON12345", "'MON12345' in the day-of-week field of '0 0 13 ? * MON12345' is not a day of the week"),
                Arguments.of("0 0 13 ? * MON12345", "(6 fields are read as Quartz's: seconds minute hour"),
                Arguments.of("0/0 * * * * ?", "'0/0' in the seconds field of '0/0 * * * * ?' has a step of 0, outside 1-59"),
                Arguments.of("0 0 13 ? * MON-FRI2", "'MON-FRI2' in the day-of-week field"),
                Arguments.of("0 0 0 ? * 1L5", "'1L5' in the day-of-week field"),
                Arguments.of("0 0 0 32W * ?", "has a day of the month of 32"),
                Arguments.of("0 0 0 ? * 2#6", "has a week of the month after # of 6"),
                Arguments.of("0 0 0 L,15 * ?", "'L' in the day-of-month field of '0 0 0 L,15 * ?' must stand alone"),
                Arguments.of("0 0 0 ? JANUARY *", "'JANUARY' in the month field"),
                Arguments.of("0 0 ? * * *", "('?') is only for day-of-month or day-of-week"),
                Arguments.of("0 0 0 1 * ? 2100", "'2100' in the year field of '0 0 0 1 * ? 2100' is not a year (1970-2099)"),
                Arguments.of("0 0 13 ? * MON-FRI2", "holds 'FRI2', which is not a day of the week"),
                Arguments.of("0 0,,5 * * * ?", "'' in the minutes field"),
                // Quartz's own refusals
                Arguments.of("0 0 12 * * *", "Support for specifying both a day-of-week AND a day-of-month"),
                Arguments.of("0 0 25 ? * *", "'25' in the hours field of '0 0 25 ? * *' is not an hour (0-23)"));
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @MethodSource
    void refused(String written, String expected) {
        if (expected == null) {
            // not refused: the 30th of April exists
            assertEquals("0 0 0 30 2,4 ?", CronSchedule.parse(written, NOW).quartzExpression());
            return;
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse(written, NOW));
        assertTrue(e.getMessage().contains(expected), () -> "message: " + e.getMessage());
    }

    @Test
    void nullIsEmpty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse(null));
        assertTrue(e.getMessage().contains("the schedule is empty"), e.getMessage());
    }

    @Test
    void refusesAnExpressionQuartzCannotParse() {
        assertThrows(IllegalArgumentException.class, () -> new CronSchedule("x", "not cron"));
    }

    @Test
    void countsFireTimesAfterFromUpToAndIncludingTo() {
        CronSchedule everyFive = CronSchedule.parse("*/5 * * * *");
        Instant from = Instant.parse("2030-01-01T00:00:00Z");
        Instant hour = Instant.parse("2030-01-01T01:00:00Z");
        assertEquals(12, everyFive.countBetween(from, hour, UTC, 1000)); // 00:05 .. 01:00
        assertEquals(11, everyFive.countBetween(from, hour.minusSeconds(1), UTC, 1000));
        assertEquals(5, everyFive.countBetween(from, hour, UTC, 5));
        assertEquals(0, everyFive.countBetween(from, hour, UTC, 0));
        assertEquals(0, everyFive.countBetween(from, from, UTC, 1000));
        assertEquals(0, everyFive.countBetween(hour, from, UTC, 1000));

        CronSchedule monthly = CronSchedule.parse("@monthly");
        // 1 February .. 1 December 2030, and 1 January 2031; not 1 January 2030 itself
        assertEquals(12, monthly.countBetween(from, Instant.parse("2031-01-01T00:00:00Z"), UTC, 100));
        // a weekday task over a known week: Mon 2030-03-11 .. Sun 2030-03-17
        assertEquals(5, CronSchedule.parse("0 9 * * 1-5").countBetween(
                Instant.parse("2030-03-11T00:00:00Z"), Instant.parse("2030-03-18T00:00:00Z"), UTC, 100));
        assertEquals(3, CronSchedule.parse("0 9 * * 5-7").countBetween(
                Instant.parse("2030-03-11T00:00:00Z"), Instant.parse("2030-03-18T00:00:00Z"), UTC, 100));
    }

    @Test
    void nextAfterIsStrictlyAfterAndEmptyWhenNoneIsLeft() {
        CronSchedule daily = CronSchedule.parse("0 3 * * *");
        Instant fire = Instant.parse("2030-03-14T03:00:00Z");
        assertEquals(Optional.of(fire), daily.nextAfter(fire.minusMillis(1), UTC));
        assertEquals(Optional.of(fire.plus(1, ChronoUnit.DAYS)), daily.nextAfter(fire, UTC));
        assertEquals(Optional.empty(), new CronSchedule("past", "0 0 0 1 1 ? 2000").nextAfter(fire, UTC));
    }

    @Test
    void firesInTheGivenZone() {
        CronSchedule daily = CronSchedule.parse("0 3 * * *");
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        assertEquals(Optional.of(Instant.parse("2030-01-10T02:00:00Z")),
                daily.nextAfter(Instant.parse("2030-01-10T00:00:00Z"), berlin));
        assertEquals(Optional.of(Instant.parse("2030-07-10T01:00:00Z")),
                daily.nextAfter(Instant.parse("2030-07-10T00:00:00Z"), berlin));
        assertEquals(berlin.getId(), daily.expression(berlin).getTimeZone().getID());
        assertNotSame(daily.expression(berlin), daily.expression(berlin));
    }

    static List<Instant> nextFires(CronSchedule schedule, Instant after, int n) {
        List<Instant> fires = new ArrayList<>();
        Instant at = after;
        while (fires.size() < n) {
            at = schedule.nextAfter(at, UTC).orElseThrow();
            fires.add(at);
        }
        return fires;
    }

    /**
     * Crontab's rule, independently of CronSchedule: each field a set of values, day-of-week 7 as 0,
     * and a day matching day-of-month OR day-of-week unless either field starts with '*', then AND
     * (Vixie cron, cronie). Valid lines only; evaluated minute by minute, in UTC.
     */
    record Crontab(BitSet minute, BitSet hour, BitSet dom, BitSet month, BitSet dow, boolean domStar, boolean dowStar) {
        static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
                "NOV", "DEC");
        static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

        static Crontab of(String line) {
            String[] f = line.trim().split("\\s+");
            return new Crontab(set(f[0], 0, 59, List.of(), 0), set(f[1], 0, 23, List.of(), 0),
                    set(f[2], 1, 31, List.of(), 0), set(f[3], 1, 12, MONTHS, 1), set(f[4], 0, 7, DAYS, 0),
                    f[2].startsWith("*"), f[4].startsWith("*"));
        }

        static BitSet set(String field, int low, int high, List<String> names, int firstName) {
            BitSet bits = new BitSet();
            for (String item : field.split(",")) {
                int step = 1;
                int slash = item.indexOf('/');
                if (slash >= 0) {
                    step = Integer.parseInt(item.substring(slash + 1));
                    item = item.substring(0, slash);
                }
                int from;
                int to;
                if (item.equals("*")) {
                    from = low;
                    to = high;
                } else if (item.contains("-")) {
                    from = number(item.split("-")[0], names, firstName);
                    to = number(item.split("-")[1], names, firstName);
                } else {
                    from = to = number(item, names, firstName);
                }
                for (int i = from; i <= to; i += step) {
                    bits.set(i);
                }
            }
            return bits;
        }

        static int number(String s, List<String> names, int firstName) {
            int i = names.indexOf(s.toUpperCase(Locale.ROOT));
            return i >= 0 ? i + firstName : Integer.parseInt(s);
        }

        boolean matches(LocalDateTime t) {
            int weekday = t.getDayOfWeek().getValue() % 7;
            boolean dowMatches = dow.get(weekday) || (weekday == 0 && dow.get(7));
            boolean domMatches = dom.get(t.getDayOfMonth());
            boolean day = domStar || dowStar ? domMatches && dowMatches : domMatches || dowMatches;
            return minute.get(t.getMinute()) && hour.get(t.getHour()) && month.get(t.getMonthValue()) && day;
        }

        static List<Instant> nextFires(String line, Instant after, int n) {
            Crontab crontab = of(line);
            List<Instant> fires = new ArrayList<>();
            LocalDateTime t = LocalDateTime.ofInstant(after, UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
            LocalDateTime end = t.plusYears(9);
            for (; fires.size() < n && t.isBefore(end); t = t.plusMinutes(1)) {
                if (crontab.matches(t)) {
                    fires.add(t.toInstant(ZoneOffset.UTC));
                }
            }
            return fires;
        }
    }
}
