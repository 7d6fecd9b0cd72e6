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
    private static final String ASM_PROPERTY = "jnr.ffi.asm.enabled";

    static {
        // jnr-ffi writes a class for every bound library with ASM by default; its reflective loader
        // binds the same functions without that, so the daemon starts on less CPU and keeps a lower
        // RSS, the ASM classes and stubs never loaded. Our calls are few (spawns, signals, waits):
        // the dearer call through reflection does not show.
        if (System.getProperty(ASM_PROPERTY) == null) System.setProperty(ASM_PROPERTY, "false");
    }

    static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    /**
     * jnr-posix's bindings, made when first asked for. A spawn needs only {@link #LIBC}; these are
     * first needed by a signal or a reap, and making them loads hundreds of classes that the
     * daemon's first spawn waited for when they were made with the rest.
     */
    private static final class Posix {
        static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    }

    public static POSIX posix() {
        return Posix.POSIX;
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

    /**
     * At most two malloc arenas from now on. glibc gives each thread that meets contention an arena
     * of its own, up to eight per core, and free memory stays behind in each: the daemon's threads
     * are many and mostly idle. The limit lowers the daemon's RSS at no cost in start time. Set
     * here, by the daemon, rather than as MALLOC_ARENA_MAX, though that saves a little more: the
     * sites get the daemon's environment, and that would reach them too.
     */
    public static boolean limitMallocArenas() {
        return LIBC.mallopt(LibC.M_ARENA_MAX, MALLOC_ARENAS) == 1;
    }

    static final int MALLOC_ARENAS = 2;

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
