package sitevisor.security;

import sitevisor.mbeans.Actor;

import javax.management.remote.JMXPrincipal;
import javax.security.auth.Subject;
import java.io.IOException;
import java.security.AccessController;
import java.util.function.Supplier;

/**
 * Who called an MBean operation: the caller a door in front of the MBean server authenticated
 * (the HTTP agent names its user, client address and the CLI user), else the authenticated
 * remote JMX user, else a local JMX client.
 */
public final class Callers {
    private static final ThreadLocal<Supplier<Actor>> ON_BEHALF_OF = new ThreadLocal<>();

    private Callers() {}

    /** A request a door serves on the calling thread, from start to answer. */
    @FunctionalInterface
    public interface Request {
        void serve() throws IOException;
    }

    /**
     * Serves a request on behalf of a caller the door authenticates; MBean operations it reaches
     * see that caller. Asked for only when an operation needs it, after authentication.
     */
    public static void onBehalfOf(Supplier<Actor> caller, Request request) throws IOException {
        Supplier<Actor> outer = ON_BEHALF_OF.get();
        ON_BEHALF_OF.set(caller);
        try {
            request.serve();
        } finally {
            if (outer == null) ON_BEHALF_OF.remove();
            else ON_BEHALF_OF.set(outer);
        }
    }

    @SuppressWarnings("removal")
    public static Actor current() {
        Supplier<Actor> door = ON_BEHALF_OF.get();
        if (door != null) return door.get();
        Subject subject = Subject.getSubject(AccessController.getContext());
        if (subject != null) {
            for (JMXPrincipal principal : subject.getPrincipals(JMXPrincipal.class)) {
                return Actor.operator("jmx user " + principal.getName());
            }
        }
        return Actor.operator("local jmx");
    }
}
