package sitevisor.config.file;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** What a client reads of a config to reach its daemon: home and jolokia, nothing a site says. */
class DaemonAddressTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("sitevisor.yml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void readsHomeAndJolokiaAndIgnoresMistakesInsideSites() throws Exception {
        Path file = write("""
                home: state
                sites:
                  blog:
                    command: [/no/such/program]
                    bogusKey: 1
                  # a comment at column 0 does not end the block
                  shop:
                    command: [sleep, "1"]

                jolokia:
                  host: localhost
                  port: 9999
                """);
        DaemonAddress address = DaemonAddress.read(file);
        assertEquals(dir.resolve("state"), address.home());
        assertEquals(new Endpoint("localhost", 9999), address.jolokia());
        assertEquals(dir.resolve("state/credentials"), address.credentialsFile());
        assertEquals(List.of("blog", "shop"), DaemonAddress.siteNames(file));
    }

    @Test
    void defaultsAreTheDaemonsDefaults() throws Exception {
        DaemonAddress address = DaemonAddress.read(write("sites: {}\n"));
        assertEquals(dir.resolve("var"), address.home());
        assertEquals(DaemonAddress.DEFAULT_JOLOKIA, address.jolokia());
    }

    /** Each config is read without the parser, and with it: the answers must be the same. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "home: state\njolokia: { host: localhost, port: 9999 }\nsites:\n  blog:\n    command: [sleep, '1']\n",
            "# comment\nhome: 'my state'   # quoted\n\njolokia:\n  host: 127.0.0.1\n  # a comment inside\n  port: 8111\njmx: { port: 0 }\n",
            "sites: {}\njolokia: {}\n",
            "jmx:\n  port: 9010\nhome: \"var2\"\n",
            "home: ../elsewhere/var\r\njolokia: { port: 18000 }\r\n",
            "jolokia: {host: localhost}\n",
    })
    void thePlainReadingAgreesWithTheParser(String yaml) throws Exception {
        Path file = write(yaml);
        assertTrue(TopLevelReader.read(yaml).isPresent(), "not read plainly");
        assertEquals(DaemonAddress.parse(file.toAbsolutePath(), yaml), DaemonAddress.read(file));
    }

    @Test
    void theBundledExampleIsReadPlainly() throws Exception {
        Path example = Path.of("../examples/sitevisor.yml");
        String yaml = Files.readString(example);
        assertTrue(TopLevelReader.read(yaml).isPresent());
        assertEquals(DaemonAddress.parse(example.toAbsolutePath().normalize(), yaml), DaemonAddress.read(example));
    }

    /** Forms the plain reading does not know go to the parser, which reads them right or names the mistake. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "---\nhome: var\n",
            "home: &h var\n",
            "home: ~\n",
            "home: 2024\n",
            "home: true\n",
            "home: \"a\\tb\"\n",
            "jolokia: { host: localhost, port: 0x1F90 }\n",
            "jolokia: { host: 10.5 }\n",
            "jolokia:\n  host: localhost\n    port: 9000\n",
            "jolokai: { port: 9000 }\n",
            "home: var\nhome: other\n",
            "  home: var\n",
            "home: var\n  extra: 1\n",
            "jolokia: { user: admin }\n",
            "jolokia: [127.0.0.1, 8778]\n",
    })
    void formsItDoesNotKnowGoToTheParser(String yaml) {
        assertTrue(TopLevelReader.read(yaml).isEmpty(), "read plainly: " + TopLevelReader.read(yaml));
    }

    @Test
    void browserOriginsDoNotKeepAClientFromItsDaemon() throws Exception {
        for (String yaml : List.of("jolokia: { port: 9999, origins: [http://localhost:8080], allowedHosts: [sv.example.org] }\n",
                "jolokia:\n  port: 9999\n  origins:\n    - http://localhost:8080\n")) {
            assertEquals(new Endpoint(DaemonAddress.DEFAULT_JOLOKIA.host(), 9999), DaemonAddress.read(write(yaml)).jolokia(), yaml);
        }
    }

    @Test
    void aMistakeInJolokiaOrATopLevelTypoIsReportedNotGuessed() throws Exception {
        // a misspelt key would otherwise send the client to the default port, and perhaps another daemon
        Path file = write("jolokai: { port: 9000 }\nsites:\n  a: {}\n");
        ConfigException typo = assertThrows(ConfigException.class, () -> DaemonAddress.read(file));
        // the daemon's own message for it, word for word
        assertEquals(List.of("jolokai in " + file + " line 1: unknown key (did you mean 'jolokia'?)"),
                typo.problems().stream().map(ConfigProblem::toString).toList());
        ConfigException port = assertThrows(ConfigException.class, () -> DaemonAddress.read(write("jolokia: { port: 99999 }\n")));
        assertTrue(port.problems().get(0).toString().contains("jolokia.port"), port.problems().toString());
    }

    @Test
    void aHostOrPortTheDaemonWouldRefuseIsReportedByTheParser() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> DaemonAddress.read(write("jolokia: { port: 70000 }\n")));
        assertTrue(e.problems().get(0).toString().contains("jolokia.port"), e.problems().toString());
    }
}
