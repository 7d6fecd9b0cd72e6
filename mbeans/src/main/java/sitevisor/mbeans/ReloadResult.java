package sitevisor.mbeans;

import javax.management.ConstructorParameters;

/**
 * What {@link SupervisorMXBean#reload()} changed: the sites by what happened to them, each list in
 * the config file's order (removed sites in the order the old file named them), and the outcome of
 * every instance it stopped or started. A CompositeData to JMX clients.
 */
public final class ReloadResult {
    private final String[] added;
    private final String[] removed;
    private final String[] changed;
    private final String[] retuned;
    private final String[] unchanged;
    private final SiteOutcome[] outcomes;

    @ConstructorParameters({"added", "removed", "changed", "retuned", "unchanged", "outcomes"})
    public ReloadResult(String[] added, String[] removed, String[] changed, String[] retuned, String[] unchanged, SiteOutcome[] outcomes) {
        this.added = added.clone();
        this.removed = removed.clone();
        this.changed = changed.clone();
        this.retuned = retuned.clone();
        this.unchanged = unchanged.clone();
        this.outcomes = outcomes.clone();
    }

    /** Sites new in the file: registered, and started when {@code autostart}. */
    public String[] getAdded() {
        return added.clone();
    }

    /** Sites gone from the file: stopped, and their MBeans unregistered. */
    public String[] getRemoved() {
        return removed.clone();
    }

    /** Sites whose settings differ: stopped, and started again with the new settings if they were meant to run. */
    public String[] getChanged() {
        return changed.clone();
    }

    /** Sites whose only changes are their memory limits or priority: these apply with no restart. */
    public String[] getRetuned() {
        return retuned.clone();
    }

    /** Sites whose settings are the same: not touched at all. */
    public String[] getUnchanged() {
        return unchanged.clone();
    }

    /** The stop of every instance of a removed or changed site, then the start of every instance started again or added. */
    public SiteOutcome[] getOutcomes() {
        return outcomes.clone();
    }
}
