package sitevisor.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** What a client reads of a config to reach its daemon: home and jolokia, nothing a site says. */
class ConfigAddressTest {
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
        Config.Address address = ConfigLoader.address(file);
        assertEquals(dir.resolve("state"), address.home());
        assertEquals(new Config.Endpoint("localhost", 9999), address.jolokia());
        assertEquals(dir.resolve("state/credentials"), address.credentialsFile());
        assertEquals(List.of("blog", "shop"), ConfigLoader.siteNames(file));
    }

    @Test
    void defaultsAreTheDaemonsDefaults() throws Exception {
        Config.Address address = ConfigLoader.address(write("sites: {}\n"));
        assertEquals(dir.resolve("var"), address.home());
        assertEquals(Config.DEFAULT_JOLOKIA, address.jolokia());
    }

    @Test
    void aFlowStyleSitesMappingIsReadWhole() throws Exception {
        // the shortcut only knows a block of sites; anything else is read in full, with the same answer
        Path file = write("sites: { blog: { command: [sleep, '1'] } }\njolokia: { port: 8111 }\n");
        assertNull(ConfigLoader.blankSitesBlock(Files.readString(file)));
        assertEquals(8111, ConfigLoader.address(file).jolokia().port());
    }

    @Test
    void aMistakeInJolokiaOrATopLevelTypoIsReportedNotGuessed() throws Exception {
        // a misspelt key would otherwise send the client to the default port, and perhaps another daemon
        ConfigException typo = assertThrows(ConfigException.class, () -> ConfigLoader.address(write("jolokai: { port: 9000 }\nsites:\n  a: {}\n")));
        assertTrue(typo.problems().get(0).toString().contains("jolokai"), typo.problems().toString());
        ConfigException port = assertThrows(ConfigException.class, () -> ConfigLoader.address(write("jolokia: { port: 99999 }\n")));
        assertTrue(port.problems().get(0).toString().contains("jolokia.port"), port.problems().toString());
    }

    @Test
    void blankingKeepsEveryOtherLineWhereItWas() {
        String text = "home: var\nsites:\n  a:\n    command: [x]\njmx: { port: 0 }\n";
        assertEquals("home: var\nsites:\n\n\njmx: { port: 0 }\n", ConfigLoader.blankSitesBlock(text));
    }
}
