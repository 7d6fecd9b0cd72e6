package sitevisor.client;

/**
 * What the daemon answered to one {@link Call}: its value, or why there is none (the MBean's
 * refusal as Jolokia reports it, without the exception's class name).
 */
public final class Answer<T> {
    private final T value;
    private final String error;

    private Answer(T value, String error) {
        this.value = value;
        this.error = error;
    }

    static <T> Answer<T> value(T value) {
        return new Answer<>(value, null);
    }

    static <T> Answer<T> error(String error) {
        return new Answer<>(null, error);
    }

    /** Whether the call succeeded: the agent answered it with status 200. */
    public boolean ok() {
        return error == null;
    }

    /** The value, when {@link #ok()}. */
    public T value() {
        if (!ok()) throw new IllegalStateException("no value: " + error);
        return value;
    }

    /** The value, or {@code fallback} when the call failed. */
    public T valueOr(T fallback) {
        return ok() ? value : fallback;
    }

    /** Why the call failed, one line an operator reads; empty when it succeeded. */
    public String error() {
        return ok() ? "" : error;
    }
}
