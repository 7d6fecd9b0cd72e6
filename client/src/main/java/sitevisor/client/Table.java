package sitevisor.client;

import java.util.ArrayList;
import java.util.List;

/** Columns padded to their widest cell, as {@code ps} and {@code supervisorctl} print them. */
final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    Table(String... header) {
        columns = header.length;
        rows.add(header);
    }

    Table row(Object... cells) {
        if (cells.length != columns) throw new IllegalArgumentException("expected " + columns + " cells, got " + cells.length);
        String[] text = new String[columns];
        for (int i = 0; i < columns; i++) text[i] = cells[i] == null ? "" : cells[i].toString();
        rows.add(text);
        return this;
    }

    @Override
    public String toString() {
        int[] widths = new int[columns];
        for (String[] row : rows) for (int i = 0; i < columns; i++) widths[i] = Math.max(widths[i], row[i].length());
        StringBuilder out = new StringBuilder(rows.size() * 80);
        for (String[] row : rows) {
            int end = columns;
            while (end > 1 && row[end - 1].isEmpty()) end--; // no trailing blanks
            for (int i = 0; i < end; i++) {
                out.append(row[i]);
                if (i < end - 1) out.append(" ".repeat(widths[i] - row[i].length() + 2));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** 45s, 12m03s, 3h12m, 2d04h: the two largest units, as an operator reads an uptime. */
    static String duration(long millis) {
        long seconds = millis / 1000;
        if (seconds < 60) return seconds + "s";
        long minutes = seconds / 60;
        if (minutes < 60) return minutes + "m" + twoDigits(seconds % 60) + "s";
        long hours = minutes / 60;
        if (hours < 24) return hours + "h" + twoDigits(minutes % 60) + "m";
        return hours / 24 + "d" + twoDigits(hours % 24) + "h";
    }

    /** How long a run took: 120ms below a second, else as {@link #duration}. */
    static String took(long millis) {
        return millis < 1000 ? millis + "ms" : duration(millis);
    }

    /**
     * {@code 2026-11-22T03:00:01+01:00} as {@code 11-22 03:00:01} (or {@code 11-22 03:00} without
     * seconds): in the offset the daemon gave, which is the one its schedules run in; {@code -} for
     * none. Cut from the text, not parsed: a status of hundreds of sites formats one per row.
     */
    static String dateTime(String iso, boolean seconds) {
        if (iso == null || iso.isEmpty()) return "-";
        if (iso.length() < 16 || iso.charAt(4) != '-' || iso.charAt(10) != 'T' || iso.charAt(13) != ':') return iso;
        String minutes = iso.substring(5, 10) + " " + iso.substring(11, 16);
        if (!seconds) return minutes;
        return minutes + (iso.length() >= 19 && iso.charAt(16) == ':' ? iso.substring(16, 19) : ":00");
    }

    /** 512B, 340KB, 87.5MB, 1.2GB. */
    static String bytes(long bytes) {
        if (bytes < 1024) return bytes + "B";
        String[] units = {"KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        if (value >= 100) return Math.round(value) + units[unit];
        // not String.format: its parser costs a one-request client more than the whole table
        long tenths = Math.round(value * 10);
        return tenths / 10 + "." + tenths % 10 + units[unit];
    }

    private static String twoDigits(long value) {
        return value < 10 ? "0" + value : Long.toString(value);
    }
}
