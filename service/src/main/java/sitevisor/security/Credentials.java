package sitevisor.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * The one user and password that the HTTP agent and remote JMX ask for. Kept in
 * {@code home/credentials} as {@code user:password} on one line, readable by its owner alone, so
 * that {@code curl -u "$(cat var/credentials)"} works; generated on first start.
 */
public final class Credentials {
    static final String DEFAULT_USER = "sitevisor";
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private final String user;
    private final byte[] password;

    private Credentials(String user, String password) {
        this.user = user;
        this.password = password.getBytes(StandardCharsets.UTF_8);
    }

    public String user() {
        return user;
    }

    /** Reads the file, or creates it with a random password when there is none. */
    public static Credentials loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) create(file);
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (!OWNER_ONLY.containsAll(permissions)) {
            throw new IOException(file + " is readable or writable by others (" + PosixFilePermissions.toString(permissions)
                    + "); make it the owner's alone: chmod 600 " + file);
        }
        String line = Files.readString(file, StandardCharsets.UTF_8).trim();
        int colon = line.indexOf(':');
        if (colon <= 0 || colon == line.length() - 1 || line.contains("\n")) {
            throw new IOException(file + ": expected one line 'user:password'");
        }
        return new Credentials(line.substring(0, colon), line.substring(colon + 1));
    }

    private static void create(Path file) throws IOException {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        // created owner-only from the first byte, never widened and narrowed afterwards
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Files.writeString(temp, DEFAULT_USER + ":" + password + "\n", StandardCharsets.UTF_8);
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException raced) {
            Files.deleteIfExists(temp);
        }
    }

    /** Compares in constant time, so the answer's timing tells nothing about the password. */
    public boolean matches(String user, String password) {
        boolean userMatches = MessageDigest.isEqual(this.user.getBytes(StandardCharsets.UTF_8), user.getBytes(StandardCharsets.UTF_8));
        boolean passwordMatches = MessageDigest.isEqual(this.password, password.getBytes(StandardCharsets.UTF_8));
        return userMatches & passwordMatches;
    }

    @Override
    public String toString() {
        return user + ":****";
    }
}
