package sitevisor.client;

import sitevisor.config.file.DaemonAddress;
import sitevisor.config.file.ConfigException;
import sitevisor.mbeans.SiteNames;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code sitevisor logs SITE [-n N] [-f]}: the end of each instance's log under
 * {@code logs/<site>/}, read straight from the files, so it works while the daemon is down, and
 * followed across the rotator's copy-and-truncate as {@code tail -F} would.
 */
final class LogTail {
    private static final int BLOCK_BYTES = 8192;
    // the rotator's truncation and appends arrive as file events; the poll only covers events
    // the kernel's queue dropped
    private static final long POLL_MILLIS = 1000;

    private final DaemonAddress daemon;
    private final Invocation invocation;
    private final PrintStream out;
    private final PrintStream err;
    private final String site;
    private Path lastPrinted;

    LogTail(DaemonAddress daemon, Invocation invocation, PrintStream out, PrintStream err) {
        this.daemon = daemon;
        this.invocation = invocation;
        this.out = out;
        this.err = err;
        this.site = invocation.site().orElseThrow();
    }

    int run() {
        Path folder = daemon.logsDir().resolve(site);
        if (!Files.isDirectory(folder)) {
            List<String> known;
            try {
                known = DaemonAddress.siteNames(daemon.file());
            } catch (ConfigException e) {
                known = List.of();
            }
            if (!known.contains(site)) {
                err.println("sitevisor logs: " + SiteNames.unknown(site, known));
                return Cli.FAILED;
            }
        }
        List<Path> files;
        try {
            files = logFiles(folder);
        } catch (IOException e) {
            err.println("sitevisor logs: cannot read " + folder + ": " + e.getMessage());
            return Cli.FAILED;
        }
        if (files.isEmpty() && !invocation.follow()) {
            err.println("sitevisor logs: no log of site '" + site + "' in " + folder + " yet: it has not run");
            return Cli.FAILED;
        }
        Map<Path, Long> positions = new LinkedHashMap<>();
        try {
            for (Path file : files) positions.put(file, printLastLines(file, invocation.lines()));
        } catch (IOException e) {
            err.println("sitevisor logs: " + e.getMessage());
            return Cli.FAILED;
        }
        out.flush();
        if (!invocation.follow()) return Cli.OK;
        try {
            follow(folder, positions);
        } catch (IOException e) {
            err.println("sitevisor logs: " + e.getMessage());
            return Cli.FAILED;
        }
        return Cli.OK;
    }

    /** site.log, or site-0.log, site-1.log … in instance order; rotated backups (.log.1) are history, not followed. */
    private List<Path> logFiles(Path folder) throws IOException {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(folder)) return files;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder, "*.log")) {
            for (Path file : stream) if (Files.isRegularFile(file)) files.add(file);
        }
        files.sort(Comparator.comparingInt((Path file) -> instanceOf(file.getFileName().toString())).thenComparing(Path::toString));
        return files;
    }

    private int instanceOf(String fileName) {
        String stem = fileName.substring(0, fileName.length() - ".log".length());
        if (stem.startsWith(site + "-")) {
            try {
                return Integer.parseInt(stem.substring(site.length() + 1));
            } catch (NumberFormatException e) {
                return Integer.MAX_VALUE;
            }
        }
        return -1;
    }

    /** Prints the last {@code lines} lines of the file; returns the length it has read up to. */
    private long printLastLines(Path file, int lines) throws IOException {
        try (RandomAccessFile reader = new RandomAccessFile(file.toFile(), "r")) {
            long length = reader.length();
            long start = startOfLastLines(reader, length, lines);
            return print(file, reader, start, length);
        }
    }

    /** Reads backwards a block at a time, so a 50 MB log costs what its last lines cost. */
    private static long startOfLastLines(RandomAccessFile reader, long length, int lines) throws IOException {
        if (lines == 0) return length;
        byte[] block = new byte[BLOCK_BYTES];
        long end = length;
        int newlines = 0;
        // a final newline ends the last line; it does not begin another
        long scanFrom = length;
        if (length > 0) {
            reader.seek(length - 1);
            if (reader.read() == '\n') scanFrom = length - 1;
        }
        end = scanFrom;
        while (end > 0) {
            int size = (int) Math.min(BLOCK_BYTES, end);
            reader.seek(end - size);
            reader.readFully(block, 0, size);
            for (int i = size - 1; i >= 0; i--) {
                if (block[i] == '\n' && ++newlines == lines) return end - size + i + 1;
            }
            end -= size;
        }
        return 0;
    }

    private void follow(Path folder, Map<Path, Long> positions) throws IOException {
        Files.createDirectories(folder);
        try (WatchService watcher = folder.getFileSystem().newWatchService()) {
            folder.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            while (!out.checkError()) {
                for (Path file : logFiles(folder)) positions.putIfAbsent(file, 0L);
                for (Map.Entry<Path, Long> entry : positions.entrySet()) {
                    entry.setValue(printNew(entry.getKey(), entry.getValue()));
                }
                out.flush();
                var key = watcher.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long printNew(Path file, long position) throws IOException {
        try (RandomAccessFile reader = new RandomAccessFile(file.toFile(), "r")) {
            long length = reader.length();
            if (length < position) {
                // the rotator copied the log to .log.1 and truncated it: what follows is new
                if (!invocation.json()) err.println("sitevisor logs: " + file.getFileName() + " was rotated; following it from its start");
                position = 0;
            }
            return length > position ? print(file, reader, position, length) : length;
        } catch (java.nio.file.NoSuchFileException | java.io.FileNotFoundException e) {
            return 0;
        }
    }

    /** Prints the bytes from..to and returns how far it printed: for JSON, up to the last whole line. */
    private long print(Path file, RandomAccessFile reader, long from, long to) throws IOException {
        reader.seek(from);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(to - from, 1 << 20));
        byte[] block = new byte[BLOCK_BYTES];
        long remaining = to - from;
        while (remaining > 0) {
            int n = reader.read(block, 0, (int) Math.min(block.length, remaining));
            if (n < 0) break;
            bytes.write(block, 0, n);
            remaining -= n;
        }
        if (invocation.json()) {
            byte[] raw = bytes.toByteArray();
            int end = raw.length;
            // a line still being written is printed whole, once its newline arrives
            if (invocation.follow()) while (end > 0 && raw[end - 1] != '\n') end--;
            for (String line : new String(raw, 0, end, StandardCharsets.UTF_8).split("\n")) {
                if (line.isEmpty()) continue;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("site", site);
                row.put("file", file.getFileName().toString());
                row.put("line", line);
                out.println(Json.write(row));
            }
            return from + end;
        }
        if (!file.equals(lastPrinted) && (lastPrinted != null || !onlyFile(file))) {
            if (lastPrinted != null) out.println();
            out.println("==> " + file.getFileName() + " <==");
        }
        lastPrinted = file;
        out.write(bytes.toByteArray(), 0, bytes.size());
        return to;
    }

    private boolean onlyFile(Path file) {
        try {
            List<Path> files = logFiles(file.getParent());
            return files.size() == 1;
        } catch (IOException e) {
            return false;
        }
    }
}
