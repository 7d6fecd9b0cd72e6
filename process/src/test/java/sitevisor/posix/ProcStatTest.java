package sitevisor.posix;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcStatTest {
    // a real line of a process named "a) b (c" (a name may hold spaces and parentheses), with a
    // tpgid of -1 among the fields before the start time
    private static final String LINE = "4242 (a) b (c) S 17 4242 4200 34816 -1 4194560 110 0 0 0 3 1 0 0 20 0 1 0 "
            + "987654 9400320 850 18446744073709551615 1 1 0 0 0 0 0 0 2 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

    @Test
    void readsTheFieldsAfterTheLastParenthesis() {
        ProcStat stat = ProcStat.parse(4242, LINE);
        assertEquals("a) b (c", stat.name());
        assertEquals('S', stat.state());
        assertEquals(17, stat.parentPid());
        assertEquals(4242, stat.groupId());
        assertEquals(4200, stat.sessionId());
        assertEquals(987654, stat.startTicks());
        assertEquals(4194560, stat.flags());
        assertFalse(stat.isKernelThread());
        assertFalse(stat.isExiting());
    }

    @Test
    void readsWhereTheEnvironmentLiesFromTheEndOfTheLine() {
        String cat = "22672 (cat) R 22670 22670 19607 0 -1 4194304 99 0 0 0 0 0 0 0 20 0 1 0 6561594 3133440 417 "
                + "18446744073709551615 94313288183808 94313288203689 140727887329472 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 "
                + "94313288219696 94313288221312 94313887141888 140727887334112 140727887334132 140727887334132 140727887335403 0\n";
        ProcStat.WithEnvironment read = ProcStat.parseWithEnvironment(22672, cat);
        assertEquals(6561594, read.stat().startTicks());
        assertEquals(140727887334132L, read.environmentStart());
        assertEquals(140727887335403L, read.environmentEnd());
        assertFalse(read.environmentIsEmpty());
        // in the midst of an exec both read 0: not known to be empty
        assertFalse(ProcStat.parseWithEnvironment(4242, LINE).environmentIsEmpty());
    }

    @Test
    void tellsAKernelThreadAndAProcessOnItsWayOut() {
        assertTrue(ProcStat.parse(2, "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 3 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n").isKernelThread());
        assertTrue(ProcStat.parse(4242, LINE.replace(" 4194560 ", " 4194564 ")).isExiting());
    }

    @Test
    void readsWhereThisVeryProcesssEnvironmentLies() {
        ProcStat.WithEnvironment self = ProcStat.readWithEnvironment(ProcessHandle.current().pid()).orElseThrow();
        assertTrue(self.environmentEnd() > self.environmentStart(), self.toString());
    }

    @Test
    void aTruncatedLineIsNoProcess() {
        assertNull(ProcStat.parse(4242, LINE.substring(0, LINE.indexOf("987654"))));
        assertNull(ProcStat.parse(4242, "4242 (sh"));
    }

    @Test
    void readsThisVeryProcessFromProc() {
        long self = ProcessHandle.current().pid();
        ProcStat stat = ProcStat.read(self).orElseThrow();
        assertEquals(self, stat.pid());
        assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), stat.parentPid());
        assertTrue(stat.startTicks() > 0);
        assertTrue(Processes.all().stream().anyMatch(p -> p.pid() == self && p.startTicks() == stat.startTicks()));
    }

    @Test
    void aLineLongerThanTheFirstBufferIsReadAgainWhole() {
        long self = ProcessHandle.current().pid();
        ProcStat whole = ProcStat.read(self).orElseThrow();
        ProcStat again = ProcStat.read(self, 16);
        assertEquals(whole, again, "read with a first buffer of 16 bytes");
    }
}
