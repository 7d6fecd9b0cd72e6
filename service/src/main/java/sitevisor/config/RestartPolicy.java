package sitevisor.config;

/** What happens when a running site's process ends on its own. */
public enum RestartPolicy {
    /** Restart after any exit, clean or not. */
    ALWAYS("always"),
    /** Restart after a non-zero exit code or a death by signal; a clean exit 0 stays EXITED. */
    ON_FAILURE("on-failure"),
    /** Never restart; the instance stays EXITED. */
    NEVER("never");

    private final String configName;

    RestartPolicy(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public boolean restartsAfter(int exitCode, int signal) {
        return switch (this) {
            case ALWAYS -> true;
            case ON_FAILURE -> exitCode != 0 || signal != 0;
            case NEVER -> false;
        };
    }
}
