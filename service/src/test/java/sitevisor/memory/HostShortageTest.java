package sitevisor.memory;

import org.junit.jupiter.api.Test;
import sitevisor.config.MemoryEmergency;
import sitevisor.posix.HostMemory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** When the host is in a memory emergency, and which sites go first, as tables on readings and times given. */
class HostShortageTest {
    private static final Instant T0 = Instant.parse("2026-12-08T03:00:00Z");
    private static final long MB = 1024 * 1024;
    private static final long TOTAL = 1000 * MB;
    private static final MemoryEmergency FIVE_PERCENT_FOR_3S = new MemoryEmergency(5, 0, Duration.ofSeconds(3), Duration.ofSeconds(2));

    /** Feeds {@code availableMb[i]} at second {@code i} with stall totals {@code stalls[i]} (-1: not offered), and lists what is not Enough. */
    private static List<String> feed(HostShortage shortage, long[] availableMb, long[] stalls) {
        return feed(shortage, FIVE_PERCENT_FOR_3S, availableMb, stalls);
    }

    private static List<String> feed(HostShortage shortage, MemoryEmergency settings, long[] availableMb, long[] stalls) {
        List<String> said = new ArrayList<>();
        for (int i = 0; i < availableMb.length; i++) {
            long stall = stalls[i];
            HostShortage.Verdict verdict = shortage.reading(T0.plusSeconds(i), new HostMemory.Reading(TOTAL, availableMb[i] * MB, 0), () -> stall, settings);
            if (verdict instanceof HostShortage.Short) said.add(i + ": Short");
            if (verdict instanceof HostShortage.Emergency e) said.add(i + ": Emergency: " + e.reason());
            if (verdict instanceof HostShortage.Recovered r) said.add(i + ": Recovered: " + r.reason());
        }
        return said;
    }

    private static long[] noPressureFile(int n) {
        long[] stalls = new long[n];
        java.util.Arrays.fill(stalls, -1);
        return stalls;
    }

    @Test
    void underTheFloorForTheWholeDurationIsAnEmergencyUntilItIsBackOver() {
        HostShortage shortage = new HostShortage();
        assertEquals(List.of(
                        "1: Short", "2: Short",
                        "3: Short",                       // back over at 3? no: 49 MB is still under 50 MB
                        "4: Emergency: the host has 40MB available of 1000MB (4.0%), under 5% for 3s",
                        "5: Emergency: the host has 45MB available of 1000MB (4.5%), under 5% for 4s",
                        "6: Recovered: the host has 300MB available of 1000MB (30.0%), back over 5%"),
                feed(shortage, new long[]{900, 40, 40, 49, 40, 45, 300, 300}, noPressureFile(8)));
    }

    @Test
    void aDipShorterThanTheDurationIsNothing() {
        HostShortage shortage = new HostShortage();
        assertEquals(List.of("1: Short", "2: Short", "4: Short", "5: Short"),
                feed(shortage, new long[]{900, 40, 40, 60, 40, 40, 60}, noPressureFile(7)));
    }

    @Test
    void whereTheKernelReportsPressureSomeStallMustConfirmIt() {
        HostShortage shortage = new HostShortage();
        // under the floor from second 1, but no task stalled until second 5
        assertEquals(List.of("1: Short", "2: Short", "3: Short", "4: Short",
                        "5: Emergency: the host has 40MB available of 1000MB (4.0%), under 5% for 4s, tasks stalled 250 ms waiting for memory meanwhile"),
                feed(shortage, new long[]{900, 40, 40, 40, 40, 40}, new long[]{1000, 1000, 1000, 1000, 1000, 251_000}));
    }

    @Test
    void aFloorCanBeASize() {
        HostShortage shortage = new HostShortage();
        assertEquals(List.of("1: Emergency: the host has 99MB available of 1000MB (9.9%), under 100MB"),
                feed(shortage, new MemoryEmergency(0, 100 * MB, Duration.ZERO, Duration.ofSeconds(1)), new long[]{100, 99}, noPressureFile(2)));
    }

    @Test
    void sitesStopLowestPriorityFirstThenLargestFirst() {
        List<HostShortage.Candidate> order = HostShortage.stopOrder(List.of(
                new HostShortage.Candidate("shop", 100, 900 * MB),
                new HostShortage.Candidate("blog", 10, 100 * MB),
                new HostShortage.Candidate("wiki", 10, 300 * MB),
                new HostShortage.Candidate("api", 100, 50 * MB)));
        assertEquals(List.of("wiki", "blog", "shop", "api"), order.stream().map(HostShortage.Candidate::site).toList());
    }
}
