package sitevisor.scheduler;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The strict grammar of Quartz's 6- and 7-field cron form. Quartz's own parser reads a field
 * until it has what it wants and drops the rest: {@code MON12345} is Monday, {@code MON-FRI2}
 * Monday to Friday, {@code 1L5} the last Sunday, and {@code 0/0} a step of nothing. A schedule
 * that does not mean exactly what is written is refused here, with the item and the reason.
 */
final class QuartzFields {
    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
    private static final Pattern RANGE_AND_STEP = Pattern.compile("(\\*|[A-Z0-9]+(?:-[A-Z0-9]+)?)(?:/(\\d+))?");
    private static final Pattern LAST_DAY_OFFSET = Pattern.compile("L-(\\d+)");
    private static final Pattern WEEKDAY_NEAREST = Pattern.compile("(\\d+)W");
    private static final Pattern LAST_WEEKDAY_OF_MONTH = Pattern.compile("([A-Z0-9]+)L");
    private static final Pattern NTH_WEEKDAY = Pattern.compile("([A-Z0-9]+)#(\\d+)");

    private enum Field {
        SECONDS("seconds", 0, 59, "a second (0-59)", null),
        MINUTES("minutes", 0, 59, "a minute (0-59)", null),
        HOURS("hours", 0, 23, "an hour (0-23)", null),
        DAY_OF_MONTH("day-of-month", 1, 31, "a day of the month (1-31), L, L-n, nW, LW or ?", null),
        MONTH("month", 1, 12, "a month (1-12 or JAN-DEC)", MONTHS),
        DAY_OF_WEEK("day-of-week", 1, 7, "a day of the week (1-7 or SUN-SAT), L, nL, n#k or ?", DAYS),
        YEAR("year", 1970, 2099, "a year (1970-2099)", null);

        final String label;
        final int min;
        final int max;
        final String expected;
        final List<String> names;

        Field(String label, int min, int max, String expected, List<String> names) {
            this.label = label;
            this.min = min;
            this.max = max;
            this.expected = expected;
            this.names = names;
        }
    }

    private QuartzFields() {}

    /**
     * @throws IllegalArgumentException naming the item, its field and what would be valid there
     */
    static void check(String written, String[] fields) {
        Field[] order = Field.values();
        for (int i = 0; i < fields.length; i++) {
            Field field = order[i];
            String[] items = fields[i].split(",", -1);
            for (String item : items) {
                String upper = item.toUpperCase(Locale.ROOT);
                String problem = items.length > 1 && isSpecial(field, upper) ? "must stand alone in its field" : problem(field, upper);
                if (problem != null) {
                    throw new IllegalArgumentException("'" + item + "' in the " + field.label + " field of '" + written + "' " + problem
                            + " (" + fields.length + " fields are read as Quartz's: seconds minute hour day-of-month month day-of-week [year])");
                }
            }
        }
    }

    /** '?' and the day fields' L, W and # items, which Quartz honours only on their own. */
    private static boolean isSpecial(Field field, String item) {
        boolean dayField = field == Field.DAY_OF_MONTH || field == Field.DAY_OF_WEEK;
        return item.equals("?") || dayField && (item.contains("L") || item.contains("W") || item.contains("#"));
    }

    /** What is wrong with one item of a field, or null. */
    private static String problem(Field field, String item) {
        if (item.isEmpty()) return "is empty";
        if (item.equals("?")) {
            return field == Field.DAY_OF_MONTH || field == Field.DAY_OF_WEEK ? null : "('?') is only for day-of-month or day-of-week";
        }
        if (field == Field.DAY_OF_MONTH) {
            if (item.equals("L") || item.equals("LW")) return null;
            Matcher offset = LAST_DAY_OFFSET.matcher(item);
            if (offset.matches()) return within(offset.group(1), 0, 30, "days before the last");
            Matcher nearest = WEEKDAY_NEAREST.matcher(item);
            if (nearest.matches()) return within(nearest.group(1), 1, 31, "day of the month");
        }
        if (field == Field.DAY_OF_WEEK) {
            if (item.equals("L")) return null;
            Matcher last = LAST_WEEKDAY_OF_MONTH.matcher(item);
            if (last.matches()) return value(field, last.group(1)) == null ? "has no day of the week (1-7 or SUN-SAT) before its L" : null;
            Matcher nth = NTH_WEEKDAY.matcher(item);
            if (nth.matches()) {
                if (value(field, nth.group(1)) == null) return "has no day of the week (1-7 or SUN-SAT) before its #";
                return within(nth.group(2), 1, 5, "week of the month after #");
            }
        }
        Matcher matcher = RANGE_AND_STEP.matcher(item);
        if (!matcher.matches()) return "is not " + field.expected + ", a range a-b or a step */s, a/s";
        String range = matcher.group(1);
        if (!range.equals("*")) {
            for (String end : range.split("-")) {
                if (value(field, end) == null) return (end.equals(range) ? "is not " : "holds '" + end + "', which is not ") + field.expected;
            }
        }
        if (matcher.group(2) != null) {
            String step = within(matcher.group(2), 1, field.max, "step");
            if (step != null) return step;
        }
        return null;
    }

    /** A number within the field's range or a name of it; null when neither. */
    private static Integer value(Field field, String text) {
        if (field.names != null) {
            int index = field.names.indexOf(text);
            if (index >= 0) return index + 1;
        }
        if (!text.matches("\\d{1,9}")) return null;
        int number = Integer.parseInt(text);
        return number >= field.min && number <= field.max ? number : null;
    }

    private static String within(String number, int min, int max, String what) {
        if (number.length() > 9) return "has a " + what + " out of range " + min + "-" + max;
        int value = Integer.parseInt(number);
        return value >= min && value <= max ? null : "has a " + what + " of " + value + ", outside " + min + "-" + max;
    }
}
