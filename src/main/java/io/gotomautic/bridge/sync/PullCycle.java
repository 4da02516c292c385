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

import javax.sql.DataSource;

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

    /** One run of one product's poll. */
    public static final class Run {
        final String product;
        final Instant startedAt;
        final Instant from;
        final Instant to;
        final AtomicInteger events = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger created = new AtomicInteger();
        final AtomicInteger changed = new AtomicInteger();

        Run(String product, Instant startedAt, Instant from, Instant to) {
            this.product = product;
            this.startedAt = startedAt;
            this.from = from;
            this.to = to;
        }

        public String summary() {
            return events + " events (" + failed + " failed), " + created + " new and " + changed + " changed registrations";
        }
    }

    private final Map<String, EventSource> sources;
    private final Reconciler reconciler;
    private final DataSource dataSource;
    private final Duration past;
    private final Duration future;
    private final Clock clock;

    public PullCycle(List<EventSource> sources, Reconciler reconciler, DataSource dataSource, Duration past,
                     Duration future, Clock clock) {
        this.sources = sources.stream().collect(java.util.stream.Collectors.toMap(EventSource::product, s -> s));
        this.reconciler = reconciler;
        this.dataSource = dataSource;
        this.past = past;
        this.future = future;
        this.clock = clock;
    }

    public Run begin(String product) throws SQLException {
        source(product);
        Instant now = clock.instant();
        Run run = new Run(product, now, now.minus(past), now.plus(future));
        cursor(product, "INSERT INTO sync_cursor (product, started_at, finished_at) VALUES (?, now(), NULL) "
                + "ON CONFLICT (product, scope) DO UPDATE SET started_at = now(), finished_at = NULL", null, null);
        return run;
    }

    public List<EventRef> events(Run run) {
        List<EventRef> events = source(run.product).events(run.from, run.to);
        run.events.set(events.size());
        return events;
    }

    public void event(Run run, EventRef event) throws SQLException {
        Reconciler.Outcome outcome = reconciler.apply(source(run.product).snapshot(event, clock.instant()));
        run.created.addAndGet(outcome.created());
        run.changed.addAndGet(outcome.changed());
    }

    /** The event failed this cycle (the route has logged why); the next cycle tries it again. */
    public void failed(Run run) {
        run.failed.incrementAndGet();
    }

    public String finish(Run run) throws SQLException {
        String outcome = run.failed.get() == 0 ? "ok" : run.failed.get() < run.events.get() ? "partial" : "failed";
        String summary = run.summary();
        cursor(run.product, "UPDATE sync_cursor SET finished_at = now(), outcome = ?, message = ? WHERE product = ? AND scope = ''",
                outcome, summary);
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
