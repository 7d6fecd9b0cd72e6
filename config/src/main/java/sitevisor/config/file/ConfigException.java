package sitevisor.config.file;

import java.util.List;
import java.util.stream.Collectors;

/** A config file that cannot be used, with every problem found in it, not just the first. */
public final class ConfigException extends Exception {

    private final List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
        if (problems.isEmpty()) throw new IllegalArgumentException("a ConfigException needs at least one problem");
        this.problems = List.copyOf(problems);
    }

    /** The problems in file order, each one line when printed. */
    public List<ConfigProblem> problems() {
        return problems;
    }
}
