package sitevisor.posix;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;

/**
 * The few libc calls jnr-posix does not offer. Its {@code posix_spawnp} drops the error code and
 * can neither change directory nor close inherited descriptors without a race; pidfds and epoll
 * let one thread watch every site's process, ours or adopted, without polling.
 * Needs glibc 2.34 (closefrom) and Linux 5.3 (pidfd_open).
 */
public interface LibC {
    int posix_spawn_file_actions_init(Pointer actions);

    int posix_spawn_file_actions_destroy(Pointer actions);

    int posix_spawn_file_actions_addopen(Pointer actions, int fd, String path, int flags, int mode);

    int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

    int posix_spawn_file_actions_addchdir_np(Pointer actions, String path);

    int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

    int posix_spawnattr_init(Pointer attributes);

    int posix_spawnattr_destroy(Pointer attributes);

    int posix_spawnattr_setflags(Pointer attributes, short flags);

    int posix_spawnattr_setsigmask(Pointer attributes, Pointer signals);

    int posix_spawnattr_setsigdefault(Pointer attributes, Pointer signals);

    int sigemptyset(Pointer signals);

    int sigfillset(Pointer signals);

    /** Returns 0 or the error number (posix_spawn does not use errno). argv and envp end with null. */
    int posix_spawn(IntByReference pid, String path, Pointer actions, Pointer attributes, String[] argv, String[] envp);

    @SaveError
    long syscall(long number, long arg1, long arg2);

    @SaveError
    long syscall(long number, long arg1, long arg2, long arg3, long arg4);

    @SaveError
    int epoll_create1(int flags);

    @SaveError
    int epoll_ctl(int epollFd, int operation, int fd, Pointer event);

    @SaveError
    int epoll_wait(int epollFd, Pointer events, int maxEvents, int timeoutMillis);

    @SaveError
    int eventfd(int initialValue, int flags);

    @SaveError
    long write(int fd, Pointer buffer, long count);

    @SaveError
    long read(int fd, Pointer buffer, long count);

    @SaveError
    int close(int fd);

    /** {@code PR_SET_CHILD_SUBREAPER} in linux/prctl.h. */
    int PR_SET_CHILD_SUBREAPER = 36;

    @SaveError
    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    /** {@code P_ALL} in sys/wait.h: wait for any child. */
    int P_ALL = 0;

    /** {@code siginfo_t} is 128 bytes; {@code si_pid} sits at byte 16 on 64-bit Linux. */
    int SIGINFO_SIZE = 128;
    int SIGINFO_PID_OFFSET = 16;

    @SaveError
    int waitid(int idType, int id, Pointer info, int options);

    /** glibc: gives the free memory of every malloc arena back to the kernel. */
    int malloc_trim(long padBytes);

    /** {@code M_ARENA_MAX} in glibc's malloc.h: how many arenas malloc may make. */
    int M_ARENA_MAX = -8;

    /** glibc: sets one of malloc's parameters; 1 on success, 0 on error. */
    int mallopt(int parameter, int value);

    /** {@code _SC_PAGESIZE} in glibc's unistd.h on Linux. */
    int SC_PAGESIZE = 30;
    /** {@code _SC_CLK_TCK}: the unit of the times in /proc/[pid]/stat. */
    int SC_CLK_TCK = 2;

    long sysconf(int name);
}
