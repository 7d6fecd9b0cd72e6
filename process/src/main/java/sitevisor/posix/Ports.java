package sitevisor.posix;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Who listens on a TCP port, from /proc/net/tcp and /proc/net/tcp6 (a Java socket on 127.0.0.1 shows only in tcp6). */
public final class Ports {
    private static final String LISTEN = "0A";

    private Ports() {}

    /** A process holding a listening socket, for messages: {@code pid 4242 (/usr/sbin/nginx -g daemon off;)}. */
    public record Holder(long pid, String commandLine) {
        @Override
        public String toString() {
            return "pid " + pid + " (" + commandLine + ")";
        }
    }

    /**
     * Whether something listens on the port, at any address. The usual answer, "free", comes from
     * binding the port for an instant, which is far cheaper than reading /proc/net/tcp (that
     * table grows with every connection on the machine). Only when the bind fails are the tables
     * read, since a bind also fails for reasons that are no listener: closing connections of a
     * process that ended, or a low port without the privilege.
     */
    public static boolean isListening(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(port), 1);
            return false;
        } catch (IOException inUseOrNotAllowed) {
            return !listeningInodes(port).isEmpty();
        }
    }

    /** The processes holding a socket that listens on the port; empty when it is free, or when the holders cannot be seen. */
    public static List<Holder> holders(int port) {
        return isListening(port) ? holdersOfListener(port) : List.of();
    }

    /**
     * Who holds the port, for messages: {@code pid 4242 (nginx …), pid 4243 (…)}, or that a
     * process listens which cannot be seen; empty when the port is free. One bind tells "free": in
     * a start of many sites, a second bind right after the first sometimes failed (why, strace
     * did not show), which sent it reading /proc/net/tcp for nothing.
     */
    public static Optional<String> describeHolders(int port) {
        if (!isListening(port)) return Optional.empty();
        List<Holder> found = holdersOfListener(port);
        if (!found.isEmpty()) return Optional.of(found.stream().map(Holder::toString).reduce((a, b) -> a + ", " + b).get());
        return Optional.of("a process sitevisor cannot see (another user's?)");
    }

    private static List<Holder> holdersOfListener(int port) {
        Set<String> inodes = listeningInodes(port);
        if (inodes.isEmpty()) return List.of();
        Set<String> links = new HashSet<>();
        for (String inode : inodes) links.add("socket:[" + inode + "]");
        List<Holder> holders = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> Character.isDigit(p.getFileName().toString().charAt(0)))) {
            for (Path proc : procs) {
                if (holdsAny(proc.resolve("fd"), links)) {
                    long pid = Long.parseLong(proc.getFileName().toString());
                    holders.add(new Holder(pid, Processes.commandLine(pid)));
                }
            }
        } catch (IOException e) {
            // what was seen is still worth reporting
        }
        return holders;
    }

    /** The listening sockets' inodes, also when the process holding them cannot be seen. */
    public static Set<String> listeningInodes(int port) {
        Set<String> inodes = new HashSet<>();
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException missing) {
                continue;
            }
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length > 9 && f[3].equals(LISTEN) && f[1].endsWith(hexPort)) inodes.add(f[9]);
            }
        }
        return inodes;
    }

    private static boolean holdsAny(Path fdDir, Set<String> links) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                try {
                    if (links.contains(Files.readSymbolicLink(fd).toString())) return true;
                } catch (IOException | UnsupportedOperationException closedMeanwhile) {
                    // the descriptor was closed between listing and reading
                }
            }
        } catch (IOException | SecurityException unreadable) {
            // another user's process, or gone
        }
        return false;
    }
}
