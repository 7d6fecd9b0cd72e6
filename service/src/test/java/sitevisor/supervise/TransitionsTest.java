package sitevisor.supervise;

import org.junit.jupiter.api.Test;
import sitevisor.mbeans.SiteState;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;
import static sitevisor.mbeans.SiteState.*;

class TransitionsTest {
    /** Every pair of states: allowed exactly when listed here. */
    @Test
    void everyPairOfStatesIsAllowedOnlyWhenListed() {
        Set<String> allowed = Set.of(
                "STOPPED>STARTING", "STOPPED>UNKNOWN",
                "STARTING>RUNNING", "STARTING>BACKOFF", "STARTING>FATAL", "STARTING>STOPPING",
                "RUNNING>DRAINING", "RUNNING>STOPPING", "RUNNING>EXITED",
                "BACKOFF>STARTING", "BACKOFF>STOPPED", "BACKOFF>FATAL",
                "DRAINING>STOPPING", "DRAINING>EXITED",
                "STOPPING>STOPPED", "STOPPING>UNKNOWN",
                "EXITED>STARTING", "EXITED>BACKOFF", "EXITED>STOPPED", "EXITED>FATAL",
                "FATAL>STARTING", "FATAL>STOPPED",
                "UNKNOWN>RUNNING", "UNKNOWN>STOPPING", "UNKNOWN>STOPPED", "UNKNOWN>EXITED");
        for (SiteState from : SiteState.values()) {
            for (SiteState to : SiteState.values()) {
                assertEquals(allowed.contains(from + ">" + to), Transitions.allowed(from, to), from + " -> " + to);
            }
        }
    }

    @Test
    void drainingLeavesOnlyTowardStoppingOrExited() {
        for (SiteState to : SiteState.values()) {
            assertEquals(EnumSet.of(STOPPING, EXITED).contains(to), Transitions.allowed(DRAINING, to), "DRAINING -> " + to);
        }
    }

    @Test
    void fatalIsLeftOnlyByAnOperatorsStartOrStop() {
        for (SiteState to : SiteState.values()) {
            assertEquals(EnumSet.of(STARTING, STOPPED).contains(to), Transitions.allowed(FATAL, to), "FATAL -> " + to);
        }
    }
}
