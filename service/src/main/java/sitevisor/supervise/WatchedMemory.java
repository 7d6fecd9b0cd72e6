package sitevisor.supervise;

/**
 * What the memory watch saw of an instance whose main process is {@code pid}: {@code bytes} as
 * the detailed reading (proportional set size and swap share), or, when {@code upperBound}, the
 * resident size that bounds it from above — read only while that bound is under every limit.
 */
public record WatchedMemory(long pid, long bytes, boolean upperBound) {}
