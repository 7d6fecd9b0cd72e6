package sitevisor.testing;

import sitevisor.posix.ProcStat;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;

/** What tests ask of the machine: is a process alive, what does a URL answer, which port is free. */
public final class Probes {
    private Probes() {}

    /** Alive and not a zombie: a zombie has exited and only waits to be reaped. */
    public static boolean isAlive(long pid) {
        return ProcStat.read(pid).map(p -> !p.isZombie()).orElse(false);
    }

    /** The HTTP status of a GET. */
    public static int get(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        try {
            return c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }

    /** The ports handed out so far: the kernel may offer a port again once its probe socket closed. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port nothing listens on now, and never one handed out before in this JVM: a test that takes
     * two (the agent's and remote JMX's) got the same one twice, as the kernel offered it again.
     */
    public static int freePort() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (HANDED_OUT.add(s.getLocalPort())) return s.getLocalPort();
            }
        }
    }
}
