package sitevisor.scheduler;

import org.quartz.CronExpression;

import java.text.ParseException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.regex.Pattern;

/**
 * A schedule as the config writes it, and the Quartz cron expression it means.
 *
 * <p>The config may write crontab's 5-field form (and its macros such as {@code @daily}) or
 * Quartz's 6/7-field form. Crontab lines are translated into Quartz's form only where the result
 * fires at exactly the same minutes as crontab (Vixie cron / cronie) would; anything else is
 * refused with a message that says what to write instead:
 * <ul>
 * <li>day-of-month and day-of-week both restricted: crontab then runs when either matches (or,
 *     when one of them starts with {@code *}, only when both match), and Quartz can say neither;
 * <li>{@code a/s} without a range end: Vixie cron and cronie do not define it, Quartz reads it
 *     as {@code a-max/s};
 * <li>ranges that run backwards ({@code fri-sun}): crontab refuses them, Quartz wraps around;
 * <li>a step wider than the field ({@code *}{@code /90} minutes), which would fire only once per
 *     hour/day/..., not "every 90 minutes";
 * <li>Quartz-only syntax ({@code L W # ?}) and {@code *} inside a list, in the 5-field form.
 * </ul>
 * Daylight-saving transitions follow Quartz, not any particular cron.
 */
public record CronSchedule(String written, String quartzExpression) {

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern QUARTZ_ONLY_TOKEN =
            Pattern.compile("L|LW|L-\\d*W?|\\d+[LW]|[A-Z]{3}L", Pattern.CASE_INSENSITIVE);
    private static final ZoneId UTC = ZoneOffset.UTC;
    /** The check of each translated field runs on 2001 dates; any fixed year with a 31-day January does. */
    private static final int CHECK_YEAR = 2001;

    private static final Map<String, String> MACROS = new LinkedHashMap<>();

    static {
        MACROS.put("@yearly", "0 0 1 1 *");
        MACROS.put("@annually", "0 0 1 1 *");
        MACROS.put("@monthly", "0 0 1 * *");
        MACROS.put("@weekly", "0 0 * * 0");
        MACROS.put("@daily", "0 0 * * *");
        MACROS.put("@midnight", "0 0 * * *");
        MACROS.put("@hourly", "0 * * * *");
    }

    public CronSchedule {
        Objects.requireNonNull(written, "written");
        Objects.requireNonNull(quartzExpression, "quartzExpression");
        try {
            CronExpression.validateExpression(quartzExpression);
        } catch (ParseException e) {
            throw new IllegalArgumentException(
                    "'" + quartzExpression + "' is not a valid Quartz cron expression: " + e.getMessage(), e);
        }
    }

    /**
     * @throws IllegalArgumentException whose message says what is wrong, e.g. "'*&#47;5 * * *' has 4
     *     fields; write crontab's 5 (minute hour day-of-month month day-of-week) or Quartz's 6 or 7
     *     (seconds first)"; it is meant to follow the config key and file, as in
     *     "sites.blog.tasks.sitemap.cron in /etc/sitevisor.yml: ..."
     */
    public static CronSchedule parse(String written) {
        return parse(written, Instant.now());
    }

    /** {@link #parse(String)}, with "now" given, for the check that the schedule fires again. */
    static CronSchedule parse(String written, Instant now) {
        String text = written == null ? "" : WHITESPACE.matcher(written.strip()).replaceAll(" ");
        if (text.isEmpty()) {
            throw new IllegalArgumentException("the schedule is empty; write crontab's 5 fields, e.g. '0 3 * * *', "
                    + "or Quartz's 6 or 7, e.g. '0 0 3 * * ?'");
        }
        String[] fields = text.split(" ");
        String quartz;
        if (text.startsWith("@")) {
            quartz = translateCrontab(text, expandMacro(text, fields).split(" "));
        } else if (fields.length == 5) {
            quartz = translateCrontab(text, fields);
        } else if (fields.length == 6 || fields.length == 7) {
            quartz = text;
            QuartzFields.check(text, fields);
            try {
                CronExpression.validateExpression(quartz);
            } catch (ParseException e) {
                throw new IllegalArgumentException(q(text) + " is not a valid Quartz cron expression (" + fields.length
                        + " fields are read as Quartz's: seconds minute hour day-of-month month day-of-week [year]): "
                        + e.getMessage(), e);
            }
        } else {
            throw new IllegalArgumentException(q(text) + " has " + fields.length + (fields.length == 1 ? " field" : " fields")
                    + "; write crontab's 5 (minute hour day-of-month month day-of-week) or Quartz's 6 or 7 (seconds first)");
        }
        CronExpression expression;
        try {
            expression = new CronExpression(quartz);
        } catch (ParseException e) {
            // a translation Quartz refuses is a bug here, not the operator's mistake
            throw new IllegalArgumentException(q(text) + " was translated to " + q(quartz)
                    + ", which Quartz refuses (" + e.getMessage() + "); please report this", e);
        }
        expression.setTimeZone(TimeZone.getTimeZone(UTC));
        if (expression.getNextValidTimeAfter(Date.from(now)) == null) {
            throw new IllegalArgumentException(q(text) + " never fires after now (" + now.truncatedTo(ChronoUnit.SECONDS)
                    + "): its times are all in the past or do not exist (such as 30 February)");
        }
        return new CronSchedule(text, quartz);
    }

