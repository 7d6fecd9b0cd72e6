package sitevisor.mbeans;

/**
 * Who asked for a change: an operator (through which door, as which user, from where), the
 * daemon itself (start-up, shutdown), or a policy acting on its own (crash restart, back-off).
 */
public record Actor(Kind kind, String name) {
    public enum Kind { OPERATOR, DAEMON, POLICY, SCHEDULER }

    public static Actor operator(String name) {
        return new Actor(Kind.OPERATOR, name);
    }

    public static Actor daemon(String why) {
        return new Actor(Kind.DAEMON, why);
    }

    /** The scheduler acting on its own: a maintenance window, a task. */
    public static Actor scheduler(String what) {
        return new Actor(Kind.SCHEDULER, what);
    }

    public static Actor policy(String which) {
        return new Actor(Kind.POLICY, which);
    }

    /** The same actor, acting through something that names itself: {@code operator local jmx (reload)}. */
    public Actor via(String what) {
        return new Actor(kind, name + " (" + what + ")");
    }

    public boolean isOperator() {
        return kind == Kind.OPERATOR;
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + name;
    }
}
