package sitevisor.testing;

/**
 * A preforked pool as gunicorn or php-fpm makes one, as a Python program: a master that touches an
 * allocation, then forks workers that share those pages and never write them, all sleeping.
 */
public final class PreforkedPool {
    private PreforkedPool() {}

    /** The program's source, for {@code python3 -c} or a file. */
    public static String script(long allocatedBytes, int workers) {
        return """
                import os, time
                data = bytearray(%d)
                for i in range(0, len(data), 4096):
                    data[i] = 1
                for _ in range(%d):
                    if os.fork() == 0:
                        time.sleep(1000)
                        os._exit(0)
                time.sleep(1000)
                """.formatted(allocatedBytes, workers);
    }
}
