package sitevisor.config.file;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SizesTest {

    @ParameterizedTest(name = "{0} is {1} bytes")
    @CsvSource({
            "0, 0",
            "100, 100",
            "100B, 100",
            "64KB, 65536",
            "64KiB, 65536",
            "64kb, 65536",
            "50MB, 52428800",
            "512MB, 536870912",
            "512mib, 536870912",
            "1GB, 1073741824",
            "1GiB, 1073741824",
            "'512 MB', 536870912",
    })
    void parsesWhatOperatorsWrite(String text, long bytes) {
        assertEquals(bytes, Sizes.parse(text));
    }

    @ParameterizedTest(name = "''{0}'' is refused: {1}")
    @CsvSource(delimiter = '|', value = {
            "''        | it is empty",
            "1.5GB     | whole numbers only",
            "-1MB      | cannot be negative",
            "MB        | expected a number",
            "10XB      | unknown unit 'XB'",
            "1TB       | unknown unit 'TB'",
            "10M       | unknown unit 'M'",
            "99999999999GB | too large",
    })
    void refusesWithTheReason(String text, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text));
        assertTrue(e.getMessage().startsWith("'" + text + "' is not a size"), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertTrue(e.getMessage().endsWith("(try 512MB, 1GB)"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} bytes formats as {1}")
    @CsvSource({
            "0, 0B",
            "100, 100B",
            "1500, 1500B",
            "65536, 64KB",
            "52428800, 50MB",
            "1073741824, 1GB",
            "3221225472, 3GB",
    })
    void formatsInTheLargestExactUnitAndReadsBack(long bytes, String text) {
        assertEquals(text, Sizes.format(bytes));
        assertEquals(bytes, Sizes.parse(text));
    }
}
