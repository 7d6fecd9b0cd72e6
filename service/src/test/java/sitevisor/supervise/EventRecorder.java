package sitevisor.supervise;

import sitevisor.mbeans.SiteState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Keeps every event and lets a test wait, with a deadline, for one to arrive. */
final class EventRecorder implements EventListener {
    private final List<LifecycleEvent> events = new ArrayList<>();

    @Override
    public synchronized void onEvent(LifecycleEvent event) {
        events.add(event);
        notifyAll();
    }

    synchronized List<LifecycleEvent> all() {
        return List.copyOf(events);
    }

    synchronized List<LifecycleEvent> matching(Predicate<LifecycleEvent> filter) {
        return events.stream().filter(filter).toList();
    }

    /** Waits for an event that matches, returning it; fails with every event seen when none arrives in time. */
    synchronized LifecycleEvent await(Predicate<LifecycleEvent> filter, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (LifecycleEvent e : events) if (filter.test(e)) return e;
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new AssertionError("no matching event within " + timeout + "; seen:\n" + describe());
            wait(Math.max(1, left / 1_000_000));
        }
    }

    LifecycleEvent awaitState(String instanceName, SiteState state, Duration timeout) throws InterruptedException {
        return await(e -> e.name().equals(instanceName) && e.kind() == LifecycleEvent.Kind.TRANSITION && e.to() == state, timeout);
    }

    synchronized String describe() {
        StringBuilder text = new StringBuilder();
        for (LifecycleEvent e : events) {
            text.append("  ").append(e.at()).append(' ').append(e.verb()).append(": ").append(e.name())
                    .append(' ').append(e.from()).append("->").append(e.to()).append(" pid ").append(e.pid())
                    .append(": ").append(e.reason()).append('\n');
        }
        return text.toString();
    }

    static Predicate<LifecycleEvent> kind(LifecycleEvent.Kind kind) {
        return e -> e.kind() == kind;
    }
}
