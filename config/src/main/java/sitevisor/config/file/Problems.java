package sitevisor.config.file;

import org.snakeyaml.engine.v2.nodes.Node;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The problems found so far in one config file; loading goes on after each so all are reported at once. */
public final class Problems {

    private final Path file;
    private final List<ConfigProblem> found = new ArrayList<>();

    public Problems(Path file) {
        this.file = file;
    }

    public void add(String key, Node at, String message) {
        add(key, lineOf(at), message);
    }

    public void add(String key, int line, String message) {
        found.add(new ConfigProblem(file, line, key, message));
    }

    public int count() {
        return found.size();
    }

    /** By line, so the report reads top to bottom like the file; those without a line come last. */
    public List<ConfigProblem> inFileOrder() {
        List<ConfigProblem> sorted = new ArrayList<>(found);
        sorted.sort(Comparator.comparingInt(p -> p.line() == 0 ? Integer.MAX_VALUE : p.line()));
        return sorted;
    }

    /** The 1-based line a node starts on, or 0 when unknown. */
    public static int lineOf(Node node) {
        return node == null ? 0 : node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
    }
}