    /** A fresh {@link CronExpression} in the zone (CronExpression is mutable, not thread-safe). */
    public CronExpression expression(ZoneId zone) {
        try {
            CronExpression expression = new CronExpression(quartzExpression);
            expression.setTimeZone(TimeZone.getTimeZone(Objects.requireNonNull(zone, "zone")));
            return expression;
        } catch (ParseException e) {
            throw new IllegalStateException("'" + quartzExpression + "' no longer parses: " + e.getMessage(), e);
        }
    }

    /** The first fire time strictly after {@code after}, empty when none (e.g. a past year). */
    public Optional<Instant> nextAfter(Instant after, ZoneId zone) {
        Date next = expression(zone).getNextValidTimeAfter(Date.from(after));
        return next == null ? Optional.empty() : Optional.of(next.toInstant());
    }

    /** How many fire times t with from &lt; t &lt;= to there are, counting at most {@code cap}. */
    public int countBetween(Instant from, Instant to, ZoneId zone, int cap) {
        if (cap < 0) {
            throw new IllegalArgumentException("cap " + cap + " is negative");
        }
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        CronExpression expression = expression(zone);
        int count = 0;
        Date at = Date.from(from);
        while (count < cap) {
            Date next = expression.getNextValidTimeAfter(at);
            if (next == null || next.toInstant().isAfter(to)) {
                break;
            }
            count++;
            at = next;
        }
        return count;
    }

    private static String expandMacro(String text, String[] fields) {
        String macro = fields[0].toLowerCase(Locale.ROOT);
        if (macro.equals("@reboot")) {
            throw new IllegalArgumentException("@reboot is not a schedule; it means 'once when cron starts', "
                    + "which a task here cannot be given — write a time, e.g. '@daily' or '0 3 * * *'");
        }
        String expansion = MACROS.get(macro);
        if (expansion == null) {
            throw new IllegalArgumentException(q(fields[0]) + " is not a known macro; use one of "
                    + String.join(", ", MACROS.keySet()) + ", or write the fields");
        }
        if (fields.length > 1) {
            throw new IllegalArgumentException(q(text) + ": a macro such as " + fields[0]
                    + " stands alone; remove what follows it, or write the fields instead");
        }
        return expansion;
    }

