package sitevisor.config;

import java.util.Locale;

/** What happens when a running site's process ends on its own. */
public enum RestartPolicy {
    /** Restart after any exit, clean or not. */
    ALWAYS,
    /** Restart after a non-zero exit code or a death by signal; a clean exit 0 stays EXITED. */
    ON_FAILURE,
    /** Never restart; the instance stays EXITED. */
    NEVER;

    /** As the config writes it: the name in lower case, words joined by hyphens. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public boolean restartsAfter(int exitCode, int signal) {
        return switch (this) {
            case ALWAYS -> true;
            case ON_FAILURE -> exitCode != 0 || signal != 0;
            case NEVER -> false;
        };
    }
}
