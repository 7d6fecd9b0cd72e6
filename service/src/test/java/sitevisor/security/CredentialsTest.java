package sitevisor.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.*;

class CredentialsTest {
    @TempDir
    Path dir;

    @Test
    void firstStartGeneratesARandomPasswordInAFileOnlyItsOwnerCanRead() throws Exception {
        Path file = dir.resolve("var/credentials");
        Credentials created = Credentials.loadOrCreate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String line = Files.readString(file).trim();
        assertTrue(line.matches("sitevisor:[A-Za-z0-9_-]{32}"), line);
        String password = line.substring(line.indexOf(':') + 1);
        assertTrue(created.matches("sitevisor", password));
        assertFalse(created.matches("sitevisor", password + "x"));
        assertFalse(created.matches("root", password));

        // the next start reads the same credentials, and another home gets another password
        assertTrue(Credentials.loadOrCreate(file).matches("sitevisor", password));
        Path other = dir.resolve("other/credentials");
        Credentials.loadOrCreate(other);
        assertNotEquals(line, Files.readString(other).trim());
    }

    @Test
    void aCredentialsFileOthersCanReadIsRefused() throws Exception {
        Path file = dir.resolve("credentials");
        Files.writeString(file, "admin:secret\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        IOException e = assertThrows(IOException.class, () -> Credentials.loadOrCreate(file));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
    }

    @Test
    void anOperatorsOwnCredentialsAreKept() throws Exception {
        Path file = dir.resolve("credentials");
        Files.writeString(file, "admin:s3cret:with:colons\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Credentials credentials = Credentials.loadOrCreate(file);
        assertEquals("admin", credentials.user());
        assertTrue(credentials.matches("admin", "s3cret:with:colons"));
        assertFalse(credentials.toString().contains("s3cret"));
    }
}