    private enum Field {
        MINUTE("minute", "minutes", 0, 59, List.of()),
        HOUR("hour", "hours", 0, 23, List.of()),
        DAY_OF_MONTH("day-of-month", "days", 1, 31, List.of()),
        MONTH("month", "months", 1, 12,
                List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
        DAY_OF_WEEK("day-of-week", "days", 0, 7, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"));

        final String label;
        final String unit;
        final int min;
        final int max;
        final List<String> names;

        Field(String label, String unit, int min, int max, List<String> names) {
            this.label = label;
            this.unit = unit;
            this.min = min;
            this.max = max;
            this.names = names;
        }

        /** The value of a (3-letter, any case) name, or -1. */
        int valueOfName(String name) {
            int i = names.indexOf(name.toUpperCase(Locale.ROOT));
            return i < 0 ? -1 : min + i;
        }

        String namesHint() {
            return names.get(0) + "-" + names.get(names.size() - 1) + " or " + min + "-" + max;
        }
    }

    /** One item of a crontab list: {@code *}, {@code n} or {@code a-b}, optionally {@code /step}. */
    private record Element(boolean star, int from, int to, boolean range, boolean fromName, boolean toName,
                           int step, boolean stepped) {
        BitSet values() {
            BitSet bits = new BitSet();
            for (int i = from; i <= to; i += step) {
                bits.set(i);
            }
            return bits;
        }
    }

    private static String translateCrontab(String written, String[] f) {
        List<Element> minute = parseField(Field.MINUTE, f[0], written);
        List<Element> hour = parseField(Field.HOUR, f[1], written);
        List<Element> dom = parseField(Field.DAY_OF_MONTH, f[2], written);
        List<Element> month = parseField(Field.MONTH, f[3], written);
        List<Element> dow = parseField(Field.DAY_OF_WEEK, f[4], written);

        BitSet domDays = values(dom);
        BitSet dowDays = sundayAsZero(values(dow));
        // Vixie cron and cronie: when either day field starts with '*', a day must match both;
        // otherwise it must match either
        boolean domStar = dom.get(0).star();
        boolean dowStar = dow.get(0).star();
        if (!domStar && !dowStar) {
            throw new IllegalArgumentException(q(written) + " restricts both day-of-month (" + f[2] + ") and day-of-week ("
                    + f[4] + "); crontab then runs on days matching EITHER, which Quartz cannot express — "
                    + "write two tasks (one with day-of-month '*', one with day-of-week '*'), or Quartz's 6-field form "
                    + "if you meant something else");
        }
        String domQuartz;
        String dowQuartz;
        if (dowDays.cardinality() == 7) {
            domQuartz = emit(Field.DAY_OF_MONTH, dom);
            dowQuartz = "?";
        } else if (domDays.cardinality() == 31) {
            domQuartz = "?";
            dowQuartz = emitDayOfWeek(dow);
        } else {
            throw new IllegalArgumentException(q(written) + " restricts both day-of-month (" + f[2] + ") and day-of-week ("
                    + f[4] + "); as one of them starts with '*', crontab runs only on days matching BOTH, which Quartz "
                    + "cannot express — write '*' in one of the two, or Quartz's 6-field form");
        }
        String minuteQuartz = emit(Field.MINUTE, minute);
        String hourQuartz = emit(Field.HOUR, hour);
        String monthQuartz = emit(Field.MONTH, month);

        String quartz = String.join(" ", "0", minuteQuartz, hourQuartz, domQuartz, monthQuartz, dowQuartz);
        check(written, quartz, Field.MINUTE, minuteQuartz, values(minute));
        check(written, quartz, Field.HOUR, hourQuartz, values(hour));
        if (!domQuartz.equals("?")) {
            check(written, quartz, Field.DAY_OF_MONTH, domQuartz, domDays);
        }
        check(written, quartz, Field.MONTH, monthQuartz, values(month));
        if (!dowQuartz.equals("?")) {
            check(written, quartz, Field.DAY_OF_WEEK, dowQuartz, dowDays);
        }
        return quartz;
    }

    private static List<Element> parseField(Field field, String text, String written) {
        if (text.indexOf('?') >= 0 || text.indexOf('#') >= 0) {
            throw quartzOnly(field, text, written);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                    || c == '*' || c == ',' || c == '-' || c == '/';
            if (!ok) {
                throw new IllegalArgumentException("unexpected character '" + c + "' in " + field.label + " '" + text
                        + "' in " + q(written) + (c == '~' ? " (random ranges are not supported)" : "")
                        + "; a crontab field is a list of *, n or a-b, each optionally with /step");
            }
        }
        List<Element> elements = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            if (item.isEmpty()) {
                throw new IllegalArgumentException("empty list item in " + field.label + " '" + text + "' in " + q(written)
                        + "; separate values with single commas");
            }
            elements.add(parseElement(field, item, text, written));
        }
        if (elements.size() > 1 && elements.stream().anyMatch(Element::star)) {
            throw new IllegalArgumentException("'*' must stand alone, not in a list, in " + field.label + " '" + text
                    + "' in " + q(written));
        }
        return elements;
    }

