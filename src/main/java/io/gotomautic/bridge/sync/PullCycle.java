package io.gotomautic.bridge.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import javax.sql.DataSource;

import io.gotomautic.bridge.change.Change;
import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.gotoapi.GoToConnections;
import io.gotomautic.bridge.gotoapi.GoToException;
import io.gotomautic.bridge.gotoapi.GoToTokens;
import io.gotomautic.bridge.gotoapi.RateLimiter;
import io.gotomautic.bridge.ops.Meters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bookkeeping steps of one poll of one product, called by its pull route (routes/pull.camel.yaml), which makes
 * the GoTo calls itself: begin (the window, one run per GoTo account, each with its cursor), the listed events minus
 * the settled ones (and those the account's GoTo stopped listing, cancelled), each event's snapshot opened, then
 * reconciled on its own (a failing event is recorded and retried next cycle while the others sync), and finish
 * (the run's outcome in {@code sync_cursor}, its summary in the log).
 */
public class PullCycle {

    private static final Logger LOG = LoggerFactory.getLogger(PullCycle.class);

    /** Events between two progress lines of a long sync. */
    static final int PROGRESS_EVERY = 25;

    /** One poll of one product: a run per GoTo account. */
    public static final class Poll {
        final String product;
        final Instant from;
        final Instant to;
        final List<Run> runs;
        /** Why the poll could not start (no account), or null. */
        final String unstarted;

        Poll(String product, Instant from, Instant to, List<Run> runs, String unstarted) {
            this.product = product;
            this.from = from;
            this.to = to;
            this.runs = runs;
            this.unstarted = unstarted;
        }

        public List<Run> getRuns() {
            return runs;
        }

        public String product() {
            return product;
        }

        /** Each account's summary, or the one run's alone. */
        public String summary() {
            if (runs.size() == 1) {
                return runs.get(0).summary();
            }
            return runs.stream().map(r -> "account " + r.account + ": " + r.summary()).reduce((a, b) -> a + "; " + b)
                    .orElse("no GoTo account");
        }

        /** Why runs stopped before their end, by account, or null when none did. */
        public String aborted() {
            if (unstarted != null) {
                return unstarted;
            }
            List<String> stopped = runs.stream().filter(r -> r.aborted() != null)
                    .map(r -> runs.size() == 1 ? r.aborted() : "account " + r.account() + ": " + r.aborted()).toList();
            return stopped.isEmpty() ? null : String.join("; ", stopped);
        }

        public int failedEvents() {
            return runs.stream().mapToInt(Run::failedEvents).sum();
        }

        public int takenEvents() {
            return runs.stream().mapToInt(Run::takenEvents).sum();
        }

        public int registrationChanges() {
            return runs.stream().mapToInt(Run::registrationChanges).sum();
        }

        /** Every run's changes, account after account. */
        public List<Change> changes() {
            return runs.stream().flatMap(r -> r.changes().stream()).toList();
        }

        public Instant from() {
            return from;
        }

        public Instant to() {
            return to;
        }
    }

    /** One account's run of one product's poll; a dry run writes nothing and keeps the changes it would make. */
    public static final class Run {
        final String product;
        final String account;
        final boolean dryRun;
        /** only this event, settled or not (sync --id) */
        final String eventKey;
        final Instant startedAt;
        final Instant from;
        final Instant to;
        /** events listed and not settled */
        final AtomicInteger events = new AtomicInteger();
        /** of those, the ones the route's filter step let through */
        final AtomicInteger taken = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        /** upcoming events GoTo stopped listing */
        final AtomicInteger cancelled = new AtomicInteger();
        final AtomicInteger created = new AtomicInteger();
        final AtomicInteger changed = new AtomicInteger();
        final AtomicInteger registrants = new AtomicInteger();
        final AtomicInteger attendees = new AtomicInteger();
        final List<Change> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** Why the first failed event failed, for status. */
        final AtomicReference<String> firstFailure = new AtomicReference<>();
        /** Why the poll stopped before its end, or null. */
        volatile String aborted;
        volatile boolean listed;

        Run(String product, String account, boolean dryRun, String eventKey, Instant startedAt, Instant from, Instant to) {
            this.product = product;
            this.account = account;
            this.dryRun = dryRun;
            this.eventKey = eventKey;
            this.startedAt = startedAt;
            this.from = from;
            this.to = to;
        }

        public String summary() {
            int filtered = events.get() - taken.get();
            return taken + " events (" + failed + " failed), " + registrants + " registrants, " + attendees + " attendees, "
                    + created + " new and " + changed + " changed registrations"
                    + (filtered == 0 ? "" : "; " + filtered + " events left out by the filter step (" + EventFilter.key(product) + ")")
                    + (cancelled.get() == 0 ? "" : "; " + cancelled + " upcoming events no longer in GoTo, cancelled");
        }

        public String product() {
            return product;
        }

        /** The GoTo account polled: the routes' goto: calls name it. */
        public String account() {
            return account;
        }

        public int failedEvents() {
            return failed.get();
        }

        /** Events the filter step let through. */
        public int takenEvents() {
            return taken.get();
        }

        /** Registrations created or changed. */
        public int registrationChanges() {
            return created.get() + changed.get();
        }

        /** Why the poll stopped before its end (the list call failed, the database went away), or null. */
        public String aborted() {
            return aborted;
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

        /** For the log: the product, and the account when it is not the only one. */
        String label() {
            return product + (account.equals(GoToTokens.CONFIGURED) ? "" : " of " + EmailAddress.masked(account));
        }
    }

    /**
     * The products whose listing shows every event that has not started (webinars in the window, scheduled trainings):
     * one missing from it was cancelled. Meetings and assist sessions are listed once held.
     */
    private static final Set<String> SCHEDULED = Set.of("webinar", "training");

    private final Meters meters;
    private final Reconciler reconciler;
    /** Whether a mapping needs the registrant detail now: it may change with a reload of the routes folder. */
    private final BooleanSupplier enrich;
    /** Each account's budget of registrant detail calls. */
    private final Function<String, RateLimiter> enrichBudget;
    private final Map<String, RateLimiter> enrichBudgets = new ConcurrentHashMap<>();
    private final DataSource dataSource;
    private final GoToConnections connections;
    private final Duration past;
    private final Duration future;
    private final Clock clock;
    private final PollCadence cadence;

    /**
     * @param cadence      which accounts a tick of the schedule polls
     * @param connections  the GoTo accounts to poll, and their organizers, shown to the filter step
     * @param enrich       whether a mapping needs the registrant detail, asked each poll
     * @param enrichBudget per account, the registrant detail calls its polls may make ({@code bridge.enrich.budget})
     */
    public PullCycle(Reconciler reconciler, DataSource dataSource, GoToConnections connections, Duration past,
                     Duration future, Clock clock, BooleanSupplier enrich, Function<String, RateLimiter> enrichBudget,
                     Meters meters, PollCadence cadence) {
        this.meters = meters;
        this.cadence = cadence;
        this.enrich = enrich;
        this.enrichBudget = enrichBudget;
        this.reconciler = reconciler;
        this.dataSource = dataSource;
        this.connections = connections;
        this.past = past;
        this.future = future;
        this.clock = clock;
    }

    /**
     * @param dryRun    write nothing, keep the changes that would be made (sync --dry-run); null = false
     * @param eventKey  only this event, settled or not (sync --id); null = every event of the window
     * @param account   only this GoTo account; null = every connected one
     * @param scheduled a tick of the product's schedule: only the accounts whose poll is due ({@link PollCadence});
     *                  null = false, every account (sync)
     */
    public Poll begin(String product, Boolean dryRun, String eventKey, String account, Boolean scheduled) throws SQLException {
        if (!Settings.PRODUCTS.contains(product)) {
            throw new IllegalArgumentException("no GoTo product " + product);
        }
        boolean dry = Boolean.TRUE.equals(dryRun);
        Instant now = clock.instant();
        String only = eventKey == null || eventKey.isBlank() ? null : eventKey;
        List<String> accounts;
        try {
            accounts = account == null || account.isBlank() ? connections.names() : List.of(connections.client(account).account());
        } catch (GoToException e) {
            return new Poll(product, now.minus(past), now.plus(future), List.of(), e.getMessage() + e.fix().map(f -> "; " + f).orElse(""));
        }
        List<Run> runs = new ArrayList<>();
        for (String a : accounts) {
            if (Boolean.TRUE.equals(scheduled) && !cadence.due(product, a)) {
                continue;
            }
            Run run = new Run(product, a, dry, only, now, now.minus(past), now.plus(future));
            if (!dry) {
                // the process is named by its connections' application_name (see Database): status tells a running
                // poll from one whose process died by whether that name still has a connection
                cursor(run, "INSERT INTO sync_cursor (product, account, started_at, finished_at, instance) "
                        + "VALUES (?, ?, now(), NULL, current_setting('application_name')) ON CONFLICT (product, scope, account) "
                        + "DO UPDATE SET started_at = now(), finished_at = NULL, instance = EXCLUDED.instance", null, null);
            }
            runs.add(run);
        }
        return new Poll(product, now.minus(past), now.plus(future), List.copyOf(runs),
                accounts.isEmpty() ? "no GoTo account is connected" : null);
    }

    /**
     * The listed events that need a snapshot, as Maps for the route's filter step: those not settled (a settled one
     * comes back when its end moved: rescheduled, or a recurring meeting held again); with the run's event key only
     * that one, settled or not. Upcoming events GoTo no longer lists become event-cancelled changes.
     */
    public List<Map<String, Object>> events(Run run, List<EventRef> listed) throws SQLException {
        String key = run.eventKey;
        Map<String, Instant> settled = key == null ? reconciler.settled(run.product) : Map.of();
        if (key == null && !run.dryRun && SCHEDULED.contains(run.product)) {
            List<Change> cancelled = reconciler.cancelAbsent(run.product, run.account, listed.stream().map(EventRef::key).toList(),
                    run.from, run.to);
            run.cancelled.set(cancelled.size());
            run.changes.addAll(cancelled);
            cancelled.forEach(meters::found);
        }
        if (!run.dryRun && run.product.equals("webinar")) {
            try (Connection c = dataSource.getConnection()) {
                PollCadence.scheduled(c, run.account, listed);
            }
        }
        String organizer = connections.client(run.account).organizer().key();
        List<Map<String, Object>> events = listed.stream()
                .filter(e -> key == null ? !settled.containsKey(e.key()) || (e.endsAt() != null && e.endsAt().isAfter(settled.get(e.key())))
                        : e.key().equals(key))
                .map(e -> e.asMap(organizer, run.account))
                .toList();
        run.events.set(events.size());
        run.listed = true;
        return events;
    }

    /** An event the filter step let through: its snapshot, for the route's GoTo answers to fill in. */
    public EventSnapshot.Builder open(Run run, Map<String, Object> event) {
        run.taken.incrementAndGet();
        return new EventSnapshot.Builder(run.product, run.account, EventRef.of(event), clock.instant());
    }

    /**
     * The registrant keys whose detail the route fetches now: registered ones the database has no detail of, as many
     * as {@code bridge.enrich.budget} allows this moment (the rest on the next polls); none when no mapping needs it.
     */
    public List<String> toEnrich(Run run, EventSnapshot.Builder snapshot) throws SQLException {
        if (!enrich.getAsBoolean() || run.dryRun) {
            return List.of();
        }
        Set<String> known = new HashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT registrant_key FROM registration WHERE product = ? AND event_key = ? AND goto_details IS NOT NULL")) {
            st.setString(1, run.product);
            st.setString(2, snapshot.event().key());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    known.add(rs.getString(1));
                }
            }
        }
        List<String> wanted = snapshot.people().stream()
                .filter(p -> p.standing() == EventSnapshot.Standing.REGISTERED && p.registrantKey() != null
                        && !known.contains(p.registrantKey()))
                .map(EventSnapshot.Participant::registrantKey).toList();
        if (wanted.isEmpty()) {
            return wanted;
        }
        int allowed = enrichBudgets.computeIfAbsent(run.account, enrichBudget).tryTake(wanted.size());
        if (allowed < wanted.size()) {
            LOG.info("Pull of {} event {}: the detail of {} of {} new registrants waits for bridge.enrich.budget", run.label(),
                    snapshot.event().key(), wanted.size() - allowed, wanted.size());
        }
        return wanted.subList(0, allowed);
    }

    /** Registrants, sessions and attendance -> only the differences, with their outbox rows (of a dry run: none). */
    public void reconcile(Run run, EventSnapshot.Builder gathered) throws SQLException {
        EventSnapshot snapshot = gathered.build();
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
    public void failed(Run run, Map<String, Object> event, Exception cause) {
        run.failed.incrementAndGet();
        run.firstFailure.compareAndSet(null, "event " + event.get("key") + ": " + reason(cause));
        progress(run);
    }

    /** The poll stopped before its end (the list call failed, the database went away): recorded as failed, with why. */
    public Run abort(Run run, Exception cause) throws SQLException {
        run.aborted = (run.listed ? "stopped after " + run.done + " of " + run.taken + " events: " : "could not list the events: ")
                + reason(cause);
        if (!run.dryRun) {
            finished(run, "failed", run.aborted);
        }
        return run;
    }

    /** Masked: the message is shown by status, the console and /health, and a database error quotes the row's values. */
    private static String reason(Exception cause) {
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : EmailAddress.masked(cause.getMessage());
    }

    private static void progress(Run run) {
        int done = run.done.incrementAndGet();
        if (done % PROGRESS_EVERY == 0 && done < run.events.get()) {
            LOG.info("Pull of {}: {}/{} events, {} new and {} changed registrations so far", run.label(), done, run.events,
                    run.created, run.changed);
        }
    }

    public Run finish(Run run) throws SQLException {
        if (run.dryRun) {
            return run;
        }
        String outcome = run.failed.get() == 0 ? "ok" : run.failed.get() < run.taken.get() ? "partial" : "failed";
        String summary = run.summary();
        String failure = run.firstFailure.get();
        finished(run, outcome, failure == null ? summary : summary + "; first failure: " + failure);
        LOG.info("Pull of {} done in {} ms: {}", run.label(), Duration.between(run.startedAt, clock.instant()).toMillis(), summary);
        return run;
    }

    private void finished(Run run, String outcome, String message) throws SQLException {
        cursor(run, "UPDATE sync_cursor SET finished_at = now(), outcome = ?, message = ? WHERE product = ? AND account = ?"
                + " AND scope = ''", outcome, message);
    }

    private void cursor(Run run, String sql, String outcome, String message) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            int i = 1;
            if (outcome != null) {
                st.setString(i++, outcome);
                st.setString(i++, message);
            }
            st.setString(i++, run.product);
            st.setString(i, run.account);
            st.executeUpdate();
        }
    }
}
