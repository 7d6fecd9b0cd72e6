package sitevisor.jmx;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sitevisor.db.History;
import sitevisor.mbeans.ObjectNames;
import sitevisor.mbeans.SiteMXBean;
import sitevisor.mbeans.MemoryNotice;
import sitevisor.mbeans.StateChange;
import sitevisor.mbeans.SupervisorMXBean;
import sitevisor.supervise.EventListener;
import sitevisor.supervise.LifecycleEvent;
import sitevisor.supervise.SitesListener;
import sitevisor.supervise.Supervisor;

import javax.management.JMException;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Registers one MBean per site and one for the supervisor, follows the sites a reload adds and
 * removes, and turns every state change into a JMX notification from its site's MBean — with the
 * ObjectName as source, or remote listeners drop it. A failed registration is thrown (the MBeans
 * are the product: at start-up that stops the daemon; during a reload the supervisor logs it); a
 * failed unregistration is logged and passed.
 */
public final class JmxRegistry implements EventListener, SitesListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JmxRegistry.class);
    private static final MBeanNotificationInfo[] NOTIFICATIONS = {
            new MBeanNotificationInfo(new String[]{StateChange.TYPE}, Notification.class.getName(),
                    "An instance of the site changed state: from, to, reason, who asked"),
            new MBeanNotificationInfo(new String[]{MemoryNotice.TYPE}, Notification.class.getName(),
                    "The memory watch saw or did something to an instance: a limit crossed, a restart or stop and why")};
    private static final String[] ITEMS = {"site", "instance", "pid", "from", "to", "reason", "actor", "exitCode", "signal", "timeMillis"};
    private static final CompositeType STATE_CHANGE = stateChangeType();

    private final MBeanServer server;
    private final Map<String, NotificationBroadcasterSupport> emitters = new ConcurrentHashMap<>();
    private final Set<ObjectName> registered = new LinkedHashSet<>();
    private final AtomicLong sequence = new AtomicLong();
    private volatile Supervisor supervisor;
    private volatile Clock clock;
    private volatile HistoryView history = new HistoryView(null);
    private volatile SchedulerAccess scheduler = SchedulerAccess.NONE;

    public JmxRegistry(MBeanServer server) {
        this.server = server;
    }

    /**
     * Registers the supervisor's MBean and each site's, and from then on the MBean of each site a
     * reload adds, and unregisters that of each site it removes.
     */
    public void register(Supervisor supervisor, Clock clock) {
        register(supervisor, clock, null);
    }

    /** As {@link #register(Supervisor, Clock)}, with the history the MBeans' history operations read; null for none. */
    public void register(Supervisor supervisor, Clock clock, History history) {
        register(supervisor, clock, history, SchedulerAccess.NONE);
    }

    /** As {@link #register(Supervisor, Clock, History)}, with the sites' tasks and windows. */
    public void register(Supervisor supervisor, Clock clock, History history, SchedulerAccess scheduler) {
        this.history = new HistoryView(history);
        this.scheduler = scheduler;
        // not under this registry's lock: following takes the supervisor's reload lock, and a
        // reload holds that one while it calls siteAdded, which takes this one
        this.supervisor = supervisor;
        this.clock = clock;
        synchronized (this) {
            add(ObjectNames.SUPERVISOR, new DescribedMBean<>(new SupervisorBean(supervisor, clock, this.history, scheduler), SupervisorMXBean.class, new NotificationBroadcasterSupport()));
        }
        supervisor.followSites(this);
    }

    /** Registers the site's MBean; its notifications flow from now on. */
    @Override
    public synchronized void siteAdded(String site) {
        NotificationBroadcasterSupport emitter = new NotificationBroadcasterSupport(NOTIFICATIONS);
        add(ObjectNames.site(site), new DescribedMBean<>(new SiteBean(supervisor, site, clock, history, scheduler), SiteMXBean.class, emitter));
        emitters.put(site, emitter);
    }

    /** Unregisters the site's MBean; an event of the site that comes later is no one's notification. */
    @Override
    public synchronized void siteRemoved(String site) {
        emitters.remove(site);
        remove(ObjectNames.site(site));
    }

    private void add(ObjectName name, Object mbean) {
        try {
            server.registerMBean(mbean, name);
            registered.add(name);
        } catch (JMException e) {
            throw new IllegalStateException("cannot register " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onEvent(LifecycleEvent event) {
        boolean memory = event.kind() == LifecycleEvent.Kind.MEMORY;
        if (event.kind() != LifecycleEvent.Kind.TRANSITION && !memory) return;
        NotificationBroadcasterSupport emitter = emitters.get(event.site());
        if (emitter == null) return;
        Notification notification = new Notification(memory ? MemoryNotice.TYPE : StateChange.TYPE, ObjectNames.site(event.site()),
                sequence.incrementAndGet(), event.at().toEpochMilli(),
                event.name() + ": " + (memory ? "memory" : event.from() + " -> " + event.to()) + ": " + event.reason());
        try {
            notification.setUserData(new CompositeDataSupport(STATE_CHANGE, ITEMS, new Object[]{
                    event.site(), event.instance(), event.pid(), event.from().name(), event.to().name(), event.reason(),
                    event.actor().toString(), event.exitCode(), event.signal(), event.at().toEpochMilli()}));
        } catch (OpenDataException e) {
            throw new IllegalStateException(e);
        }
        emitter.sendNotification(notification);
    }

    private void remove(ObjectName name) {
        if (!registered.remove(name)) return;
        try {
            server.unregisterMBean(name);
        } catch (JMException e) {
            log.warn("cannot unregister {}: {}", name, e.getMessage());
        }
    }

    @Override
    public void close() {
        Supervisor followed = supervisor;
        if (followed != null) followed.unfollowSites(this);
        synchronized (this) {
            emitters.clear();
            for (ObjectName name : List.copyOf(registered)) remove(name);
        }
    }

    private static CompositeType stateChangeType() {
        OpenType<?>[] types = {SimpleType.STRING, SimpleType.INTEGER, SimpleType.LONG, SimpleType.STRING, SimpleType.STRING,
                SimpleType.STRING, SimpleType.STRING, SimpleType.INTEGER, SimpleType.INTEGER, SimpleType.LONG};
        try {
            return new CompositeType("StateChange", "A state change of one instance of a site", ITEMS, ITEMS, types);
        } catch (OpenDataException e) {
            throw new IllegalStateException(e);
        }
    }
}