    private static Element parseElement(Field field, String item, String text, String written) {
        String base = item;
        String stepText = null;
        int slash = item.indexOf('/');
        if (slash >= 0) {
            base = item.substring(0, slash);
            stepText = item.substring(slash + 1);
            if (base.isEmpty() || !stepText.matches("\\d+")) {
                throw new IllegalArgumentException(q(item) + " in " + field.label + " in " + q(written)
                        + " is not a step; write */s or a-b/s with a whole number s");
            }
        }
        boolean star = false;
        boolean range = false;
        boolean fromName = false;
        boolean toName = false;
        int from;
        int to;
        if (base.equals("*")) {
            star = true;
            from = field.min;
            to = field.max;
        } else {
            int dash = base.indexOf('-');
            if (dash >= 0) {
                String a = base.substring(0, dash);
                String b = base.substring(dash + 1);
                if (a.isEmpty() || b.isEmpty() || b.indexOf('-') >= 0 || a.equals("*") || b.equals("*")) {
                    if (QUARTZ_ONLY_TOKEN.matcher(base).matches()) {
                        throw quartzOnly(field, text, written);
                    }
                    throw new IllegalArgumentException(q(item) + " in " + field.label + " in " + q(written)
                            + " is not a range; write a-b with a <= b");
                }
                from = value(field, a, text, written);
                to = value(field, b, text, written);
                fromName = Character.isLetter(a.charAt(0));
                toName = Character.isLetter(b.charAt(0));
                range = true;
                if (from > to) {
                    throw new IllegalArgumentException("range " + base + " in " + field.label + " in " + q(written)
                            + " runs backwards (" + from + " > " + to + "); crontab does not wrap around — write "
                            + wrapped(field, from, to));
                }
            } else {
                from = value(field, base, text, written);
                to = from;
                fromName = Character.isLetter(base.charAt(0));
            }
        }
        int step = 1;
        if (stepText != null) {
            if (!star && !range) {
                throw new IllegalArgumentException(q(item) + " in " + field.label + " in " + q(written)
                        + " has a step but no range end: crontab (Vixie cron, cronie) does not define it, while Quartz "
                        + "would read it as " + base + "-" + field.max + "/" + stepText + " — write that, or a-b/s");
            }
            step = stepText.length() > 3 ? Integer.MAX_VALUE : Integer.parseInt(stepText);
            if (step == 0) {
                throw new IllegalArgumentException("step 0 in " + field.label + " '" + item + "' in " + q(written)
                        + "; a step must be at least 1");
            }
            if (step > field.max - field.min) {
                throw new IllegalArgumentException("step " + stepText + " in " + field.label + " '" + item + "' in "
                        + q(written) + " is wider than the field's range " + field.min + "-" + field.max
                        + ": crontab would fire only at " + field.label + " " + from + ", not every " + stepText + " "
                        + field.unit + " — write " + from + " if that is what you mean");
            }
        }
        return new Element(star, from, to, range, fromName, toName, step, stepText != null);
    }

    private static int value(Field field, String token, String text, String written) {
        if (token.matches("\\d+")) {
            int n = token.length() > 4 ? Integer.MAX_VALUE : Integer.parseInt(token);
            if (n < field.min || n > field.max) {
                throw new IllegalArgumentException(field.label + " " + token + " is out of range " + field.min + "-"
                        + field.max + " in " + q(written));
            }
            return n;
        }
        if (token.matches("[A-Za-z]+")) {
            int n = field.valueOfName(token);
            if (n >= 0) {
                return n;
            }
        }
        if (QUARTZ_ONLY_TOKEN.matcher(token).matches()) {
            throw quartzOnly(field, text, written);
        }
        if (field.names.isEmpty()) {
            throw new IllegalArgumentException(q(token) + " in " + field.label + " in " + q(written)
                    + " is not a number; " + field.label + " takes " + field.min + "-" + field.max);
        }
        throw new IllegalArgumentException("unknown " + field.label + " " + q(token) + " in " + q(written) + "; use "
                + field.namesHint());
    }

    private static IllegalArgumentException quartzOnly(Field field, String text, String written) {
        return new IllegalArgumentException(field.label + " '" + text + "' in " + q(written)
                + " uses Quartz's syntax (L, W, # or ?), which crontab's 5-field form does not have — "
                + "write Quartz's 6-field form instead (seconds first, '?' in day-of-month or day-of-week), "
                + "e.g. '0 0 12 L * ?'");
    }

    /** A backwards range as crontab can write it: to the field's end, then from its start. */
    private static String wrapped(Field field, int from, int to) {
        if (field == Field.DAY_OF_WEEK) {
            // 7 is Sunday too
            return to == 0 ? span(from, 7) : span(from, 7) + "," + span(1, to);
        }
        return span(from, field.max) + "," + span(field.min, to);
    }

    private static String span(int from, int to) {
        return from == to ? Integer.toString(from) : from + "-" + to;
    }

    private static BitSet values(List<Element> elements) {
        BitSet bits = new BitSet();
        for (Element e : elements) {
            bits.or(e.values());
        }
        return bits;
    }

    /** Crontab's day-of-week 7 folded into 0, both Sunday. */
    private static BitSet sundayAsZero(BitSet days) {
        BitSet folded = (BitSet) days.clone();
        if (folded.get(7)) {
            folded.clear(7);
            folded.set(0);
        }
        return folded;
    }

