package sitevisor.supervise;

import sitevisor.posix.ProcessMemory;

import java.time.Duration;
import java.time.Instant;

/**
 * The resident memory of one instance's processes, read from /proc when asked and at most once
 * a second: a status of hundreds of sites, asked in a loop, must not walk /proc for each of them
 * every time, and an idle daemon reads nothing.
 */
final class MemoryGauge {
    private static final Duration FRESH_FOR = Duration.ofSeconds(1);

    private record Sample(long pid, Instant at, long bytes) {}

    private volatile Sample last;

    long residentBytes(long pid, Instant now) {
        if (pid == 0) return 0;
        Sample sample = last;
        if (sample != null && sample.pid() == pid && !now.isBefore(sample.at()) && Duration.between(sample.at(), now).compareTo(FRESH_FOR) < 0) {
            return sample.bytes();
        }
        long bytes = ProcessMemory.residentBytes(pid);
        last = new Sample(pid, now, bytes);
        return bytes;
    }
}
