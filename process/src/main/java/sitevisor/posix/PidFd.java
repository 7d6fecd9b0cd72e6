package sitevisor.posix;

import java.util.Optional;

/**
 * A Linux pidfd: a handle on one process that stays bound to it even if its pid is recycled, so
 * a signal sent through it can never reach another process.
 */
public final class PidFd implements AutoCloseable {
    private final ProcessIdentity identity;
    private final int fd;
    private boolean closed;
    private volatile Runnable onClose = () -> {};

    private PidFd(ProcessIdentity identity, int fd) {
        this.identity = identity;
        this.fd = fd;
    }

    /**
     * Opens a handle on the process only if it is still the one {@code identity} names. The
     * identity is checked after the handle is open: had the pid been recycled before, the start
     * time would differ now.
     */
    public static Optional<PidFd> open(ProcessIdentity identity) {
        long fd = Native.LIBC.syscall(Native.SYS_PIDFD_OPEN, identity.pid(), 0);
        if (fd < 0) {
            int errno = Native.lastError();
            if (Native.isNoSuchProcess(errno)) return Optional.empty();
            throw new IllegalStateException("pidfd_open(" + identity.pid() + ") failed: " + Native.describeError(errno)
                    + " (sitevisor needs Linux 5.3 or later)");
        }
        PidFd handle = new PidFd(identity, (int) fd);
        if (identity.whyStale().isPresent()) {
            handle.close();
            return Optional.empty();
        }
        return Optional.of(handle);
    }

    /**
     * Opens a handle on our own child. It cannot have been recycled, since it is not reaped yet,
     * so no check is needed — and it may already be a zombie, which a check would refuse.
     */
    public static PidFd openChild(ProcessIdentity identity) {
        long fd = Native.LIBC.syscall(Native.SYS_PIDFD_OPEN, identity.pid(), 0);
        if (fd < 0) {
            throw new IllegalStateException("pidfd_open(" + identity.pid() + ") failed: " + Native.describeError(Native.lastError())
                    + " (sitevisor needs Linux 5.3 or later)");
        }
        return new PidFd(identity, (int) fd);
    }

    /** Fails with the reason when this kernel has no pidfds, before anything is spawned. */
    public static void checkSupported() {
        ProcessIdentity self = ProcessIdentity.of(Native.selfPid()).orElseThrow();
        openChild(self).close();
    }

    public ProcessIdentity identity() {
        return identity;
    }

    public long pid() {
        return identity.pid();
    }

    int fd() {
        return fd;
    }

    void onClose(Runnable action) {
        this.onClose = action;
    }

    /** Runs the action on the descriptor unless it is closed, so its number cannot be another's by then. */
    synchronized void ifOpen(java.util.function.IntConsumer action) {
        if (!closed) action.accept(fd);
    }

    /** Sends the signal; false when the process has already exited. */
    public synchronized boolean signal(Signal signal) {
        if (closed) return false;
        long rc = Native.LIBC.syscall(Native.SYS_PIDFD_SEND_SIGNAL, fd, signal.number(), 0, 0);
        if (rc == 0) return true;
        int errno = Native.lastError();
        if (Native.isNoSuchProcess(errno)) return false;
        throw new IllegalStateException("cannot send " + signal + " to pid " + pid() + ": " + Native.describeError(errno));
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        onClose.run();
        Native.LIBC.close(fd);
    }

    @Override
    public String toString() {
        return "pid " + pid();
    }
}
