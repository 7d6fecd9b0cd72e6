package sitevisor.mbeans;

/** Where the daemon's HTTP agent (Jolokia) answers, and what the sitevisor client tells it beside the request. */
public final class HttpAgentPaths {
    /** The agent's context path: {@code http://127.0.0.1:8778/jolokia/}. */
    public static final String CONTEXT = "/jolokia";
    /** The OS user the sitevisor client runs as, sent with each of its requests and recorded as who asked. */
    public static final String CLI_USER_HEADER = "X-Sitevisor-Cli-User";

    private HttpAgentPaths() {}
}
