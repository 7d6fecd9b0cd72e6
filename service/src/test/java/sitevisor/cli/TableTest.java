package sitevisor.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TableTest {
    @Test
    void padsEachColumnToItsWidestCellAndLeavesNoTrailingBlanks() {
        String table = new Table("SITE", "STATE", "NOTE").row("blog", "RUNNING", "").row("a-long-name", "FATAL", "exited with code 1").toString();
        assertEquals("""
                SITE         STATE    NOTE
                blog         RUNNING
                a-long-name  FATAL    exited with code 1
                """, table);
    }

    @ParameterizedTest
    @CsvSource({"0,0s", "45999,45s", "60000,1m00s", "723000,12m03s", "11520000,3h12m", "187200000,2d04h"})
    void durationsShowTheTwoLargestUnits(long millis, String expected) {
        assertEquals(expected, Table.duration(millis));
    }

    @ParameterizedTest
    @CsvSource({"512,512B", "348160,340KB", "91750400,87.5MB", "1288490189,1.2GB", "314572800,300MB"})
    void sizesShowOneUnit(long bytes, String expected) {
        assertEquals(expected, Table.bytes(bytes));
    }
}
