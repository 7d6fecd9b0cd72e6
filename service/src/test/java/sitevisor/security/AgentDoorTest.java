package sitevisor.security;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import sitevisor.config.Config;
import sitevisor.mbeans.HttpAgentPaths;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which Host headers name the agent: the rule against DNS rebinding, as a table. */
class AgentDoorTest {
    private static final Config.HttpAccess LISTED = new Config.HttpAccess(List.of(), List.of("sitevisor.example.org"));

    @ParameterizedTest(name = "agent on {0} ({1}): Host ''{2}'' -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1       | 127.0.0.1 | 127.0.0.1:8778              | true
            127.0.0.1       | 127.0.0.1 | localhost:8778              | true
            127.0.0.1       | 127.0.0.1 | LocalHost:8778              | true
            127.0.0.1       | 127.0.0.1 | localhost.:8778             | true
            127.0.0.1       | 127.0.0.1 | sitevisor.example.org:8778  | true
            127.0.0.1       | 127.0.0.1 | 127.0.0.1                   | false
            127.0.0.1       | 127.0.0.1 | 127.0.0.1:8779              | false
            127.0.0.1       | 127.0.0.1 | evil.example:8778           | false
            127.0.0.1       | 127.0.0.1 | evil.localhost:8778         | false
            127.0.0.1       | 127.0.0.1 | 127.0.0.2:8778              | false
            127.0.0.1       | 127.0.0.1 | [::1]:8778                  | false
            127.0.0.1       | 127.0.0.1 | 127.0.0.1:8778:1            | false
            127.0.0.1       | 127.0.0.1 | 127.0.0.1:port              | false
            127.0.0.1       | 127.0.0.1 | 2130706433:8778             | false
            127.0.0.1       | 127.0.0.1 | ''                          | false
            0.0.0.0         | 0.0.0.0   | 10.1.2.3:8778               | true
            0.0.0.0         | 0.0.0.0   | [::1]:8778                  | true
            0.0.0.0         | 0.0.0.0   | localhost:8778              | true
            0.0.0.0         | 0.0.0.0   | myhost:8778                 | false
            ::1             | ::1       | [::1]:8778                  | true
            ::1             | ::1       | [0:0:0:0:0:0:0:1]:8778      | true
            ::1             | ::1       | ::1:8778                    | false
            myhost.internal | 10.0.0.5  | myhost.internal:8778        | true
            myhost.internal | 10.0.0.5  | 10.0.0.5:8778               | true
            myhost.internal | 10.0.0.5  | localhost:8778              | false
            """)
    void aHostHeaderNamesTheAgentOnlyByItsAddressItsNamesOrListedNames(String configuredHost, String address, String host,
                                                                      boolean allowed) throws Exception {
        AgentDoor door = new AgentDoor(HttpAgentPaths.CONTEXT, new AgentDoor.Listening(configuredHost, InetAddress.getByName(address), 8778),
                () -> LISTED, null);
        assertEquals(allowed, door.hostAllowed(host, LISTED));
    }
}
