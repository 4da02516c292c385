package io.gotomautic.bridge.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import io.gotomautic.bridge.change.Change;
import io.gotomautic.bridge.ops.Meters;
import io.gotomautic.bridge.sync.EventSource.EventRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of one poll of one product, called by the pull route: begin (window, cursor), the events of the
 * window, each event reconciled on its own (a failing event is recorded and retried next cycle while the
 * others sync), and finish (outcome in {@code sync_cursor}, summary in the log).
 */
public class PullCycle {

    private static final Logger LOG = LoggerFactory.getLogger(PullCycle.class);

    /** Events between two progress lines of a long sync. */
    static final int PROGRESS_EVERY = 25;

    /** One run of one product's poll; a dry run writes nothing and keeps the changes it would make. */
    public static final class Run {
        final String product;
        final boolean dryRun;
        final Instant startedAt;
        final Instant from;
        final Instant to;
        final AtomicInteger events = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        /** events of the window the product's filter left out */
        final AtomicInteger filtered = new AtomicInteger();
        /** upcoming events GoTo stopped listing */
        final AtomicInteger cancelled = new AtomicInteger();
        final AtomicInteger created = new AtomicInteger();
        final AtomicInteger changed = new AtomicInteger();
        final AtomicInteger registrants = new AtomicInteger();
        final AtomicInteger attendees = new AtomicInteger();
        final List<Change> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** Why the first failed event failed, for status. */
        final AtomicReference<String> firstFailure = new AtomicReference<>();
        volatile boolean listed;

        Run(String product, boolean dryRun, Instant startedAt, Instant from, Instant to) {
            this.product = product;
            this.dryRun = dryRun;
            this.startedAt = startedAt;
            this.from = from;
            this.to = to;
        }

        public String summary() {
            return events + " events (" + failed + " failed), " + registrants + " registrants, " + attendees + " attendees, "
                    + created + " new and " + changed + " changed registrations"
                    + (filtered.get() == 0 ? "" : "; " + filtered + " events left out by " + EventFilter.key(product))
                    + (cancelled.get() == 0 ? "" : "; " + cancelled + " upcoming events no longer in GoTo, cancelled");
        }

        public String product() {
            return product;
        }

        public int failedEvents() {
            return failed.get();
        }

        /** The changes found, in order; the outbox payloads (of a dry run: what would have been written). */
        public List<Change> changes() {
            return changes;
        }

        public Instant from() {
            return from;
        }

        public Instant to() {
            return to;
        }
    }

    /**
     * The products whose listing shows every event that has not started (webinars in the window, scheduled trainings):
     * one missing from it was cancelled. Meetings and assist sessions are listed once held.
     */
    private static final java.util.Set<String> SCHEDULED = java.util.Set.of("webinar", "training");

    private final Map<String, EventSource> sources;
    private final EventFilter filter;
    private final Meters meters;
    private final Reconciler reconciler;
    private final DataSource dataSource;
    private final Duration past;
    private final Duration future;
    private final Clock clock;

    /** @param filter the events each product's poll takes ({@code bridge.pull.<product>.filter}) */
    public PullCycle(List<EventSource> sources, EventFilter filter, Reconciler reconciler, DataSource dataSource, Duration past,
                     Duration future, Clock clock, Meters meters) {
        this.meters = meters;
        this.sources = sources.stream().collect(java.util.stream.Collectors.toMap(EventSource::product, s -> s));
        this.filter = filter;
        this.reconciler = reconciler;
        this.dataSource = dataSource;
        this.past = past;
        this.future = future;
        this.clock = clock;
    }

    public Run begin(String product) throws SQLException {
        return begin(product, false);
    }

    public Run begin(String product, boolean dryRun) throws SQLException {
        source(product);
        Instant now = clock.instant();
        Run run = new Run(product, dryRun, now, now.minus(past), now.plus(future));
        if (dryRun) {
            return run;
        }
        // the process is named by its connections' application_name (see Database): status tells a running poll
        // from one whose process died by whether that name still has a connection
        cursor(product, "INSERT INTO sync_cursor (product, started_at, finished_at, instance) "
                + "VALUES (?, now(), NULL, current_setting('application_name')) ON CONFLICT (product, scope) DO UPDATE "
                + "SET started_at = now(), finished_at = NULL, instance = EXCLUDED.instance", null, null);
        return run;
    }

    public List<EventRef> events(Run run) throws SQLException {
        return events(run, null);
    }

