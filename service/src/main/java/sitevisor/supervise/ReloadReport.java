package sitevisor.supervise;

import java.util.List;

/**
 * What a reload applied. Site names in the new file's order; removed ones in the old file's.
 * Retuned sites changed only their memory limits or priority, which apply with no restart.
 *
 * @param outcomes the stop of every instance of a removed or changed site, then the start of every
 *                 instance started again or added
 */
public record ReloadReport(List<String> added, List<String> removed, List<String> changed, List<String> retuned, List<String> unchanged,
                           List<Outcome> outcomes) {
    public ReloadReport {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
        retuned = List.copyOf(retuned);
        unchanged = List.copyOf(unchanged);
        outcomes = List.copyOf(outcomes);
    }

    /** One line for the daemon's log: {@code added shop; removed old; changed blog; retuned wiki; 3 unchanged}. */
    public String summary() {
        return "added " + names(added) + "; removed " + names(removed) + "; changed " + names(changed)
                + (retuned.isEmpty() ? "" : "; retuned " + names(retuned)) + "; " + unchanged.size() + " unchanged"
                + (outcomes.stream().allMatch(Outcome::ok) ? "" : "; not ok: " + String.join(", ",
                outcomes.stream().filter(o -> !o.ok()).map(o -> o.site() + "[" + o.instance() + "] " + o.state() + ": " + o.message()).toList()));
    }

    private static String names(List<String> sites) {
        return sites.isEmpty() ? "none" : String.join(", ", sites);
    }
}
