package sitevisor.posix;

import java.util.Optional;

/**
 * How a process ended: an exit code, a signal, or unknown for a process that was not our child
 * (adopted after a daemon restart), whose status only its real parent could read.
 */
public record ExitStatus(int exitCode, int signal, boolean known) {
    private static final int WNOHANG = 1;
    public static final ExitStatus UNKNOWN = new ExitStatus(-1, 0, false);

    /** Decodes a wait status: the low 7 bits are the signal, the next byte the exit code. */
    public static ExitStatus fromWaitStatus(int status) {
        int signal = status & 0x7f;
        if (signal == 0) return new ExitStatus((status >> 8) & 0xff, 0, true);
        return new ExitStatus(-1, signal, true);
    }

    /**
     * Reaps our child {@code pid} if it has ended. Only ever waits for a given pid: waiting for
     * any child would steal statuses the JDK's own process reaper waits for.
     */
    public static Optional<ExitStatus> reap(long pid) {
        int[] status = new int[1];
        int rc = Native.posix().waitpid((int) pid, status, WNOHANG);
        if (rc == pid) return Optional.of(fromWaitStatus(status[0]));
        if (rc < 0) return Optional.of(UNKNOWN); // not our child (any more)
        return Optional.empty();
    }

    public boolean isCleanExit() {
        return known && signal == 0 && exitCode == 0;
    }

    @Override
    public String toString() {
        if (!known) return "ended (exit status unknown: not a child of this daemon)";
        if (signal != 0) return "killed by " + Signal.describe(signal);
        return "exited with code " + exitCode;
    }
}
