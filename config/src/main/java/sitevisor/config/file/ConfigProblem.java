package sitevisor.config.file;

import java.nio.file.Path;

/**
 * One thing wrong with a config file.
 *
 * @param file    the config file, absolute
 * @param line    1-based line in {@code file}; 0 when the problem has no single place
 * @param key     the dotted key path, as {@code sites.blog.stopTimeout}; empty for the file as a whole
 * @param message what is wrong and, where it helps, what to write instead
 */
public record ConfigProblem(Path file, int line, String key, String message) {

    public ConfigProblem {
        key = key == null ? "" : key;
    }

    /**
     * One line for an operator: {@code sites.blog.stopTimeout in /etc/sitevisor.yml line 12: '10x'
     * is not a duration (try 10s, 2m)}; without a key, {@code /etc/sitevisor.yml: cannot read: …}.
     */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        if (!key.isEmpty()) out.append(key).append(" in ");
        out.append(file);
        if (line > 0) out.append(" line ").append(line);
        return out.append(": ").append(message).toString();
    }
}
