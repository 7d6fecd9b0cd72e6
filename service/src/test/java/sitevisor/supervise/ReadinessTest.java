package sitevisor.supervise;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sitevisor.config.SiteConfig;
import sitevisor.posix.ExitStatus;
import sitevisor.posix.PidFd;
import sitevisor.posix.ProcessIdentity;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadinessTest {
    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    @Test
    void aSiteStartingAloneIsProbedEvery10MillisecondsAtMost() {
        assertEquals(10, millis(Readiness.maxProbeIntervalNanos(1)));
        assertEquals(10, millis(Readiness.maxProbeIntervalNanos(10)));
    }

    @Test
    void sitesStartingTogetherShareAboutAThousandProbesASecond() {
        for (int instances : new int[] {20, 100, 250}) {
            double probesPerSecond = instances * 1e9 / Readiness.maxProbeIntervalNanos(instances);
            assertEquals(1000, probesPerSecond, 1, instances + " instances");
        }
    }

    @Test
    void noInstanceWaitsMoreThanAQuarterSecondBetweenProbes() {
        assertEquals(250, millis(Readiness.maxProbeIntervalNanos(300)));
        assertEquals(250, millis(Readiness.maxProbeIntervalNanos(5000)));
        assertTrue(300 * 1e9 / Readiness.maxProbeIntervalNanos(300) <= 1200);
    }

    @TempDir
    Path dir;

    /**
     * A main process that ended, whose exit the watcher reports only later (hundreds of sites
     * starting at once): it is not ready, whether it had only to stay up or its port answers.
     */
    @Test
    void aProcessThatEndedIsNotReadyEvenBeforeTheExitWatcherSaysSo() throws Exception {
        try (ServerSocket port = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            for (String settings : new String[]{"startSeconds: 300ms", "port: " + port.getLocalPort()}) {
                SiteConfig site = new Fixture(dir).config("""
                        quick:
                          command: [sh, -c, 'exit 3']
                          %s
                        """.formatted(settings)).site("quick").orElseThrow();
                // it ends when its stdin closes: after its pidfd is open, however loaded the machine
                Process process = new ProcessBuilder("sh", "-c", "read line; exit 3").start();
                ProcessIdentity identity = ProcessIdentity.of(process.pid()).orElseThrow();
                PidFd pidFd = PidFd.open(identity).orElseThrow();
                CompletableFuture<ExitStatus> lateExit = new CompletableFuture<>();
                Child child = new Child(identity, pidFd, process.pid(), "test", Instant.now(), lateExit);
                process.getOutputStream().close();
                process.waitFor();
                // the watcher's report, a second after the end
                CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS).execute(() -> lateExit.complete(ExitStatus.UNKNOWN));

                assertEquals(Readiness.Outcome.EXITED, new Readiness(site, 0).await(child, () -> false), settings);
                pidFd.close();
            }
        }
    }
}
