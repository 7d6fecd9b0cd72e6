package sitevisor.memory;

import sitevisor.config.MemoryLimits;
import sitevisor.config.SiteConfig;
import sitevisor.config.file.Sizes;
import sitevisor.mbeans.Durations;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What one instance's memory readings call for, decided on the time it is given, so it is tested
 * as a table. Over {@code warn}: one warning per crossing. Over {@code restart} for {@code for}:
 * a graceful restart. An instance over its limit again within {@code restartWindow} of the
 * restart counts a quick return; each waits {@code for} plus the site's back-off, doubled per
 * return, and {@code restartLimit} of them in a row stop it for good (FATAL) rather than
 * restart it every {@code for}.
 */
final class MemoryPolicy {
    /** What to do after a reading. */
    sealed interface Verdict permits Quiet, Warn, BackUnder, Over, Restart, GiveUp {}

    /** Nothing to record. */
    record Quiet() implements Verdict {}

    /** It crossed the warning limit. */
    record Warn(String reason) implements Verdict {}

    /** It fell back under the warning limit it had crossed. */
    record BackUnder(String reason) implements Verdict {}

    /** It crossed the restart limit: restarted once it stays over until {@code restartAt}. */
    record Over(String reason, Instant restartAt) implements Verdict {}

    /** Restart it gracefully, for this reason. */
    record Restart(String reason) implements Verdict {}

    /** Stop it and leave it FATAL, for this reason. */
    record GiveUp(String reason) implements Verdict {}

    static final Quiet QUIET = new Quiet();

    private boolean warned;
    /** Since when it has been over the restart limit; null while under. */
    private Instant overSince;
    private Instant lastRestart;
    /** Restarts in a row after which it was over its limit again within the restart window. */
    private int quickReturns;

    /**
     * A reading at {@code now}, held to the site's settings as they are now: a reload may give it
     * new limits, and what came before still counts.
     *
     * @param upperBound whether {@code bytes} is only a bound (the resident size), which the watch
     *                   gives only when it is under every limit
     */
    Verdict reading(Instant now, long bytes, boolean upperBound, SiteConfig site) {
        MemoryLimits limits = site.memory();
        long restart = limits.restartBytes();
        if (restart > 0 && bytes > restart) {
            if (overSince == null) {
                overSince = now;
                warned = true;
                if (lastRestart != null && Duration.between(lastRestart, now).compareTo(site.restartWindow()) <= 0) {
                    quickReturns++;
                } else {
                    quickReturns = 0;
                }
                if (quickReturns >= site.restartLimit()) {
                    return new GiveUp(figure(bytes, upperBound) + ", over restart " + Sizes.format(restart) + " again within "
                            + Durations.format(site.restartWindow()) + " of each of its last " + quickReturns + " memory restarts (restartLimit "
                            + site.restartLimit() + "); start it again once fixed");
                }
                Duration wait = waitOver(site);
                Instant at = now.plus(wait);
                if (!wait.isZero()) {
                    return new Over(figure(bytes, upperBound) + ", over restart " + Sizes.format(restart) + "; restarting in " + Durations.format(wait)
                            + " unless it falls back under" + (quickReturns > 0 ? " (over again "
                            + Durations.format(Duration.between(lastRestart, now).truncatedTo(ChronoUnit.SECONDS))
                            + " after the process its last memory restart started, so it waits " + Durations.format(wait.minus(limits.over()))
                            + " longer)" : ""), at);
                }
            }
            if (!now.isBefore(overSince.plus(waitOver(site)))) {
                Duration lasted = Duration.between(overSince, now).truncatedTo(ChronoUnit.SECONDS);
                String reason = figure(bytes, upperBound) + ", over restart " + Sizes.format(restart) + (lasted.isZero() ? "" : " for " + Durations.format(lasted));
                overSince = null;
                return new Restart(reason);
            }
            return QUIET;
        }
        overSince = null;
        long warn = limits.warnBytes();
        if (warn > 0 && bytes > warn && !warned) {
            warned = true;
            return new Warn(figure(bytes, upperBound) + ", over warn " + Sizes.format(warn) + (restart > 0 ? " (restart at " + Sizes.format(restart) + ")" : ""));
        }
        if (warned && bytes <= (warn > 0 ? warn : restart)) {
            warned = false;
            return new BackUnder(figure(bytes, upperBound) + ", back under " + (warn > 0 ? "warn " + Sizes.format(warn) : "restart " + Sizes.format(restart)));
        }
        return QUIET;
    }

    /**
     * Its processes were replaced, seen running at {@code now}: by the restart this policy asked
     * for ({@code ours}), from when a return over the limit counts as quick; or by anything else —
     * a crash, an operator — after which earlier memory restarts no longer count. A restart's drain
     * may take minutes, so the window runs from the new process, not from the decision.
     */
    void newProcess(Instant now, boolean ours) {
        warned = false;
        overSince = null;
        if (ours) {
            lastRestart = now;
        } else {
            quickReturns = 0;
            lastRestart = null;
        }
    }

    /** How long it must stay over: {@code for}, and the back-off of its quick returns. */
    private Duration waitOver(SiteConfig site) {
        MemoryLimits limits = site.memory();
        if (quickReturns == 0) return limits.over();
        double base = site.backoff().toNanos() * Math.pow(2, Math.min(quickReturns - 1, 30));
        return limits.over().plus(Duration.ofNanos((long) Math.min(base, site.backoffMax().toNanos())));
    }

    /** The reading as a reason gives it; made only for a verdict, as most readings call for none. */
    private static String figure(long bytes, boolean upperBound) {
        return (upperBound ? "at most " : "") + Sizes.format(roundedToMegabytes(bytes));
    }

    /** Figures to the megabyte: a reading in bytes says more than it knows. */
    private static long roundedToMegabytes(long bytes) {
        long megabyte = 1024 * 1024;
        return bytes >= megabyte ? (bytes + megabyte / 2) / megabyte * megabyte : bytes;
    }
}
