package sitevisor.supervise;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/** When the gauge reads the detailed figure, on instants it is given; the readings are a test's own. */
class MemoryGaugeTest {
    private static final long PID = ProcessHandle.current().pid();
    private final AtomicLong resident = new AtomicLong(100_000_000);
    private final AtomicLong proportional = new AtomicLong(40_000_000);
    private final AtomicInteger detailedReads = new AtomicInteger();
    private final MemoryGauge gauge = new MemoryGauge(pids -> resident.get(), pids -> {
        detailedReads.incrementAndGet();
        return proportional.get();
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
}