    /** Minute, hour, day-of-month and month: crontab and Quartz read *, n, a-b, * /s and a-b/s alike. */
    private static String emit(Field field, List<Element> elements) {
        Set<String> items = new LinkedHashSet<>();
        for (Element e : elements) {
            String step = e.stepped() ? "/" + e.step() : "";
            if (e.star()) {
                items.add("*" + step);
            } else if (!e.range()) {
                items.add(e.fromName() ? field.names.get(e.from() - field.min) : Integer.toString(e.from()));
            } else if (e.fromName() && e.toName() && !e.stepped()) {
                // Quartz reads names only as n or a-b; a step after names it would silently drop
                items.add(field.names.get(e.from() - field.min) + "-" + field.names.get(e.to() - field.min));
            } else {
                items.add(e.from() + "-" + e.to() + step);
            }
        }
        return String.join(",", items);
    }

    /** Day-of-week: crontab 0-7 (0 and 7 Sunday), Quartz 1-7 (1 Sunday); names are the same in both. */
    private static String emitDayOfWeek(List<Element> elements) {
        Set<String> items = new LinkedHashSet<>();
        for (Element e : elements) {
            List<String> names = Field.DAY_OF_WEEK.names;
            if (e.star() && !e.stepped()) {
                items.add("*");
            } else if (!e.stepped() && !e.range() && e.fromName()) {
                items.add(names.get(e.from()));
            } else if (!e.stepped() && e.range() && e.fromName() && e.toName()) {
                items.add(names.get(e.from()) + "-" + names.get(e.to()));
            } else if (!e.stepped() && !e.range()) {
                items.add(Integer.toString(quartzDay(e.from())));
            } else if (!e.stepped() && !e.star() && e.to() < 7) {
                items.add(quartzDay(e.from()) + "-" + quartzDay(e.to()));
            } else {
                // a range reaching 7 (Sunday again), or a step: the days one by one
                BitSet days = e.values();
                for (int d = days.nextSetBit(0); d >= 0; d = days.nextSetBit(d + 1)) {
                    items.add(Integer.toString(quartzDay(d)));
                }
            }
        }
        return String.join(",", items);
    }

    private static int quartzDay(int crontabDay) {
        return crontabDay == 7 ? 1 : crontabDay + 1;
    }

    /**
     * That Quartz reads the translated field as the same values crontab reads the written one: the
     * field alone in an expression over {@link #CHECK_YEAR}, its fire times listed.
     */
    private static void check(String written, String quartz, Field field, String quartzField, BitSet crontabValues) {
        String probe = switch (field) {
            case MINUTE -> "0 " + quartzField + " 0 1 1 ? " + CHECK_YEAR;
            case HOUR -> "0 0 " + quartzField + " 1 1 ? " + CHECK_YEAR;
            case DAY_OF_MONTH -> "0 0 0 " + quartzField + " 1 ? " + CHECK_YEAR;
            case MONTH -> "0 0 0 1 " + quartzField + " ? " + CHECK_YEAR;
            case DAY_OF_WEEK -> "0 0 0 ? 1 " + quartzField + " " + CHECK_YEAR;
        };
        BitSet quartzValues = new BitSet();
        try {
            CronExpression expression = new CronExpression(probe);
            expression.setTimeZone(TimeZone.getTimeZone(UTC));
            Date at = Date.from(LocalDateTime.of(CHECK_YEAR, 1, 1, 0, 0).atZone(UTC).toInstant().minusSeconds(1));
            for (Date next; (next = expression.getNextValidTimeAfter(at)) != null; at = next) {
                LocalDateTime t = LocalDateTime.ofInstant(next.toInstant(), UTC);
                quartzValues.set(switch (field) {
                    case MINUTE -> t.getMinute();
                    case HOUR -> t.getHour();
                    case DAY_OF_MONTH -> t.getDayOfMonth();
                    case MONTH -> t.getMonthValue();
                    case DAY_OF_WEEK -> t.getDayOfWeek().getValue() % 7;
                });
            }
        } catch (ParseException e) {
            throw new IllegalArgumentException(q(written) + " was translated to " + q(quartz) + ", whose " + field.label
                    + " Quartz refuses (" + e.getMessage() + "); please report this", e);
        }
        if (!quartzValues.equals(crontabValues)) {
            throw new IllegalArgumentException(q(written) + " was translated to " + q(quartz) + ", but Quartz reads its "
                    + field.label + " as " + quartzValues + " where crontab reads " + crontabValues
                    + "; please report this");
        }
    }

    private static String q(String s) {
        return "'" + s + "'";
    }
}
