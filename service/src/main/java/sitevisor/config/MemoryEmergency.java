package sitevisor.config;

import sitevisor.config.file.Sizes;
import sitevisor.mbeans.Durations;

import java.time.Duration;

/**
 * When the host is short of memory, and how its sites are stopped then: {@code memory.emergency}.
 * The floor is a share of the host's memory or a size; exactly one of the two is set.
 *
 * @param availablePercent the floor as a share of the host's memory, in percent; 0 when a size is set
 * @param availableBytes   the floor as a size; 0 when a share is set
 * @param over             how long the host's available memory must stay under the floor
 * @param grace            how long a site stopped in an emergency has after its stop signal before
 *                         SIGKILL, when the host is still short of memory by then
 */
public record MemoryEmergency(double availablePercent, long availableBytes, Duration over, Duration grace) {
    public static final MemoryEmergency DEFAULT = new MemoryEmergency(5, 0, Duration.ofSeconds(10), Duration.ofSeconds(5));

    /** The floor in bytes on a host of {@code totalBytes}. */
    public long floorBytes(long totalBytes) {
        return availableBytes > 0 ? availableBytes : (long) (totalBytes * availablePercent / 100);
    }

    /** The floor as written: {@code 5%} or {@code 512MB}. */
    public String floor() {
        if (availableBytes > 0) return Sizes.format(availableBytes);
        String percent = availablePercent == Math.rint(availablePercent) ? Long.toString((long) availablePercent) : Double.toString(availablePercent);
        return percent + "%";
    }

    @Override
    public String toString() {
        return "when the host's available memory stays under " + floor() + " for " + Durations.format(over)
                + ", sites are stopped, lowest priority first, with SIGKILL " + Durations.format(grace) + " after their stop signal while it lasts";
    }
}
