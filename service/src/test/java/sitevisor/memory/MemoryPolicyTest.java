package sitevisor.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.config.ConfigLoader;
import sitevisor.config.SiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** What an instance's memory readings call for, as tables of readings on times given to the policy. */
class MemoryPolicyTest {
    private static final Instant T0 = Instant.parse("2026-12-08T03:00:00Z");
    private static final long MB = 1024 * 1024;

    @TempDir
    Path dir;

    private SiteConfig site;

    private MemoryPolicy policy(String settings) throws Exception {
        site = site(settings);
        return new MemoryPolicy();
    }

    private SiteConfig site(String settings) throws Exception {
        Path file = dir.resolve("sitevisor.yml");
        Files.writeString(file, "sites:\n  web:\n    command: [sleep, \"1\"]\n" + settings.stripIndent().indent(4));
        return ConfigLoader.load(file).site("web").orElseThrow();
    }

    /** Feeds {@code megabytes[i]} at second {@code i}, and lists each verdict that is not quiet as "second: Kind: reason". */
    private List<String> feed(MemoryPolicy policy, int fromSecond, long... megabytes) {
        List<String> said = new ArrayList<>();
        for (int i = 0; i < megabytes.length; i++) {
            int second = fromSecond + i;
            MemoryPolicy.Verdict verdict = policy.reading(T0.plusSeconds(second), megabytes[i] * MB, false, site);
            if (!(verdict instanceof MemoryPolicy.Quiet)) said.add(second + ": " + describe(verdict));
        }
        return said;
    }

    private static String describe(MemoryPolicy.Verdict verdict) {
        if (verdict instanceof MemoryPolicy.Warn w) return "Warn: " + w.reason();
        if (verdict instanceof MemoryPolicy.BackUnder b) return "BackUnder: " + b.reason();
        if (verdict instanceof MemoryPolicy.Over o) return "Over: " + o.reason();
        if (verdict instanceof MemoryPolicy.Restart r) return "Restart: " + r.reason();
        if (verdict instanceof MemoryPolicy.GiveUp g) return "GiveUp: " + g.reason();
        throw new AssertionError(verdict);
    }

    @Test
    void warnsOncePerCrossingAndSaysWhenItIsBackUnder() throws Exception {
        MemoryPolicy policy = policy("memory: { warn: 400MB, restart: 512MB, for: 30s }\n");
        assertEquals(List.of(
                "1: Warn: 410MB, over warn 400MB (restart at 512MB)",
                "4: BackUnder: 390MB, back under warn 400MB",
                "5: Warn: 401MB, over warn 400MB (restart at 512MB)"),
                feed(policy, 0, 300, 410, 420, 450, 390, 401, 402));
    }

    @Test
    void restartsOnlyAfterStayingOverForItsWhole() throws Exception {
        MemoryPolicy policy = policy("memory: { restart: 512MB, for: 3s }\n");
        // over at 1, back under at 3: the count starts again at 4
        assertEquals(List.of(
                "1: Over: 600MB, over restart 512MB; restarting in 3s unless it falls back under",
                "3: BackUnder: 500MB, back under restart 512MB",
                "4: Over: 600MB, over restart 512MB; restarting in 3s unless it falls back under",
                "7: Restart: 600MB, over restart 512MB for 3s"),
                feed(policy, 0, 100, 600, 600, 500, 600, 600, 600, 600));
    }

    @Test
    void zeroForRestartsOnTheFirstReadingOver() throws Exception {
        MemoryPolicy policy = policy("memory: { restart: 100MB, for: 0s }\n");
        assertEquals(List.of("1: Restart: 150MB, over restart 100MB"), feed(policy, 0, 99, 150));
    }

    @Test
    void aReadingUnderEveryLimitThatIsOnlyABoundChangesNothing() throws Exception {
        MemoryPolicy policy = policy("memory: { warn: 400MB }\n");
        assertInstanceOf(MemoryPolicy.Quiet.class, policy.reading(T0, 300 * MB, true, site));
        assertInstanceOf(MemoryPolicy.Warn.class, policy.reading(T0.plusSeconds(1), 410 * MB, false, site));
        MemoryPolicy.BackUnder under = assertInstanceOf(MemoryPolicy.BackUnder.class, policy.reading(T0.plusSeconds(2), 300 * MB, true, site));
        assertEquals("at most 300MB, back under warn 400MB", under.reason());
    }

