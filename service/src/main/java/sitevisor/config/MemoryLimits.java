package sitevisor.config;

import sitevisor.config.file.Sizes;
import sitevisor.mbeans.Durations;

import java.time.Duration;

/**
 * A site's memory limits, each applied to every instance alone: what its processes cost the host
 * (proportional set size plus swap share).
 *
 * @param warnBytes    over this, the operator is told once per crossing; 0 for no warning
 * @param restartBytes over this for {@code over}, the instance is restarted gracefully; 0 for never
 * @param over         how long the instance must stay over {@code restartBytes} before the restart
 */
public record MemoryLimits(long warnBytes, long restartBytes, Duration over) {
    public static final Duration DEFAULT_OVER = Duration.ofSeconds(30);
    public static final MemoryLimits NONE = new MemoryLimits(0, 0, DEFAULT_OVER);

    public boolean any() {
        return warnBytes > 0 || restartBytes > 0;
    }

    /** As the config writes it: {@code warn 400MB, restart 512MB for 30s}, or {@code no limits}. */
    @Override
    public String toString() {
        if (!any()) return "no limits";
        String warn = warnBytes > 0 ? "warn " + Sizes.format(warnBytes) : "";
        String restart = restartBytes > 0 ? "restart " + Sizes.format(restartBytes) + " for " + Durations.format(over) : "";
        return warn.isEmpty() ? restart : restart.isEmpty() ? warn : warn + ", " + restart;
    }

    /** The lower of the limits set: below it nothing is to be done; 0 when none is set. */
    public long lowestBytes() {
        if (warnBytes == 0) return restartBytes;
        if (restartBytes == 0) return warnBytes;
        return Math.min(warnBytes, restartBytes);
    }
}
