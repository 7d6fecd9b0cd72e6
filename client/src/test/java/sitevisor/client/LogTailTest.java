package sitevisor.client;

import org.jolokia.json.parser.JSONParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.config.file.DaemonAddress;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sitevisor logs --json} on whatever bytes a site wrote. */
class LogTailTest {
    @TempDir
    Path dir;

    @Test
    void everyLineIsValidJsonWhateverBytesTheSiteWrote() throws Exception {
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        // every control character but the newline, DEL, a quote and a backslash
        for (int c = 0; c < 0x20; c++) if (c != '\n') written.write(c);
        written.write(new byte[]{0x7f, '"', '\\'});
        written.write('\n');
        written.write("\u001b[31mred\u001b[0m é 😀\n".getBytes(StandardCharsets.UTF_8));
        // not UTF-8: a lone continuation byte, a cut sequence, 0xff, an encoded surrogate
        written.write(new byte[]{'a', (byte) 0x80, 'b', (byte) 0xc3, 'c', (byte) 0xff, (byte) 0xed, (byte) 0xa0, (byte) 0x80, '\n'});
        Path logs = Files.createDirectories(dir.resolve("var/logs/blog"));
        Files.write(logs.resolve("blog.log"), written.toByteArray());
        DaemonAddress daemon = new DaemonAddress(dir.resolve("sitevisor.yml"), dir.resolve("var"), DaemonAddress.DEFAULT_JOLOKIA);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = new LogTail(daemon, Invocation.parse(List.of("logs", "blog", "-n", "10", "--json")),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)).run();

        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), lines::toString);
        for (String line : lines) {
            assertTrue(line.chars().allMatch(c -> c >= 0x20 && c < 0x7f), "not printable ASCII: " + line);
            assertTrue(StrictJson.isValid(line), "not JSON: " + line);
        }
        Map<?, ?> colours = (Map<?, ?>) new JSONParser().parse(lines.get(1));
        assertEquals("\u001b[31mred\u001b[0m é 😀", colours.get("line"));
        Map<?, ?> controls = (Map<?, ?>) new JSONParser().parse(lines.get(0));
        assertEquals(new String(written.toByteArray(), 0, 0x20 - 1 + 3, StandardCharsets.UTF_8), controls.get("line"));
    }

    /** RFC 8259's grammar, as a checker that accepts nothing more: Jolokia's parser is lenient about escapes. */
    static final class StrictJson {
        private final String text;
        private int at;

        private StrictJson(String text) {
            this.text = text;
        }

        static boolean isValid(String text) {
            StrictJson json = new StrictJson(text);
            try {
                json.value();
                json.space();
                return json.at == text.length();
            } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
                return false;
            }
        }

        private void value() {
            space();
            char c = text.charAt(at);
            if (c == '{') {
                at++;
                space();
                if (text.charAt(at) == '}') {
                    at++;
                    return;
                }
                do {
                    space();
                    string();
                    space();
                    expect(':');
                    value();
                    space();
                } while (text.charAt(at++) == ',');
                if (text.charAt(at - 1) != '}') throw new IllegalArgumentException("object");
            } else if (c == '[') {
                at++;
                space();
                if (text.charAt(at) == ']') {
                    at++;
                    return;
                }
                do {
                    value();
                    space();
                } while (text.charAt(at++) == ',');
                if (text.charAt(at - 1) != ']') throw new IllegalArgumentException("array");
            } else if (c == '"') {
                string();
            } else if (text.startsWith("true", at) || text.startsWith("null", at)) {
                at += 4;
            } else if (text.startsWith("false", at)) {
                at += 5;
            } else {
                int start = at;
                while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) at++;
                if (!text.substring(start, at).matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) throw new IllegalArgumentException("number");
            }
        }

        private void string() {
            expect('"');
            while (true) {
                char c = text.charAt(at++);
                if (c == '"') return;
                if (c < 0x20) throw new IllegalArgumentException("control character");
                if (c == '\\') {
                    char escape = text.charAt(at++);
                    if (escape == 'u') {
                        if (!text.substring(at, at + 4).matches("[0-9a-fA-F]{4}")) throw new IllegalArgumentException("\\u");
                        at += 4;
                    } else if ("\"\\/bfnrt".indexOf(escape) < 0) {
                        throw new IllegalArgumentException("escape");
                    }
                }
            }
        }

        private void expect(char c) {
            if (text.charAt(at++) != c) throw new IllegalArgumentException("expected " + c);
        }

        private void space() {
            while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) at++;
        }
    }
}
