package sitevisor.scheduler;

import org.quartz.spi.ThreadPool;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Quartz's worker threads. Quartz's own SimpleThreadPool keeps its threads alive and wakes each
 * one every 500 ms to look for work, which an idle daemon would pay for around the clock. Here a
 * job only hands its work to the scheduler's own threads and returns, so a thread or two created
 * on demand, and ended after a quiet minute, serve every firing. Public only because Quartz
 * calls its setters by reflection.
 */
public final class LeanThreadPool implements ThreadPool {
    private final int size;
    private ThreadPoolExecutor executor;
    private String name = "quartz";

    public LeanThreadPool(int size) {
        this.size = size;
    }

    @Override
    public boolean runInThread(Runnable runnable) {
        if (executor.isShutdown()) return false;
        executor.execute(runnable);
        return true;
    }

    /** Work queues rather than blocks, so there is always room. */
    @Override
    public int blockForAvailableThreads() {
        return size;
    }

    @Override
    public void initialize() {
        executor = new ThreadPoolExecutor(size, size, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), TaskRuns.threads(name + "-worker"));
        executor.allowCoreThreadTimeOut(true);
    }

    @Override
    public void shutdown(boolean waitForJobsToComplete) {
        executor.shutdown();
        if (waitForJobsToComplete) {
            try {
                executor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public int getPoolSize() {
        return size;
    }

    @Override
    public void setInstanceId(String schedulerInstanceId) {
        // one scheduler per daemon: nothing to tell apart
    }

    @Override
    public void setInstanceName(String schedulerName) {
        this.name = schedulerName;
    }
}