    @Test
    void overAgainSoonAfterEachRestartBacksOffThenGivesUp() throws Exception {
        MemoryPolicy policy = policy("""
                memory: { restart: 100MB, for: 0s }
                restartLimit: 3
                restartWindow: 1m
                backoff: 2s
                backoffMax: 5s
                """);
        List<String> said = new ArrayList<>(feed(policy, 0, 200));
        policy.newProcess(T0.plusSeconds(5), true);                // the new process runs 5 s after: a drain, a stop, a start
        said.addAll(feed(policy, 10, 50, 200, 200, 200));          // over again 6 s after it: waits 2 s
        policy.newProcess(T0.plusSeconds(15), true);
        said.addAll(feed(policy, 20, 200, 200, 200, 200, 200));    // again: waits 4 s
        policy.newProcess(T0.plusSeconds(28), true);
        said.addAll(feed(policy, 30, 200));                        // a third time in a row: gives up
        assertEquals(List.of(
                "0: Restart: 200MB, over restart 100MB",
                "11: Over: 200MB, over restart 100MB; restarting in 2s unless it falls back under (over again 6s after the process its last memory restart started, so it waits 2s longer)",
                "13: Restart: 200MB, over restart 100MB for 2s",
                "20: Over: 200MB, over restart 100MB; restarting in 4s unless it falls back under (over again 5s after the process its last memory restart started, so it waits 4s longer)",
                "24: Restart: 200MB, over restart 100MB for 4s",
                "30: GiveUp: 200MB, over restart 100MB again within 1m of each of its last 3 memory restarts (restartLimit 3); start it again once fixed"),
                said);
    }

    @Test
    void overLongAfterTheLastRestartIsAFreshStartAndSoIsAnyOtherNewProcess() throws Exception {
        MemoryPolicy policy = policy("memory: { restart: 100MB, for: 0s }\nrestartLimit: 1\nrestartWindow: 1m\n");
        assertEquals(List.of("0: Restart: 200MB, over restart 100MB"), feed(policy, 0, 200));
        policy.newProcess(T0.plusSeconds(1), true);
        // 2 minutes later: the window passed, so it is a first crossing again
        assertEquals(List.of("120: Restart: 200MB, over restart 100MB"), feed(policy, 120, 200));
        policy.newProcess(T0.plusSeconds(121), true);
        // an operator's restart in between: the memory restarts before it no longer count
        policy.newProcess(T0.plusSeconds(122), false);
        assertEquals(List.of("125: Restart: 200MB, over restart 100MB"), feed(policy, 125, 200));
        policy.newProcess(T0.plusSeconds(126), true);
        assertEquals(List.of("130: GiveUp: 200MB, over restart 100MB again within 1m of each of its last 1 memory restarts (restartLimit 1); start it again once fixed"),
                feed(policy, 130, 200));
    }

    @Test
    void theWindowRunsFromTheNewProcessSoALongDrainDoesNotHideAQuickReturn() throws Exception {
        MemoryPolicy policy = policy("memory: { restart: 100MB, for: 0s }\nrestartLimit: 1\nrestartWindow: 1m\n");
        assertEquals(List.of("0: Restart: 200MB, over restart 100MB"), feed(policy, 0, 200));
        // the restart drained tasks for 5 minutes; its new process is over again 10 s after it started
        policy.newProcess(T0.plusSeconds(300), true);
        assertEquals(List.of("310: GiveUp: 200MB, over restart 100MB again within 1m of each of its last 1 memory restarts (restartLimit 1); start it again once fixed"),
                feed(policy, 310, 200));
    }

    @Test
    void newLimitsFromAReloadApplyAtOnceAndWhatCameBeforeStillCounts() throws Exception {
        MemoryPolicy policy = policy("memory: { restart: 100MB, for: 0s }\nrestartLimit: 1\n");
        assertEquals(List.of("0: Restart: 200MB, over restart 100MB"), feed(policy, 0, 200));
        policy.newProcess(T0.plusSeconds(1), true);
        site = site("memory: { restart: 150MB, for: 0s }\nrestartLimit: 1\npriority: 5\n");
        assertEquals(List.of(), feed(policy, 5, 140), "under the new limit");
        assertEquals(List.of("6: GiveUp: 200MB, over restart 150MB again within 1m of each of its last 1 memory restarts (restartLimit 1); start it again once fixed"),
                feed(policy, 6, 200), "the restart before the reload still counts");
    }
}
