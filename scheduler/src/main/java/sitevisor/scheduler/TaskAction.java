package sitevisor.scheduler;

import java.net.URI;
import java.util.List;

/** What a task does when it runs. */
public sealed interface TaskAction {

    /** How the action reads in messages and in {@code sitevisor tasks}. */
    String describe();

    /**
     * An HTTP request to the site; a 2xx answer is success. The body is read and discarded.
     *
     * @param method GET or POST
     */
    record Http(URI uri, String method) implements TaskAction {
        @Override
        public String describe() {
            return method + " " + uri;
        }
    }

    /**
     * A program, from its argument list (never through a shell), in the site's directory and
     * environment, in a process group of its own, its output into the site's log; exit 0 is success.
     */
    record Command(List<String> command) implements TaskAction {
        public Command {
            command = List.copyOf(command);
        }

        @Override
        public String describe() {
            return String.join(" ", command);
        }
    }
}
