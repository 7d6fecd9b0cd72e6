package sitevisor.posix;

import java.util.Arrays;
import java.util.Optional;

/** Linux signal numbers (x86_64 and aarch64 share them), by the names operators write. */
public enum Signal {
    HUP(1), INT(2), QUIT(3), ILL(4), TRAP(5), ABRT(6), BUS(7), FPE(8), KILL(9), USR1(10), SEGV(11),
    USR2(12), PIPE(13), ALRM(14), TERM(15), STKFLT(16), CHLD(17), CONT(18), STOP(19), TSTP(20),
    TTIN(21), TTOU(22), URG(23), XCPU(24), XFSZ(25), VTALRM(26), PROF(27), WINCH(28), IO(29),
    PWR(30), SYS(31);

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** {@code TERM}, {@code SIGTERM} or {@code 15}, in any case. */
    public static Optional<Signal> parse(String text) {
        String name = text.trim().toUpperCase(java.util.Locale.ROOT);
        if (name.startsWith("SIG")) name = name.substring(3);
        for (Signal s : values()) {
            if (s.name().equals(name) || Integer.toString(s.number).equals(name)) return Optional.of(s);
        }
        return Optional.empty();
    }

    /** The name for a number, as {@code SIGTERM}, or {@code signal 42} for one without a name. */
    public static String describe(int number) {
        return Arrays.stream(values()).filter(s -> s.number == number).findFirst()
                .map(s -> "SIG" + s.name()).orElse("signal " + number);
    }

    @Override
    public String toString() {
        return "SIG" + name();
    }
}
