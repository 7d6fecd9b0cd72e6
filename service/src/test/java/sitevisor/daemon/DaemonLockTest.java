package sitevisor.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.client.LockFile;
import sitevisor.config.file.Endpoint;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon writes run/sitevisor.lock (DaemonLock), the client reads it (LockFile): the two agree
 * on where it is and what it says. The writer runs in a JVM of its own, as a daemon does: on Linux,
 * a process that closes any descriptor of a file drops its own locks on it, so a reader in the
 * writer's JVM would release the lock it reads.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DaemonLockTest {
    @TempDir
    Path home;

    @Test
    void theClientReadsWhatTheDaemonWrites() throws Exception {
        assertFalse(LockFile.isHeld(home), "no daemon yet");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process daemon = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Holder.class.getName(), home.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader said = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
             PrintStream tell = new PrintStream(daemon.getOutputStream(), true, StandardCharsets.UTF_8)) {
            assertEquals("held", said.readLine());
            assertTrue(LockFile.isHeld(home), "held once acquired");
            assertEquals(Optional.empty(), LockFile.agentOf(home), "no address before the agent listens");

            tell.println("127.0.0.1 18778");
            assertEquals("announced", said.readLine());
            assertEquals(Optional.of(new Endpoint("127.0.0.1", 18778)), LockFile.agentOf(home));

            tell.println("::1 9000");
            assertEquals("announced", said.readLine());
            assertEquals(Optional.of(new Endpoint("::1", 9000)), LockFile.agentOf(home), "an IPv6 address, announced again");
            assertTrue(LockFile.isHeld(home), "reading it leaves it held");
        }
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, daemon.exitValue());
        assertFalse(LockFile.isHeld(home), "released with the daemon");
        assertEquals(Optional.empty(), LockFile.agentOf(home), "a released home's address is no daemon's");
    }

    /** The daemon's side: takes the lock of the home it is given, announces each "HOST PORT" it reads, exits at the end of its input. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (DaemonLock lock = DaemonLock.acquire(Path.of(args[0]));
                 BufferedReader told = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                System.out.println("held");
                System.out.flush();
                for (String line = told.readLine(); line != null; line = told.readLine()) {
                    String[] hostAndPort = line.split(" ");
                    lock.announce(hostAndPort[0], Integer.parseInt(hostAndPort[1]));
                    System.out.println("announced");
                    System.out.flush();
                }
            }
        }
    }
}
