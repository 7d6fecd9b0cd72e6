package sitevisor.posix;

import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/** The loaded native libraries, shared by the daemon. */
public final class Native {
    // The same on x86_64 and aarch64: both come from the table Linux unified at 5.1.
    static final long SYS_PIDFD_SEND_SIGNAL = 424;
    static final long SYS_PIDFD_OPEN = 434;

    static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    static final POSIX POSIX = POSIXFactory.getNativePOSIX();

    public static POSIX posix() {
        return POSIX;
    }

    private Native() {}

    static int lastError() {
        return jnr.ffi.LastError.getLastError(RUNTIME);
    }

    /** "No such file or directory" for ENOENT. */
    public static String describeError(int errno) {
        Errno e = Errno.valueOf(errno);
        return e == null || e.description() == null ? "error " + errno : e.description();
    }

    public static boolean isNoSuchProcess(int errno) {
        return errno == Errno.ESRCH.intValue();
    }

    /**
     * Returns memory that bursts of work (hundreds of sites starting at once, each on its own
     * thread) left free inside malloc's arenas: glibc keeps it, and the idle daemon would carry it
     * in its RSS for good.
     */
    public static void trimNativeHeap() {
        LIBC.malloc_trim(0);
    }

    /** The kernel's page size in bytes: 4096 on x86-64, 4096 to 65536 on arm64. */
    public static long pageSizeBytes() {
        return PAGE_SIZE_BYTES;
    }

    private static final long PAGE_SIZE_BYTES = LIBC.sysconf(LibC.SC_PAGESIZE);

    /** This process's pid. */
    public static long selfPid() {
        return ProcessHandle.current().pid();
    }
}
