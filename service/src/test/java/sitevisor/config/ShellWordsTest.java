package sitevisor.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ShellWordsTest {

    static Stream<Arguments> commands() {
        return Stream.of(
                arguments("python3 site.py 8001", List.of("python3", "site.py", "8001")),
                arguments("  a \t b\n c  ", List.of("a", "b", "c")),
                arguments("", List.of()),
                arguments("echo 'hello world'", List.of("echo", "hello world")),
                arguments("echo 'a \"b\" \\n'", List.of("echo", "a \"b\" \\n")),
                arguments("echo \"hello world\"", List.of("echo", "hello world")),
                arguments("echo \"a \\\" \\\\ \\$ \\` b\"", List.of("echo", "a \" \\ $ ` b")),
                arguments("echo \"keep \\n and \\x\"", List.of("echo", "keep \\n and \\x")),
                arguments("echo a\\ b \\'c", List.of("echo", "a b", "'c")),
                arguments("echo '' \"\"", List.of("echo", "", "")),
                arguments("pre'mid'\"post\"", List.of("premidpost")),
                arguments("a \\\nb", List.of("a", "b")),
                arguments("echo $HOME ~ *.py {port}", List.of("echo", "$HOME", "~", "*.py", "{port}")),
                arguments("a | b; c && d > e", List.of("a", "|", "b;", "c", "&&", "d", ">", "e")),
                arguments("sh -c 'a | b'", List.of("sh", "-c", "a | b")));
    }

    @ParameterizedTest(name = "[{0}] splits into {1}")
    @MethodSource("commands")
    void splitsIntoWordsAndNothingMore(String command, List<String> words) {
        assertEquals(words, ShellWords.split(command));
    }

    @ParameterizedTest(name = "[{0}] is refused")
    @ValueSource(strings = {"echo 'open", "echo \"open", "echo \"open\\\"", "echo trailing\\"})
    void refusesUnfinishedQuotesAndEscapes(String command) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShellWords.split(command));
        assertTrue(e.getMessage().contains("never closed") || e.getMessage().contains("lone backslash"), e.getMessage());
    }

    static Stream<Arguments> operators() {
        return Stream.of(
                arguments("python3 site.py", null),
                arguments("a | b", "|"),
                arguments("a; b", ";"),
                arguments("a && b", "&&"),
                arguments("a & ", "&"),
                arguments("a > log", ">"),
                arguments("a 2>&1", ">&"),
                arguments("a < in", "<"),
                arguments("echo $(date)", "$("),
                arguments("echo \"$(date)\"", "$("),
                arguments("echo `date`", "`"),
                arguments("echo \"`date`\"", "`"),
                arguments("sh -c 'a | b; c > d $(e) `f`'", null),
                arguments("echo \"a | b ; c\"", null),
                arguments("echo a\\|b \\; \\$(x) \\`y\\`", null),
                arguments("echo \"\\$(x) \\`y\\`\"", null),
                arguments("echo $HOME", null));
    }

    @ParameterizedTest(name = "[{0}] has operator {1}")
    @MethodSource("operators")
    void findsTheFirstOperatorAShellWouldActOn(String command, String operator) {
        assertEquals(Optional.ofNullable(operator), ShellWords.firstOperator(command));
    }
}
