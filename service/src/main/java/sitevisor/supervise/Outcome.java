package sitevisor.supervise;

import sitevisor.mbeans.SiteState;

/**
 * What an operation over many instances did to one of them: a refusal is an outcome with
 * {@code ok} false and the reason, not an exception, so it cannot hide the others.
 *
 * @param ok      whether the instance ended where the operation was to bring it
 * @param state   the instance's state once the operation was done or refused
 * @param message what happened, or why it was refused, in words for the operator
 */
public record Outcome(String site, int instance, boolean ok, SiteState state, String message) {
}
