package sitevisor.supervise;

import org.junit.jupiter.api.Test;
import sitevisor.posix.ResidentSizes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/** When the gauge reads the detailed figure, on instants it is given; the readings are a test's own. */
class MemoryGaugeTest {
    private static final long PID = ProcessHandle.current().pid();
    private final AtomicLong resident = new AtomicLong(100_000_000);
    private final AtomicLong proportional = new AtomicLong(40_000_000);
    private final AtomicInteger detailedReads = new AtomicInteger();
    private final MemoryGauge gauge = new MemoryGauge(new MemoryGauge.Meter() {
        @Override
        public List<Long> processesKept(long pid, java.nio.file.Path cgroup) {
            return List.of(pid);
        }

        @Override
        public List<Long> processesOnce(long pid, java.nio.file.Path cgroup) {
            return List.of(pid);
        }

        @Override
        public ResidentSizes.Reading resident(List<Long> pids) {
            return new ResidentSizes.Reading(resident.get(), false);
        }

        @Override
        public long residentOnce(List<Long> pids) {
            return resident.get();
        }

        @Override
        public long proportional(List<Long> pids) {
            detailedReads.incrementAndGet();
            return proportional.get();
        }

        @Override
        public void close() {
        }
    });
    private final Instant start = Instant.parse("2026-12-07T12:00:00Z");

    private MemoryGauge.Reading readAfter(Duration elapsed) {
        return gauge.read(PID, null, start.plus(elapsed));
    }

    @Test
    void theFirstReadIsDetailedAndAReadWithinASecondIsTheSameSample() {
        assertEquals(new MemoryGauge.Reading(40_000_000, 40_000_000), readAfter(Duration.ZERO));
        proportional.set(90_000_000);
        assertEquals(40_000_000, readAfter(Duration.ofMillis(900)).bytes());
        assertEquals(1, detailedReads.get());
    }

    @Test
    void aSteadyResidentSizeKeepsTheDetailedReadingUntilItIsThirtySecondsOld() {
        readAfter(Duration.ZERO);
        resident.addAndGet(4_000_000);
        proportional.set(41_000_000);
        assertEquals(40_000_000, readAfter(Duration.ofSeconds(2)).bytes(), "4 % is within the 5 % a detailed reading stands for");
        assertEquals(40_000_000, readAfter(Duration.ofSeconds(29)).bytes());
        assertEquals(1, detailedReads.get());
        assertEquals(41_000_000, readAfter(Duration.ofSeconds(31)).bytes(), "a pool that stopped sharing pages shows within 30 s");
        assertEquals(2, detailedReads.get());
    }

    @Test
    void aResidentSizeThatMovedMoreThanFivePercentIsReadInDetailAtOnceAndRaisesThePeak() {
        readAfter(Duration.ZERO);
        resident.addAndGet(6_000_000);
        proportional.set(70_000_000);
        assertEquals(new MemoryGauge.Reading(70_000_000, 70_000_000), readAfter(Duration.ofSeconds(2)));
        resident.set(100_000_000);
        proportional.set(45_000_000);
        assertEquals(new MemoryGauge.Reading(45_000_000, 70_000_000), readAfter(Duration.ofSeconds(4)), "the peak stays");
        assertEquals(3, detailedReads.get());
    }

    @Test
    void anotherMainProcessStartsAnewAndNoneReadsNothing() {
        readAfter(Duration.ZERO);
        assertEquals(MemoryGauge.Reading.NONE, gauge.read(0, null, start.plusSeconds(2)));
        proportional.set(10_000_000);
        assertEquals(new MemoryGauge.Reading(10_000_000, 10_000_000), gauge.read(1, null, start.plusSeconds(3)), "a new process has its own peak");
        assertEquals(2, detailedReads.get());
    }

    @Test
    void theWatchTakesTheResidentSizeAsABoundWhileItAndTheHostsSwapAreUnderTheLimit() {
        WatchedMemory under = gauge.watch(PID, null, start, 150_000_000, 0);
        assertEquals(new WatchedMemory(PID, 100_000_000, true), under);
        assertEquals(0, detailedReads.get(), "nothing detailed is read for a site far under its limits");
        assertEquals(new WatchedMemory(PID, 40_000_000, false), gauge.watch(PID, null, start.plusSeconds(1), 150_000_000, 60_000_000),
                "swap the resident size leaves out may be the site's");
        assertEquals(1, detailedReads.get());
    }

    @Test
    void nearItsLimitTheWatchRenewsTheDetailedReadingEveryFiveSecondsAndRaisesThePeak() {
        assertFalse(gauge.watch(PID, null, start, 90_000_000, 0).upperBound());
        proportional.set(60_000_000);
        assertEquals(40_000_000, gauge.watch(PID, null, start.plusSeconds(4), 90_000_000, 0).bytes());
        assertEquals(60_000_000, gauge.watch(PID, null, start.plusSeconds(5), 90_000_000, 0).bytes());
        assertEquals(2, detailedReads.get());
        assertEquals(new MemoryGauge.Reading(60_000_000, 60_000_000), readAfter(Duration.ofSeconds(5)), "status shows what the watch read");
    }
}
