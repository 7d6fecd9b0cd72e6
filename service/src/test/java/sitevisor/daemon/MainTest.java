package sitevisor.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sitevisor.client.Cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** {@code sitevisor check} and the usage errors, through the real entry point. */
class MainTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void checkOfAValidConfigSaysOkAndExits0() throws Exception {
        Path config = dir.resolve("ok.yml");
        Files.writeString(config, "sites:\n  blog:\n    command: [sleep, '1000']\n  shop:\n    command: sleep 1000\n");
        assertEquals(0, run("check", "-c", config.toString()));
        assertTrue(out.toString().contains("OK, 2 sites (blog, shop)"), out.toString());
    }

    @Test
    void checkReportsEveryProblemWithFileSiteKeyAndReasonAndExits1() throws Exception {
        Path config = dir.resolve("bad.yml");
        Files.writeString(config, """
                sites:
                  blog:
                    command: [sleep, '1000']
                    stopTimeout: 10x
                    port: 8001
                  shop:
                    command: [no-such-program-here]
                    port: 8001
                """);
        assertEquals(1, run("check", "-c", config.toString()));
        String text = err.toString();
        assertTrue(text.contains("sites.blog.stopTimeout in " + config + " line 4: '10x' is not a duration"), text);
        assertTrue(text.contains("sites.shop.command in " + config), text);
        assertTrue(text.contains("no-such-program-here"), text);
        assertTrue(text.contains("port 8001 is already used by site 'blog'"), text);
        assertTrue(text.contains("3 problems found"), text);
    }

    @Test
    void checkOfAMissingFileSaysSoAndExits1() {
        assertEquals(1, run("check", "-c", dir.resolve("absent.yml").toString()));
        assertTrue(err.toString().contains("absent.yml"), err.toString());
    }

    @Test
    void usageErrorsExit2() {
        assertEquals(2, run());
        assertEquals(2, run("frobnicate"));
        assertTrue(err.toString().contains("unknown command 'frobnicate'"), err.toString());
        assertEquals(2, run("check", "-c"));
        assertEquals(2, run("check", "--colour"));
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("sitevisor run"), out.toString());
        assertTrue(out.toString().contains("sitevisor restart SITE|all"), "the usage lists the client's commands too: " + out);
    }

    /** Options come before or after the command, as the client takes them; FILE is the same file. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"check -c $F", "-c $F check", "check --config $F", "--config=$F check", "check --config=$F"})
    void theCommandAndItsFileAreFoundWhereverTheyAre(String line) throws Exception {
        Path config = dir.resolve("ok.yml");
        Files.writeString(config, "sites:\n  blog:\n    command: [sleep, '1000']\n");
        assertEquals(0, run(line.replace("$F", config.toString()).split(" ")), err.toString());
        assertEquals(config + ": OK, 1 site (blog)\n", out.toString());
    }

    /**
     * A mistake in a daemon's command line gets the answer the client gives it, word for word:
     * the two programs behind bin/sitevisor read one command line.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"run --json", "check --json", "run blog", "check a b", "run -c", "check --config", "run --config=",
            "run --colour", "run -n 5", "run -n x", "check -n", "run -n5", "run --lines 3", "run -f", "check --follow",
            "run --since 2h", "run --since", "run --since=", "run --at 03:00", "check --at=03:00", "run --force",
            "-c a.yml run --json", "--json -c a.yml check extra"})
    void usageErrorsReadAsTheClientReadsThem(String line) {
        String[] args = line.split(" ");
        ByteArrayOutputStream clientErr = new ByteArrayOutputStream();
        int clientExit = Cli.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(clientErr, true, StandardCharsets.UTF_8));
        assertEquals(2, run(args));
        assertEquals(2, clientExit);
        assertEquals(clientErr.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        assertEquals("", out.toString());
    }
}
