package sitevisor.config.file;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A config file read as text and composed into YAML nodes (YAML 1.2's core schema: no
 * {@code on}/{@code off} booleans), with the line of every node, so a problem can name it. A file
 * that cannot be read or is not YAML is one problem, naming the file and why.
 */
public final class YamlFile {
    private YamlFile() {}

    /**
     * The text of {@code file}, which is absolute.
     *
     * @throws ConfigException when it cannot be read: missing, not allowed, not UTF-8
     */
    public static String read(Path file) throws ConfigException {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigProblem(file, 0, "", "cannot read: " + reason(e))));
        }
    }

    /**
     * The root node of {@code text}, null for an empty document.
     *
     * @param file the file the text came from, for the messages
     * @throws ConfigException when the text is not valid YAML, naming the line
     */
    public static Node compose(Path file, String text) throws ConfigException {
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).setSchema(new CoreSchema()).build();
            return new Compose(settings).composeString(text).orElse(null);
        } catch (YamlEngineException e) {
            throw new ConfigException(List.of(syntaxProblem(file, e)));
        }
    }

    private static ConfigProblem syntaxProblem(Path file, YamlEngineException e) {
        if (!(e instanceof MarkedYamlEngineException marked)) {
            return new ConfigProblem(file, 0, "", "not valid YAML: " + e.getMessage());
        }
        Optional<Mark> mark = marked.getProblemMark().or(marked::getContextMark);
        String context = marked.getContext() == null ? "" : " (" + marked.getContext()
                + marked.getContextMark().map(m -> " from line " + (m.getLine() + 1)).orElse("") + ")";
        return new ConfigProblem(file, mark.map(m -> m.getLine() + 1).orElse(0), "",
                "not valid YAML: " + marked.getProblem() + context);
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "No such file or directory";
        if (e instanceof AccessDeniedException) return "Permission denied";
        if (e instanceof CharacterCodingException) return "not UTF-8 text";
        if (e instanceof FileSystemException fs && fs.getReason() != null) return fs.getReason();
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
