package sitevisor.mbeans;


import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.OptionalLong;

/**
 * A point in time as an operator types it for {@code --since}: {@code 2h} (ago), {@code 03:00}
 * (the last 03:00, local time), {@code 2026-11-22} (its start), {@code 2026-11-22T03:00}
 * (local), or an instant with its offset ({@code 2026-11-22T02:00:00Z}).
 */
public final class HistoryTimes {
    private HistoryTimes() {}

    /** Empty for an empty text; refused with the forms it takes otherwise. */
    public static OptionalLong sinceMillis(String text, Clock clock, ZoneId zone) {
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.isEmpty()) return OptionalLong.empty();
        Instant now = clock.instant();
        try {
            if (Character.isDigit(trimmed.charAt(0)) && Character.isLetter(trimmed.charAt(trimmed.length() - 1))
                    && !trimmed.contains("-") && !trimmed.contains(":")) {
                return OptionalLong.of(now.minus(Durations.parse(trimmed)).toEpochMilli());
            }
            if (trimmed.matches("\\d{1,2}:\\d{2}(:\\d{2})?")) {
                ZonedDateTime today = ZonedDateTime.of(LocalDate.ofInstant(now, zone), LocalTime.parse(pad(trimmed)), zone);
                ZonedDateTime last = today.toInstant().isAfter(now) ? today.minusDays(1) : today;
                return OptionalLong.of(last.toInstant().toEpochMilli());
            }
            if (trimmed.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return OptionalLong.of(LocalDate.parse(trimmed).atStartOfDay(zone).toInstant().toEpochMilli());
            }
            if (trimmed.endsWith("Z") || trimmed.matches(".*[+-]\\d{2}:\\d{2}$")) {
                return OptionalLong.of(OffsetDateTime.parse(trimmed).toInstant().toEpochMilli());
            }
            return OptionalLong.of(LocalDateTime.parse(trimmed).atZone(zone).toInstant().toEpochMilli());
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time: try 2h or 30m (ago), 03:00 (local), 2026-11-22,"
                    + " 2026-11-22T03:00 (local) or 2026-11-22T02:00:00Z");
        }
    }

    private static String pad(String time) {
        return time.indexOf(':') == 1 ? "0" + time : time;
    }
}
