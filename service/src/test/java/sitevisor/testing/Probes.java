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

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
