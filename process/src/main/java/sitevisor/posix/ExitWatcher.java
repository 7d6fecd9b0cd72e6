package sitevisor.posix;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One thread that learns of every watched process's exit the moment it happens, ours or adopted,
 * at no cost while nothing exits: each process's pidfd sits in one epoll set.
 */
public final class ExitWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExitWatcher.class);
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLLIN = 0x1;
    // struct epoll_event is packed on x86_64 (12 bytes), naturally aligned elsewhere (16 bytes)
    private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch")) || "x86_64".equals(System.getProperty("os.arch"));
    private static final int EVENT_SIZE = PACKED ? 12 : 16;
    private static final int DATA_OFFSET = PACKED ? 4 : 8;
    private static final int MAX_EVENTS = 64;
    private static final long WAKE_ID = 0;

    private final int epollFd;
    private final int wakeFd;
    private final Map<Long, Registration> registrations = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Thread thread;
    private volatile boolean closed;

    private record Registration(PidFd pidFd, CompletableFuture<Void> exited) {}

    public ExitWatcher() {
        epollFd = Native.LIBC.epoll_create1(EPOLL_CLOEXEC);
        if (epollFd < 0) throw new IllegalStateException("epoll_create1 failed: " + Native.describeError(Native.lastError()));
        wakeFd = Native.LIBC.eventfd(0, EFD_CLOEXEC);
        if (wakeFd < 0) throw new IllegalStateException("eventfd failed: " + Native.describeError(Native.lastError()));
        add(wakeFd, WAKE_ID);
        thread = new Thread(this::loop, "exit-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * A future completed (on the watcher's thread: keep callbacks short) when the process exits.
     * Closing the pidfd stops the watch; the future then never completes.
     */
    public CompletableFuture<Void> watch(PidFd pidFd) {
        long id = nextId.getAndIncrement();
        CompletableFuture<Void> exited = new CompletableFuture<>();
        registrations.put(id, new Registration(pidFd, exited));
        pidFd.onClose(() -> forget(id, pidFd));
        add(pidFd.fd(), id);
        return exited;
    }

    private void add(int fd, long id) {
        Pointer event = Memory.allocateDirect(Native.RUNTIME, EVENT_SIZE);
        event.putInt(0, EPOLLIN);
        event.putLong(DATA_OFFSET, id);
        if (Native.LIBC.epoll_ctl(epollFd, EPOLL_CTL_ADD, fd, event) != 0) {
            registrations.remove(id);
            throw new IllegalStateException("epoll_ctl(ADD) failed: " + Native.describeError(Native.lastError()));
        }
    }

    private void forget(long id, PidFd pidFd) {
        if (registrations.remove(id) != null) {
            Native.LIBC.epoll_ctl(epollFd, EPOLL_CTL_DEL, pidFd.fd(), null);
        }
    }

    private void loop() {
        Pointer events = Memory.allocateDirect(Native.RUNTIME, EVENT_SIZE * MAX_EVENTS);
        while (!closed) {
            int ready = Native.LIBC.epoll_wait(epollFd, events, MAX_EVENTS, -1);
            if (ready < 0) {
                int errno = Native.lastError();
                if (errno == jnr.constants.platform.Errno.EINTR.intValue()) continue;
                log.error("exit watch failed: epoll_wait: {}", Native.describeError(errno));
                return;
            }
            for (int i = 0; i < ready; i++) {
                long id = events.getLong((long) i * EVENT_SIZE + DATA_OFFSET);
                if (id == WAKE_ID) continue;
                Registration registration = registrations.remove(id);
                if (registration == null) continue;
                registration.pidFd().ifOpen(fd -> Native.LIBC.epoll_ctl(epollFd, EPOLL_CTL_DEL, fd, null));
                try {
                    registration.exited().complete(null);
                } catch (RuntimeException e) {
                    log.error("exit watch: a listener of {} failed", registration.pidFd(), e);
                }
            }
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Pointer one = Memory.allocateDirect(Native.RUNTIME, 8);
        one.putLong(0, 1);
        Native.LIBC.write(wakeFd, one, 8);
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Native.LIBC.close(wakeFd);
        Native.LIBC.close(epollFd);
    }
}
