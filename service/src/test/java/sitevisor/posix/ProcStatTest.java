package sitevisor.posix;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
