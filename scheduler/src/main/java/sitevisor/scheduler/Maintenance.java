package sitevisor.scheduler;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The order of maintenance windows: at most {@code maxConcurrent} sites in maintenance at once on
 * the host, the others waiting their turn in the order their windows came; one window per site at
 * a time, a second one of a site that waits or runs being skipped. Nothing blocks a thread while
 * it waits: a window is started when a place frees.
 */
final class Maintenance {
    interface Callbacks {
        /** Runs the window: the site's maintenance restart. Blocks until done. */
        void run(String site, String which);

        void waits(String site, String which, String why);

        void overlaps(String site, String which, String other);
    }

    private record Window(String site, String which) {}

    private final Executor executor;
    private final Callbacks callbacks;
    private final ArrayDeque<Window> waiting = new ArrayDeque<>();
    /** Every site with a window waiting or under way, and which window. */
    private final Map<String, String> windows = new HashMap<>();
    private int running;
    private int maxConcurrent = 1;

    Maintenance(Executor executor, Callbacks callbacks) {
        this.executor = executor;
        this.callbacks = callbacks;
    }

    void setMaxConcurrent(int maxConcurrent) {
        synchronized (this) {
            this.maxConcurrent = maxConcurrent;
        }
        startWhatMay();
    }

    /** A window of the site fell due. */
    void due(String site, String which) {
        String other;
        int ahead;
        synchronized (this) {
            other = windows.get(site);
            if (other == null) {
                windows.put(site, which);
                waiting.add(new Window(site, which));
            }
            ahead = running >= maxConcurrent ? running + waiting.size() - 1 : 0;
        }
        if (other != null) {
            callbacks.overlaps(site, which, other);
            return;
        }
        if (ahead > 0) {
            callbacks.waits(site, which, "maintenance.maxConcurrent is " + maxConcurrent + "; " + running + " site"
                    + (running == 1 ? " is" : "s are") + " in maintenance and " + (ahead - running) + " waiting ahead");
        }
        startWhatMay();
    }

    private void startWhatMay() {
        while (true) {
            Window next;
            synchronized (this) {
                if (running >= maxConcurrent || waiting.isEmpty()) return;
                next = waiting.poll();
                running++;
            }
            executor.execute(() -> {
                try {
                    callbacks.run(next.site(), next.which());
                } finally {
                    synchronized (this) {
                        running--;
                        windows.remove(next.site());
                    }
                    startWhatMay();
                }
            });
        }
    }
}
