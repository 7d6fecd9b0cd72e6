package sitevisor.testing;

import sitevisor.posix.Cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** After a test whose daemon was killed: what is left in its home's cgroups ends, and the cgroups go. */
public final class SiteCgroups {
    private SiteCgroups() {}

    /** Kills every process left in the cgroups of the home whose run folder is {@code runDir}, then removes them. */
    public static void killAndRemove(Path runDir) throws Exception {
        for (Path home : Cgroups.homeFolders(runDir)) {
            if (Files.isDirectory(home)) killAndRemoveIn(home);
        }
    }

    private static void killAndRemoveIn(Path home) throws Exception {
        List<Path> instances;
        try (var entries = Files.list(home)) {
            instances = entries.filter(Files::isDirectory).toList();
        } catch (IOException gone) {
            return;
        }
        for (Path instance : instances) {
            for (long pid : Cgroups.pids(instance)) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        Await.until("the processes left in " + home + " ended", Duration.ofSeconds(20),
                () -> instances.stream().allMatch(instance -> Cgroups.pids(instance).isEmpty()));
        Cgroups.removeEmpty(home);
    }
}
