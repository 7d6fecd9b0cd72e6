package sitevisor.supervise;

import sitevisor.posix.ProcessIdentity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What the daemon records of an instance's process, so that a later daemon can tell it from any
 * other process that has the same pid: pid, start time and boot id, plus the process group and
 * the marker its descendants inherit in their environment.
 */
public record PidFile(String site, int instance, ProcessIdentity identity, long groupId, String marker, Instant startedAt) {
    private static final int VERSION = 1;

    /** Why a file could not be read as a pid file: a bare number from another tool, or garbage. */
    public static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message);
        }
    }

    /** Writes the file so that a reader sees the old content or the new, never a part. */
    public void writeTo(Path file) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("version", Integer.toString(VERSION));
        fields.put("site", site);
        fields.put("instance", Integer.toString(instance));
        fields.put("pid", Long.toString(identity.pid()));
        fields.put("startTicks", Long.toString(identity.startTicks()));
        fields.put("bootId", identity.bootId());
        fields.put("groupId", Long.toString(groupId));
        fields.put("marker", marker);
        fields.put("startedAt", startedAt.toString());
        StringBuilder text = new StringBuilder("# written by sitevisor: the identity of a site's process; do not edit\n");
        fields.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));

        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        // no fsync: a pid file matters only until the machine reboots, and the page cache outlives
        // any crash of the daemon; the rename alone keeps readers from seeing half a file
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public static PidFile read(Path file) throws IOException, Unreadable {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String trimmed = text.trim();
        if (trimmed.matches("\\d+")) {
            throw new Unreadable("it holds a bare pid (" + trimmed + "), as other tools write them; a bare pid cannot tell our process from a stranger that got the same pid");
        }
        Properties p = new Properties();
        p.load(new java.io.StringReader(text));
        try {
            if (Integer.parseInt(p.getProperty("version", "0")) != VERSION) {
                throw new Unreadable("unknown pid file version " + p.getProperty("version"));
            }
            return new PidFile(require(p, "site"), Integer.parseInt(require(p, "instance")),
                    new ProcessIdentity(Long.parseLong(require(p, "pid")), Long.parseLong(require(p, "startTicks")), require(p, "bootId")),
                    Long.parseLong(require(p, "groupId")), require(p, "marker"), Instant.parse(require(p, "startedAt")));
        } catch (RuntimeException e) {
            throw new Unreadable("it is not a pid file sitevisor can read: " + e.getMessage());
        }
    }

    private static String require(Properties p, String key) {
        String value = p.getProperty(key);
        if (value == null || value.isBlank()) throw new IllegalArgumentException("'" + key + "' is missing");
        return value.trim();
    }
}
