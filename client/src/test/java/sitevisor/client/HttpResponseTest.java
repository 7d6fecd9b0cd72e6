package sitevisor.client;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class HttpResponseTest {
    private static JolokiaClient.HttpResponse parse(String raw) throws Exception {
        return JolokiaClient.HttpResponse.parse(raw.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void joinsTheChunksOfAChunkedBody() throws Exception {
        var response = parse("HTTP/1.1 200 OK\r\nTransfer-encoding: chunked\r\nContent-type: application/json\r\n\r\n"
                + "5\r\n{\"a\":\r\n3;ext=1\r\n1}\n\r\n0\r\n\r\n");
        assertEquals(200, response.status());
        assertEquals("{\"a\":1}\n", response.body());
    }

    @Test
    void takesAPlainBodyAsItIs() throws Exception {
        var response = parse("HTTP/1.1 401 Unauthorized\r\nContent-length: 2\r\n\r\nno");
        assertEquals(401, response.status());
        assertEquals("no", response.body());
    }

    @Test
    void refusesWhatIsNotHttpOrEndsInsideAChunk() {
        assertThrows(JolokiaClient.Unreachable.class, () -> parse("SSH-2.0-OpenSSH_9.2\r\n"));
        assertThrows(JolokiaClient.Unreachable.class, () -> parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort"));
        assertThrows(JolokiaClient.Unreachable.class, () -> parse("HTTP/1.1 abc OK\r\n\r\n"));
    }
}
