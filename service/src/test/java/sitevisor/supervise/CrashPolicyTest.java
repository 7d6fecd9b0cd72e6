package sitevisor.supervise;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.config.ConfigLoader;
import sitevisor.config.SiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.*;

/** The decisions after failed starts and crashes, as tables, on times given to it and a fixed jitter. */
class CrashPolicyTest {
    private static final Instant T0 = Instant.parse("2026-12-07T03:00:00Z");
    /** The middle of the jitter's range: every delay is its base value. */
    private static final double NO_JITTER = 0.5;

    @TempDir
    Path dir;

    private CrashPolicy policy(String settings) throws Exception {
        return policy(settings, NO_JITTER);
    }

    private CrashPolicy policy(String settings, double jitter) throws Exception {
        Path file = dir.resolve("sitevisor.yml");
        Files.writeString(file, "sites:\n  web:\n    command: [sleep, \"1\"]\n" + settings.stripIndent().indent(4));
        SiteConfig site = ConfigLoader.load(file).site("web").orElseThrow();
        return new CrashPolicy(site, () -> jitter);
    }

    private static void assertRetry(CrashPolicy.Decision decision, Duration delay, String reason) {
        CrashPolicy.RetryAfter retry = assertInstanceOf(CrashPolicy.RetryAfter.class, decision);
        assertEquals(delay, retry.delay());
        assertEquals(reason, retry.reason());
    }

    @Test
    void failedStartsAreRetriedWithDoublingDelaysThenGivenUp() throws Exception {
        CrashPolicy policy = policy("startRetries: 3\nbackoff: 1s\nbackoffMax: 3s\n");
        assertRetry(policy.startFailed("port 8001 held"), Duration.ofSeconds(1), "port 8001 held; retry 1 of 3 in 1s");
        assertRetry(policy.startFailed("port 8001 held"), Duration.ofSeconds(2), "port 8001 held; retry 2 of 3 in 2s");
        assertRetry(policy.startFailed("port 8001 held"), Duration.ofSeconds(3), "port 8001 held; retry 3 of 3 in 3s");
        CrashPolicy.GiveUp giveUp = assertInstanceOf(CrashPolicy.GiveUp.class, policy.startFailed("exited with code 1"));
        assertEquals("gave up after 4 failed starts; the last: exited with code 1", giveUp.reason());

        policy.freshStart(false);
        assertRetry(policy.startFailed("again"), Duration.ofSeconds(1), "again; retry 1 of 3 in 1s");
        policy.ready();
        assertEquals(0, policy.startFailures());
        assertRetry(policy.startFailed("later"), Duration.ofSeconds(1), "later; retry 1 of 3 in 1s");
    }

    @Test
    void noRetriesMeansTheFirstFailureGivesUp() throws Exception {
        CrashPolicy policy = policy("startRetries: 0\n");
        assertEquals("gave up after 1 failed start; the last: not ready within 30s",
                assertInstanceOf(CrashPolicy.GiveUp.class, policy.startFailed("not ready within 30s")).reason());
    }

    @Test
    void aLoneCrashRestartsAtOnceRepeatedOnesBackOffAndTooManyInTheWindowGiveUp() throws Exception {
        CrashPolicy policy = policy("restartLimit: 3\nrestartWindow: 1m\nbackoff: 1s\nbackoffMax: 30s\n");
        assertInstanceOf(CrashPolicy.RestartNow.class, policy.crashed(T0, 1, 0));
        assertRetry(policy.crashed(T0.plusSeconds(10), 1, 0), Duration.ofSeconds(1), "crashed 2 times within 1m; restarting in 1s");
        assertRetry(policy.crashed(T0.plusSeconds(20), -1, 9), Duration.ofSeconds(2), "crashed 3 times within 1m; restarting in 2s");
        assertEquals("crashed 4 times within 1m (restartLimit 3); start it again once fixed",
                assertInstanceOf(CrashPolicy.GiveUp.class, policy.crashed(T0.plusSeconds(30), 1, 0)).reason());

        // an operator's start forgets the crashes
        policy.freshStart(true);
        assertInstanceOf(CrashPolicy.RestartNow.class, policy.crashed(T0.plusSeconds(40), 1, 0));
    }

    @Test
    void crashesOlderThanTheWindowNoLongerCount() throws Exception {
        CrashPolicy policy = policy("restartLimit: 1\nrestartWindow: 1m\n");
        for (int minute = 0; minute < 5; minute++) {
            assertInstanceOf(CrashPolicy.RestartNow.class, policy.crashed(T0.plus(Duration.ofSeconds(61L * minute)), 1, 0), "crash " + minute);
        }
        assertEquals("crashed 2 times within 1m (restartLimit 1); start it again once fixed",
                assertInstanceOf(CrashPolicy.GiveUp.class, policy.crashed(T0.plus(Duration.ofSeconds(61L * 4 + 30)), 1, 0)).reason());
    }

    @Test
    void theRestartPolicyDecidesWhichExitsAreCrashes() throws Exception {
        CrashPolicy onFailure = policy("restart: on-failure\n");
        assertInstanceOf(CrashPolicy.StayDown.class, onFailure.crashed(T0, 0, 0));
        assertInstanceOf(CrashPolicy.RestartNow.class, onFailure.crashed(T0.plusSeconds(1), 0, 15), "a signal is a failure");
        assertInstanceOf(CrashPolicy.StayDown.class, policy("restart: never\n").crashed(T0, 1, 0));
        CrashPolicy always = policy("restart: always\n");
        assertInstanceOf(CrashPolicy.RestartNow.class, always.crashed(T0, 0, 0));
        assertInstanceOf(CrashPolicy.RetryAfter.class, always.crashed(T0.plusSeconds(1), 0, 0), "a clean exit counts as a crash when it restarts");
    }

    @Test
    void aCrashThatRestartsClearsTheFailedStartsBeforeIt() throws Exception {
        CrashPolicy policy = policy("startRetries: 3\n");
        policy.startFailed("once");
        policy.startFailed("twice");
        policy.crashed(T0, 1, 0);
        assertEquals(0, policy.startFailures());
    }

    @Test
    void jitterSpreadsEachDelayBetween80And120PercentOfItsCappedBase() throws Exception {
        String settings = "backoff: 1s\nbackoffMax: 4s\n";
        assertEquals(Duration.ofMillis(800), policy(settings, 0.0).backoffDelay(1));
        assertEquals(Duration.ofMillis(1200), policy(settings, 1.0).backoffDelay(1));
        assertEquals(Duration.ofMillis(3200), policy(settings, 0.0).backoffDelay(30), "capped at backoffMax before the jitter");
        assertEquals(Duration.ofSeconds(4), policy(settings, NO_JITTER).backoffDelay(1000));
    }
}
