package sitevisor.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Splits a command string into words the way a POSIX shell does, and does nothing else: no
 * variables, globs, {@code ~}, redirections, pipes or command substitution. Words are separated
 * by blanks; single quotes keep everything literally; double quotes keep everything except a
 * backslash before {@code " \ $ `} or a newline; outside quotes a backslash keeps the next
 * character literally and a backslash-newline is dropped.
 */
public final class ShellWords {

    private static final String OPERATOR_CHARS = "|&;<>";

    private ShellWords() {}

    /**
     * The words of {@code command}. Shell operators are kept as plain text; see {@link #firstOperator}.
     *
     * @throws IllegalArgumentException when a quote is not closed or the text ends in a lone backslash
     */
    public static List<String> split(String command) {
        return scan(command).words;
    }

    /**
     * The first operator a shell would act on rather than pass along: {@code |}, {@code ;},
     * {@code &}, {@code <}, {@code >} (with what follows them, as {@code &&} or {@code 2>&1}'s
     * {@code >&}) outside quotes, or a {@code $(} or backtick outside single quotes; empty when
     * there is none. Used to tell an operator that a command string is not run through a shell.
     *
     * @throws IllegalArgumentException as {@link #split} does
     */
    public static Optional<String> firstOperator(String command) {
        return Optional.ofNullable(scan(command).firstOperator);
    }

    private record Scan(List<String> words, String firstOperator) {}

    private static Scan scan(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        String operator = null;
        int i = 0;
        int n = command.length();
        while (i < n) {
            char c = command.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '\'') {
                int close = command.indexOf('\'', i + 1);
                if (close < 0) throw new IllegalArgumentException("single quote at position " + (i + 1) + " is never closed");
                word.append(command, i + 1, close);
                inWord = true;
                i = close + 1;
            } else if (c == '"') {
                int open = i;
                i++;
                while (true) {
                    if (i >= n) throw new IllegalArgumentException("double quote at position " + (open + 1) + " is never closed");
                    char q = command.charAt(i);
                    if (q == '"') {
                        i++;
                        break;
                    }
                    if (q == '\\' && i + 1 < n && "\"\\$`\n".indexOf(command.charAt(i + 1)) >= 0) {
                        if (command.charAt(i + 1) != '\n') word.append(command.charAt(i + 1));
                        i += 2;
                        continue;
                    }
                    if (operator == null) operator = substitutionAt(command, i);
                    word.append(q);
                    i++;
                }
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= n) throw new IllegalArgumentException("ends with a lone backslash");
                char next = command.charAt(i + 1);
                if (next != '\n') {
                    word.append(next);
                    inWord = true;
                }
                i += 2;
            } else {
                if (operator == null) {
                    operator = substitutionAt(command, i);
                    if (operator == null && OPERATOR_CHARS.indexOf(c) >= 0) {
                        int end = i;
                        while (end < n && OPERATOR_CHARS.indexOf(command.charAt(end)) >= 0) end++;
                        operator = command.substring(i, end);
                    }
                }
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) words.add(word.toString());
        return new Scan(List.copyOf(words), operator);
    }

    /** {@code $(} or a backtick at {@code i}: what a shell would replace by a command's output, also inside double quotes. */
    private static String substitutionAt(String command, int i) {
        char c = command.charAt(i);
        if (c == '`') return "`";
        if (c == '$' && i + 1 < command.length() && command.charAt(i + 1) == '(') return "$(";
        return null;
    }
}
