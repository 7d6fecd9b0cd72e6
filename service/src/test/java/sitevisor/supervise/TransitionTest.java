package sitevisor.supervise;

import org.junit.jupiter.api.Test;
import sitevisor.mbeans.SiteState;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import static sitevisor.mbeans.SiteState.*;

class TransitionTest {
    /** Every pair of states: allowed exactly when listed here. */
    @Test
    void everyPairOfStatesIsAllowedOnlyWhenListed() {
        Set<String> allowed = Set.of(
                "STOPPED>STARTING", "STOPPED>UNKNOWN", "STOPPED>FATAL",
                "STARTING>RUNNING", "STARTING>BACKOFF", "STARTING>FATAL", "STARTING>STOPPING",
                "RUNNING>DRAINING", "RUNNING>STOPPING", "RUNNING>EXITED",
                "BACKOFF>STARTING", "BACKOFF>STOPPED", "BACKOFF>FATAL",
                "DRAINING>STOPPING", "DRAINING>EXITED",
                "STOPPING>STOPPED", "STOPPING>UNKNOWN",
                "EXITED>STARTING", "EXITED>BACKOFF", "EXITED>STOPPED", "EXITED>FATAL",
                "FATAL>STARTING", "FATAL>STOPPED",
                "UNKNOWN>RUNNING", "UNKNOWN>STOPPING", "UNKNOWN>EXITED");
        for (SiteState from : SiteState.values()) {
            for (SiteState to : SiteState.values()) {
                assertEquals(allowed.contains(from + ">" + to), Transition.allowed(from, to), from + " -> " + to);
            }
        }
    }

    /** The operator's table of transitions in docs/states.md is this table, name by name, and its table of states names every state. */
    @Test
    void theDocsListEveryTransitionByItsNameAndNoOther() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("../docs/states.md"));
        Pattern transition = Pattern.compile("^\\| `([A-Z]+)` \\| `([A-Z]+)` \\| ([a-z ]+) \\| .+\\|$");
        Pattern state = Pattern.compile("^\\| `([A-Z]+)` \\| [^`].+\\|$");
        Set<String> documented = new TreeSet<>();
        Set<String> states = new TreeSet<>();
        for (String line : lines) {
            Matcher row = transition.matcher(line);
            if (row.matches()) documented.add(row.group(1) + ">" + row.group(2) + ": " + row.group(3));
            Matcher one = state.matcher(line);
            if (one.matches()) states.add(one.group(1));
        }
        Set<String> actual = new TreeSet<>();
        for (Transition t : Transition.values()) {
            for (SiteState from : t.from()) actual.add(from + ">" + t.to() + ": " + t.label());
        }
        assertEquals(actual, documented, "docs/states.md and Transition disagree");
        assertEquals(new TreeSet<>(Arrays.stream(SiteState.values()).map(Enum::name).toList()), states, "docs/states.md's states");
    }

    /** A change of state is made by one transition only, so its name says what brought it about. */
    @Test
    void eachPairOfStatesBelongsToOneTransitionAtMost() {
        for (SiteState from : SiteState.values()) {
            for (SiteState to : SiteState.values()) {
                long count = Arrays.stream(Transition.values()).filter(t -> t.to() == to && t.from().contains(from)).count();
                assertTrue(count <= 1, from + " -> " + to + " is made by " + count + " transitions");
            }
        }
    }

    @Test
    void drainingLeavesOnlyTowardStoppingOrExited() {
        for (SiteState to : SiteState.values()) {
            assertEquals(EnumSet.of(STOPPING, EXITED).contains(to), Transition.allowed(DRAINING, to), "DRAINING -> " + to);
        }
    }

    @Test
    void fatalIsLeftOnlyByAnOperatorsStartOrStop() {
        for (SiteState to : SiteState.values()) {
            assertEquals(EnumSet.of(STARTING, STOPPED).contains(to), Transition.allowed(FATAL, to), "FATAL -> " + to);
        }
    }
}
