package sitevisor.client;

import org.jolokia.json.parser.JSONParser;
import org.jolokia.json.parser.ParseException;
import sitevisor.config.file.DaemonAddress;
import sitevisor.config.file.Endpoint;
import sitevisor.mbeans.HttpAgentPaths;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Speaks JSON to the daemon's Jolokia agent over one short HTTP/1.1 connection, with the
 * credentials the daemon wrote under its home. Written on a plain socket: the JDK's HTTP clients
 * cost a client that lives for one request more start-up time than the request itself.
 */
final class JolokiaClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** How long a command waits for the HTTP agent of a daemon that is starting. */
    static final Duration STARTING_WAIT = Duration.ofSeconds(30);
    private static final Duration STARTING_RETRY = Duration.ofMillis(50);

    private final DaemonAddress daemon;
    private final Endpoint endpoint;
    private final String authorization;
    private final String cliUser;

    /** The daemon cannot be reached: nothing listens, or something that is not sitevisor does. Exit code 3. */
    static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message);
        }
    }

    /** The daemon answered, but refused: wrong credentials, or an error Jolokia reports. Exit code 1. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private JolokiaClient(DaemonAddress daemon, Endpoint endpoint, String authorization, String cliUser) {
        this.daemon = daemon;
        this.endpoint = endpoint;
        this.authorization = authorization;
        this.cliUser = cliUser;
    }

    /**
     * Where the daemon of this home listens when that is not where its config now says: the
     * config was edited since the daemon started, and only a restart of the daemon applies it.
     */
    Optional<Endpoint> listensElsewhere() {
        return endpoint.equals(daemon.jolokia()) ? Optional.empty() : Optional.of(endpoint);
    }

    static JolokiaClient of(DaemonAddress daemon) throws Unreachable, Refused {
        Path file = daemon.credentialsFile();
        String credentials;
        try {
            credentials = Files.readString(file).trim();
        } catch (NoSuchFileException e) {
            throw new Unreachable("no credentials at " + file + ": the daemon has not run with this home yet");
        } catch (AccessDeniedException e) {
            throw new Refused("cannot read " + file + ": permission denied; run as the user the daemon runs as");
        } catch (IOException e) {
            throw new Refused("cannot read " + file + ": " + e.getMessage());
        }
        String authorization = "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        // the daemon running on this home says where it listens: the truth, should the config have changed since
        Endpoint endpoint = LockFile.agentOf(daemon.home()).orElse(daemon.jolokia());
        return new JolokiaClient(daemon, endpoint, authorization, System.getProperty("user.name", ""));
    }

    /** Posts one Jolokia request (a map) or a bulk of them (a list) and returns the parsed answer. */
    private Object post(Object request, Duration readTimeout) throws Unreachable, Refused {
        byte[] body = Json.write(request).getBytes(StandardCharsets.UTF_8);
        String head = "POST " + HttpAgentPaths.CONTEXT + "/ HTTP/1.1\r\n"
                + "Host: " + (endpoint.host().contains(":") ? "[" + endpoint.host() + "]" : endpoint.host()) + ":" + endpoint.port() + "\r\n"
                + "Authorization: " + authorization + "\r\n"
                + HttpAgentPaths.CLI_USER_HEADER + ": " + cliUser + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        byte[] response;
        try (Socket socket = connect(endpoint)) {
            socket.setSoTimeout((int) readTimeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            response = readAll(socket.getInputStream());
        } catch (ConnectException | NoRouteToHostException | UnknownHostException e) {
            throw new Unreachable("nothing answers on " + endpoint.host() + ":" + endpoint.port() + " (" + e.getMessage() + ")");
        } catch (SocketTimeoutException e) {
            throw new Refused("no answer from " + endpoint.host() + ":" + endpoint.port() + " within "
                    + readTimeout.toSeconds() + " s; the operation may still finish: check with sitevisor status");
        } catch (IOException e) {
            throw new Unreachable("the connection to " + endpoint.host() + ":" + endpoint.port() + " failed: " + e.getMessage());
        }
        HttpResponse http = HttpResponse.parse(response);
        if (http.status() == 401) {
            throw new Refused("the daemon on " + endpoint.host() + ":" + endpoint.port() + " refused the credentials in "
                    + daemon.credentialsFile() + " (is another daemon, with another home, using that port?)");
        }
        if (http.status() != 200 && refusal(http.body()) != null) {
            throw new Refused("the daemon on " + endpoint.host() + ":" + endpoint.port() + " refused the request (HTTP "
                    + http.status() + "): " + refusal(http.body()));
        }
        if (http.status() != 200 || http.body().isEmpty()) {
            throw new Unreachable(endpoint.host() + ":" + endpoint.port() + " answers HTTP " + http.status() + ", not as sitevisor does");
        }
        try {
            return new JSONParser().parse(http.body());
        } catch (ParseException | IOException e) {
            throw new Unreachable(endpoint.host() + ":" + endpoint.port() + " answers something that is not sitevisor's JSON");
        }
    }

    /** The reason in the JSON body the agent's door gives with a refusal; null when the body is no such thing. */
    private static String refusal(String body) {
        try {
            return new JSONParser().parse(body) instanceof Map<?, ?> answer && answer.get("error") instanceof String error ? error : null;
        } catch (ParseException | IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Connects to the HTTP agent. A daemon opens it last of its services, a while after its sites
     * start, so a command given right after {@code sitevisor run} waits for it while the daemon
     * holds its home (at most {@link #STARTING_WAIT}), instead of calling the daemon unreachable.
     */
    private Socket connect(Endpoint endpoint) throws IOException {
        long deadline = System.nanoTime() + STARTING_WAIT.toNanos();
        while (true) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), (int) CONNECT_TIMEOUT.toMillis());
                return socket;
            } catch (ConnectException refused) {
                socket.close();
                if (System.nanoTime() - deadline > 0 || !LockFile.isHeld(daemon.home())) throw refused;
                try {
                    Thread.sleep(STARTING_RETRY.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw refused;
                }
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream(16 * 1024);
        in.transferTo(all);
        return all.toByteArray();
    }

    /**
     * Sends one call and returns its answer.
     *
     * @param readTimeout how long to wait for the answer; zero waits as long as the daemon works
     */
    <T> Answer<T> send(Call<T> call, Duration readTimeout) throws Unreachable, Refused {
        return call.answer(post(call.request(), readTimeout));
    }

    /** Two calls in one HTTP request (a Jolokia bulk request), each answered on its own. */
    <A, B> Answers<A, B> send(Call<A> first, Call<B> second, Duration readTimeout) throws Unreachable, Refused {
        List<Object> answers = Json.list(post(List.of(first.request(), second.request()), readTimeout));
        return new Answers<>(answerOf(first, answers, 0), answerOf(second, answers, 1));
    }

    private static <T> Answer<T> answerOf(Call<T> call, List<Object> answers, int index) {
        return index < answers.size() ? call.answer(answers.get(index)) : Answer.error("no answer to " + call.name() + " in the agent's bulk answer");
    }

    /** The answers to the two calls of one bulk request, in their order. */
    record Answers<A, B>(Answer<A> first, Answer<B> second) {}

    /** A status line and a body: enough of HTTP/1.1 for one answer from the JDK's HTTP server. */
    record HttpResponse(int status, String body) {
        static HttpResponse parse(byte[] raw) throws Unreachable {
            int headEnd = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
            if (headEnd < 0) throw new Unreachable("the answer is not HTTP");
            String head = new String(raw, 0, headEnd, StandardCharsets.ISO_8859_1);
            String[] lines = head.split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) throw new Unreachable("the answer is not HTTP");
            int status;
            try {
                status = Integer.parseInt(statusLine[1]);
            } catch (NumberFormatException e) {
                throw new Unreachable("the answer is not HTTP");
            }
            boolean chunked = false;
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Transfer-Encoding")
                        && line.substring(colon + 1).trim().equalsIgnoreCase("chunked")) {
                    chunked = true;
                }
            }
            int bodyStart = headEnd + 4;
            byte[] body = chunked ? dechunk(raw, bodyStart) : java.util.Arrays.copyOfRange(raw, bodyStart, raw.length);
            return new HttpResponse(status, new String(body, StandardCharsets.UTF_8));
        }

        private static byte[] dechunk(byte[] raw, int from) throws Unreachable {
            ByteArrayOutputStream body = new ByteArrayOutputStream(raw.length - from);
            int at = from;
            byte[] crlf = {'\r', '\n'};
            while (true) {
                int lineEnd = indexOf(raw, crlf, at);
                if (lineEnd < 0) throw new Unreachable("the answer ended inside a chunk");
                String sizeText = new String(raw, at, lineEnd - at, StandardCharsets.US_ASCII);
                int extension = sizeText.indexOf(';');
                if (extension >= 0) sizeText = sizeText.substring(0, extension);
                int size;
                try {
                    size = Integer.parseInt(sizeText.trim(), 16);
                } catch (NumberFormatException e) {
                    throw new Unreachable("the answer has a bad chunk size '" + sizeText + "'");
                }
                at = lineEnd + 2;
                if (size == 0) return body.toByteArray();
                if (at + size > raw.length) throw new Unreachable("the answer ended inside a chunk");
                body.write(raw, at, size);
                at += size + 2;
            }
        }

        private static int indexOf(byte[] haystack, byte[] needle, int from) {
            outer:
            for (int i = from; i <= haystack.length - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
                return i;
            }
            return -1;
        }
    }
}
