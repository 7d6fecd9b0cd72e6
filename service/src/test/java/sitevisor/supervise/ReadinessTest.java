package sitevisor.supervise;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadinessTest {
    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    @Test
    void aSiteStartingAloneIsProbedEvery10MillisecondsAtMost() {
        assertEquals(10, millis(Readiness.maxProbeIntervalNanos(1)));
        assertEquals(10, millis(Readiness.maxProbeIntervalNanos(10)));
    }

    @Test
    void sitesStartingTogetherShareAboutAThousandProbesASecond() {
        for (int instances : new int[] {20, 100, 250}) {
            double probesPerSecond = instances * 1e9 / Readiness.maxProbeIntervalNanos(instances);
            assertEquals(1000, probesPerSecond, 1, instances + " instances");
        }
    }

    @Test
    void noInstanceWaitsMoreThanAQuarterSecondBetweenProbes() {
        assertEquals(250, millis(Readiness.maxProbeIntervalNanos(300)));
        assertEquals(250, millis(Readiness.maxProbeIntervalNanos(5000)));
        assertTrue(300 * 1e9 / Readiness.maxProbeIntervalNanos(300) <= 1200);
    }
}
