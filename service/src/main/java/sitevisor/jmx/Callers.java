package sitevisor.jmx;

import sitevisor.supervise.Actor;

import javax.management.remote.JMXPrincipal;
import javax.security.auth.Subject;
import java.security.AccessController;

/** Who called an MBean operation: the authenticated remote JMX user, or a local JMX client. */
final class Callers {
    private Callers() {}

    @SuppressWarnings("removal")
    static Actor current() {
        Subject subject = Subject.getSubject(AccessController.getContext());
        if (subject != null) {
            for (JMXPrincipal principal : subject.getPrincipals(JMXPrincipal.class)) {
                return Actor.operator("jmx user " + principal.getName());
            }
        }
        return Actor.operator("local jmx");
    }
}
