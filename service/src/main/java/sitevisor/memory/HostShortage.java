package sitevisor.memory;

import sitevisor.config.MemoryEmergency;
import sitevisor.config.file.Sizes;
import sitevisor.mbeans.Durations;
import sitevisor.posix.HostMemory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;

/**
 * Whether the host is in a memory emergency, decided on the readings and times it is given, so it
 * is tested as a table: its available memory under the floor for the whole of {@code for}, and,
 * where the kernel reports memory pressure, some task stalled waiting for memory meanwhile — a
 * low figure with nothing waiting is a host using its memory well, not one in trouble.
 */
final class HostShortage {
    sealed interface Verdict permits Enough, Short, Emergency, Recovered {}

    /** Over the floor. */
    record Enough() implements Verdict {}

    /** Under the floor, not yet for long enough, or with nothing stalled. */
    record Short() implements Verdict {}

    /** Under the floor for long enough, confirmed: sites are to be stopped. */
    record Emergency(String reason) implements Verdict {}

    /** Back over the floor after an emergency. */
    record Recovered(String reason) implements Verdict {}

    static final Enough ENOUGH = new Enough();
    static final Short SHORT = new Short();

    /** A site that may be stopped: its priority and what its processes cost now. */
    record Candidate(String site, int priority, long bytes) {}

    /** Lowest priority first, then the largest: the order sites are stopped in. */
    static final Comparator<Candidate> STOP_ORDER = Comparator.comparingInt(Candidate::priority)
            .thenComparing(Comparator.comparingLong(Candidate::bytes).reversed())
            .thenComparing(Candidate::site);

    private Instant shortSince;
    private long stallAtStartMicros;
    private boolean inEmergency;

    /**
     * A reading at {@code now}, held to the settings as they are now: a reload may change them
     * mid-emergency.
     *
     * @param stallMicros asked only when the host is under the floor: what {@link HostMemory#stallMicros} says
     */
    Verdict reading(Instant now, HostMemory.Reading host, java.util.function.LongSupplier stallMicros, MemoryEmergency settings) {
        long floor = settings.floorBytes(host.totalBytes());
        if (host.availableBytes() >= floor) {
            shortSince = null;
            if (!inEmergency) return ENOUGH;
            inEmergency = false;
            return new Recovered(describe(host) + ", back over " + settings.floor());
        }
        long stall = stallMicros.getAsLong();
        if (shortSince == null) {
            shortSince = now;
            stallAtStartMicros = stall;
        }
        Duration lasted = Duration.between(shortSince, now);
        if (lasted.compareTo(settings.over()) < 0) return SHORT;
        lasted = lasted.truncatedTo(ChronoUnit.SECONDS);
        long stalledMicros = stall < 0 ? -1 : stall - stallAtStartMicros;
        if (stalledMicros == 0 && !inEmergency) return SHORT;
        inEmergency = true;
        return new Emergency(describe(host) + ", under " + settings.floor() + (lasted.isZero() ? "" : " for " + Durations.format(lasted))
                + (stalledMicros > 0 ? ", tasks stalled " + stalledMicros / 1000 + " ms waiting for memory meanwhile" : ""));
    }

    /** Forgets everything: memory.emergency was taken away. */
    void reset() {
        shortSince = null;
        inEmergency = false;
    }

    /** Whether sites were stopped in an emergency that has not ended yet. */
    boolean inEmergency() {
        return inEmergency;
    }

    static String describe(HostMemory.Reading host) {
        return String.format(java.util.Locale.ROOT, "the host has %s available of %s (%.1f%%)", megabytes(host.availableBytes()),
                megabytes(host.totalBytes()), host.availablePercent());
    }

    /** A figure to the megabyte, or to the kilobyte under one: a reading in bytes says more than it knows. */
    static String megabytes(long bytes) {
        long unit = bytes >= 1024 * 1024 ? 1024 * 1024 : 1024;
        return Sizes.format((bytes + unit / 2) / unit * unit);
    }

    /** The sites in the order they are stopped in. */
    static List<Candidate> stopOrder(List<Candidate> candidates) {
        return candidates.stream().sorted(STOP_ORDER).toList();
    }
}
