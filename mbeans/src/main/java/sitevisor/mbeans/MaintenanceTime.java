package sitevisor.mbeans;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;

/** The time of a one-off maintenance window, as an operator writes it. */
public final class MaintenanceTime {
    private MaintenanceTime() {}

    /**
     * {@code HH:MM} or {@code HH:MM:SS}: the next time the clock shows it (today, else tomorrow);
     * {@code 2026-12-01T03:30[:SS]} in the daemon's zone; or a date-time with an offset.
     *
     * @throws IllegalArgumentException naming what was written and what is accepted
     */
    public static Instant parse(String text, Clock clock, ZoneId zone) {
        String written = text == null ? "" : text.strip();
        try {
            if (written.length() <= 8 && written.contains(":") && !written.contains("T")) {
                LocalTime time = LocalTime.parse(written);
                ZonedDateTime now = clock.instant().atZone(zone);
                ZonedDateTime at = now.with(time).withNano(0);
                if (!at.isAfter(now)) at = now.plusDays(1).with(time).withNano(0);
                return at.toInstant();
            }
            try {
                return OffsetDateTime.parse(written).toInstant();
            } catch (DateTimeParseException noOffset) {
                return LocalDateTime.parse(written).atZone(zone).toInstant();
            }
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + written + "' is not a time: write HH:MM (its next occurrence), "
                    + "a date-time such as 2026-12-01T03:30, or one with an offset such as 2026-12-01T03:30+01:00");
        }
    }
}
