package sitevisor.jmx;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Times as the MBeans show them: ISO-8601 with the daemon's offset, to the second; "" for none. */
final class Times {
    private Times() {}

    static String iso(Instant instant) {
        if (instant == null) return "";
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.truncatedTo(ChronoUnit.SECONDS).atZone(ZoneId.systemDefault()));
    }
}