    /**
     * The events of the window that are not settled; with a key, only that one, settled or not (none when it
     * is not in the window).
     */
    public List<EventRef> events(Run run, String key) throws SQLException {
        Map<String, Instant> settled = key == null ? reconciler.settled(run.product) : Map.of();
        List<EventRef> listed = source(run.product).events(run.from, run.to);
        if (key == null && !run.dryRun && SCHEDULED.contains(run.product)) {
            List<Change> cancelled = reconciler.cancelAbsent(run.product, listed.stream().map(EventRef::key).toList(), run.from, run.to);
            run.cancelled.set(cancelled.size());
            run.changes.addAll(cancelled);
            cancelled.forEach(meters::found);
        }
        // a settled event comes back when its end moved (rescheduled, or a recurring meeting held again)
        List<EventRef> events = listed.stream()
                .filter(e -> key == null ? !settled.containsKey(e.key()) || (e.endsAt() != null && e.endsAt().isAfter(settled.get(e.key())))
                        : e.key().equals(key))
                .toList();
        List<EventRef> taken = events.stream().filter(e -> filter.accepts(run.product, e.key(), e.title(), e.startsAt(), e.endsAt()))
                .toList();
        run.filtered.set(events.size() - taken.size());
        events = taken;
        run.events.set(events.size());
        run.listed = true;
        return events;
    }

    public void event(Run run, EventRef event) throws SQLException {
        EventSnapshot snapshot = source(run.product).snapshot(event, clock.instant());
        run.registrants.addAndGet((int) snapshot.participants().stream()
                .filter(p -> p.standing() != EventSnapshot.Standing.PRESENT).count());
        run.attendees.addAndGet((int) snapshot.participants().stream().filter(p -> p.totalSeconds() > 0).count());
        Reconciler.Outcome outcome = run.dryRun ? reconciler.preview(snapshot) : reconciler.apply(snapshot);
        if (!run.dryRun) {
            outcome.changes().forEach(meters::found);
        }
        run.created.addAndGet(outcome.created());
        run.changed.addAndGet(outcome.changed());
        run.changes.addAll(outcome.changes());
        progress(run);
    }

    /** The event failed this cycle (the route has logged why); the next cycle tries it again. */
    public void failed(Run run, EventRef event, Exception cause) {
        run.failed.incrementAndGet();
        run.firstFailure.compareAndSet(null, "event " + event.key() + ": " + reason(cause));
        progress(run);
    }

    /** The poll stopped before its end (the list call failed, the database went away): recorded as failed, with why. */
    public void abort(Run run, Exception cause) throws SQLException {
        if (run.dryRun) {
            return;
        }
        finished(run, "failed", (run.listed ? "stopped after " + run.done + " of " + run.events + " events: "
                : "could not list the events: ") + reason(cause));
    }

    private static String reason(Exception cause) {
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    private static void progress(Run run) {
        int done = run.done.incrementAndGet();
        if (done % PROGRESS_EVERY == 0 && done < run.events.get()) {
            LOG.info("Pull of {}: {}/{} events, {} new and {} changed registrations so far", run.product, done, run.events,
                    run.created, run.changed);
        }
    }

    public String finish(Run run) throws SQLException {
        if (run.dryRun) {
            return run.summary();
        }
        String outcome = run.failed.get() == 0 ? "ok" : run.failed.get() < run.events.get() ? "partial" : "failed";
        String summary = run.summary();
        String failure = run.firstFailure.get();
        finished(run, outcome, failure == null ? summary : summary + "; first failure: " + failure);
        LOG.info("Pull of {} done in {} ms: {}", run.product, Duration.between(run.startedAt, clock.instant()).toMillis(), summary);
        return summary;
    }

    private EventSource source(String product) {
        EventSource s = sources.get(product);
        if (s == null) {
            throw new IllegalArgumentException("no GoTo source for product " + product);
        }
        return s;
    }

    private void finished(Run run, String outcome, String message) throws SQLException {
        cursor(run.product, "UPDATE sync_cursor SET finished_at = now(), outcome = ?, message = ? WHERE product = ? AND scope = ''",
                outcome, message);
    }

    private void cursor(String product, String sql, String outcome, String message) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            if (outcome == null) {
                st.setString(1, product);
            } else {
                st.setString(1, outcome);
                st.setString(2, message);
                st.setString(3, product);
            }
            st.executeUpdate();
        }
    }
}
