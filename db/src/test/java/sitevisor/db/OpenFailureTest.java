package sitevisor.db;

import org.h2.mvstore.DataUtils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an error opening the file leads to: refused and left alone (another process, the disk), or
 * moved aside (the file itself is damaged). Each row is an error as H2 2.3 reports it.
 */
class OpenFailureTest {
    enum Outcome { HELD_BY_ANOTHER_PROCESS, MOVED_ASIDE, REFUSED }

    static SQLException h2(int code, String message, Throwable cause) {
        return new SQLException(message + " [" + code + "-232]", Integer.toString(code), code, cause);
    }

    static Throwable store(int code, String message, Throwable cause) {
        Throwable e = DataUtils.newMVStoreException(code, message);
        if (cause != null) e.initCause(cause);
        return e;
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("another process holds the file", Outcome.HELD_BY_ANOTHER_PROCESS,
                        h2(90020, "Database may be already in use", store(DataUtils.ERROR_FILE_LOCKED, "The file is locked", null))),
                Arguments.of("exclusive mode", Outcome.HELD_BY_ANOTHER_PROCESS, h2(90135, "The database is open in exclusive mode", null)),
                Arguments.of("garbage: the header is corrupt", Outcome.MOVED_ASIDE,
                        h2(90030, "File corrupted while reading record", store(DataUtils.ERROR_FILE_CORRUPT, "Store header is corrupt", null))),
                Arguments.of("cut short: reading past the end", Outcome.MOVED_ASIDE,
                        h2(90028, "IO Exception", store(DataUtils.ERROR_READING_FAILED, "Reading from file failed", new EOFException()))),
                Arguments.of("a damaged chunk inside", Outcome.MOVED_ASIDE,
                        h2(50000, "General error", store(DataUtils.ERROR_CHUNK_NOT_FOUND, "Chunk 17 not found", null))),
                Arguments.of("an unknown file format", Outcome.MOVED_ASIDE, h2(90048, "Unsupported database file version", null)),
                Arguments.of("a read error of the disk", Outcome.REFUSED,
                        h2(90028, "IO Exception", store(DataUtils.ERROR_READING_FAILED, "Reading from file failed", new IOException("Input/output error")))),
                Arguments.of("a full disk", Outcome.REFUSED,
                        h2(90028, "IO Exception", store(DataUtils.ERROR_WRITING_FAILED, "Writing to file failed", new IOException("No space left on device")))),
                Arguments.of("no permission", Outcome.REFUSED,
                        h2(90028, "IO Exception", new java.nio.file.AccessDeniedException("/srv/sitevisor/var/db/history.mv.db"))),
                Arguments.of("wrong user or password", Outcome.REFUSED, h2(28000, "Wrong user name or password", null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void anOpenErrorIsSortedByWhatItMeans(String what, Outcome expected, SQLException error) {
        Path file = Path.of("/srv/sitevisor/var/db/history.mv.db");

        IOException failure = HistoryDatabase.openFailure(file, error);

        Outcome outcome = failure instanceof HistoryDatabase.Unusable ? Outcome.MOVED_ASIDE
                : failure.getMessage().contains("another process holds it") ? Outcome.HELD_BY_ANOTHER_PROCESS : Outcome.REFUSED;
        assertEquals(expected, outcome, failure.getMessage());
        if (outcome != Outcome.MOVED_ASIDE) assertTrue(failure.getMessage().startsWith("history database " + file + ": "), failure.getMessage());
    }
}
