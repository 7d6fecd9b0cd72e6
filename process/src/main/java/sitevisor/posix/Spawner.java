package sitevisor.posix;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Starts a program from an argument list, never through a shell, as a new session (so it leads
 * its own process group and has no controlling terminal), with an empty signal mask, default
 * signal handlers, stdin from /dev/null, stdout and stderr appended to a log file, and no other
 * descriptor of the daemon's — no jar, no listening socket — open in it.
 */
public final class Spawner {
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0100;
    private static final int O_APPEND = 02000;
    private static final int LOG_MODE = 0640;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;
    // generous upper bounds of glibc's posix_spawn_file_actions_t (80 bytes), posix_spawnattr_t (336) and sigset_t (128)
    private static final int OPAQUE_SIZE = 1024;

    private Spawner() {}

    /**
     * @param program     the absolute path of the program
     * @param arguments   argv, with argv[0] as the operator wrote it
     * @param environment the whole environment of the new process
     * @param logFile     where stdout and stderr are appended; created if missing
     */
    public record Request(Path program, List<String> arguments, Path directory, Map<String, String> environment, Path logFile) {}

    /** Thrown with the reason the kernel gave: "No such file or directory", "Permission denied", … */
    public static final class SpawnException extends Exception {
        private final int errno;

        SpawnException(String message, int errno) {
            super(message);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    /** Spawns the process and returns its pid, which is also its process group and session id. */
    public static long spawn(Request request) throws SpawnException {
        LibC libc = Native.LIBC;
        Pointer actions = Memory.allocateDirect(Native.RUNTIME, OPAQUE_SIZE);
        Pointer attributes = Memory.allocateDirect(Native.RUNTIME, OPAQUE_SIZE);
        Pointer emptySet = Memory.allocateDirect(Native.RUNTIME, OPAQUE_SIZE);
        Pointer fullSet = Memory.allocateDirect(Native.RUNTIME, OPAQUE_SIZE);
        check(libc.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
        try {
            check(libc.posix_spawnattr_init(attributes), "posix_spawnattr_init");
            try {
                check(libc.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0), "addopen stdin");
                check(libc.posix_spawn_file_actions_addopen(actions, 1, request.logFile().toString(), O_WRONLY | O_CREAT | O_APPEND, LOG_MODE), "addopen stdout");
                check(libc.posix_spawn_file_actions_adddup2(actions, 1, 2), "adddup2 stderr");
                check(libc.posix_spawn_file_actions_addclosefrom_np(actions, 3), "addclosefrom_np");
                check(libc.posix_spawn_file_actions_addchdir_np(actions, request.directory().toString()), "addchdir_np");
                libc.sigemptyset(emptySet);
                libc.sigfillset(fullSet);
                check(libc.posix_spawnattr_setsigmask(attributes, emptySet), "posix_spawnattr_setsigmask");
                check(libc.posix_spawnattr_setsigdefault(attributes, fullSet), "posix_spawnattr_setsigdefault");
                check(libc.posix_spawnattr_setflags(attributes, (short) (POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)), "posix_spawnattr_setflags");

                IntByReference pid = new IntByReference();
                int error = libc.posix_spawn(pid, request.program().toString(), actions, attributes,
                        nullTerminated(request.arguments()), nullTerminated(environmentEntries(request.environment())));
                if (error != 0) {
                    throw new SpawnException("cannot run " + request.program() + " in " + request.directory() + ": "
                            + Native.describeError(error), error);
                }
                return pid.intValue();
            } finally {
                libc.posix_spawnattr_destroy(attributes);
            }
        } finally {
            libc.posix_spawn_file_actions_destroy(actions);
        }
    }

    private static List<String> environmentEntries(Map<String, String> environment) {
        return environment.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    private static String[] nullTerminated(List<String> values) {
        String[] array = values.toArray(new String[values.size() + 1]);
        array[values.size()] = null;
        return array;
    }

    private static void check(int error, String call) throws SpawnException {
        if (error != 0) throw new SpawnException(call + " failed: " + Native.describeError(error), error);
    }
}
