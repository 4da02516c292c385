package io.gotomautic.bridge.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.change.Change;
import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.config.FormRules;
import io.gotomautic.bridge.gotoapi.GoToException;
import io.gotomautic.bridge.gotoapi.Registrar;
import io.gotomautic.bridge.gotoapi.SessionLinks;
import io.gotomautic.bridge.gotohooks.GoToDelivery;
import io.gotomautic.bridge.mautic.LinkEmails;
import io.gotomautic.bridge.ops.Meters;
import io.gotomautic.bridge.store.Intents;
import io.gotomautic.bridge.store.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works the inbox in order per person and event (an entry waiting for its retry holds back only the later entries of
 * its person and event), one entry at a time: claimed in one transaction, its GoTo calls made with no transaction
 * open, its outcome recorded in another, while another instance claims other entries. Each entry's requests
 * ({@link InboundRequest}: a campaign action, a form submission, a contact whose {@code goto_webinar} /
 * {@code goto_training} field names an event) are carried out through the shared GoTo rate limiter: registering the
 * person, or creating the meeting or assist session whose link is emailed. What they produce (the registration and
 * its outbox rows, the link email, the organizer's start link) and the entry's completion commit together; a crash in
 * between leaves the claim of a process that is gone, and the entry is done again (GoTo's 409 makes registering
 * idempotent, {@link Intents} finds a session already created). A passing failure waits and is tried again; one no
 * retry can mend becomes a dead letter with its reason.
 */
public class InboxWorker {

    private static final Logger LOG = LoggerFactory.getLogger(InboxWorker.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DataSource dataSource;
    /** How soon an entry held by a setting (a GoTo account to connect again, …) is tried again. */
    private static final java.time.Duration HELD_RETRY = java.time.Duration.ofSeconds(10);

    private final Registrar registrar;
    private final SessionLinks sessions;
    private final Reconciler reconciler;
    private final FormRules forms;
    private final Optional<String> organizerEmail;
    private final BooleanSupplier stopping;
    private final Intents intents;
    private final Meters meters;
    /** Whether the bridge has a GoTo account of that name, connected or not: a webhook names the one it is for. */
    private final Predicate<String> knownAccount;
    private final AtomicBoolean eventsChanged = new AtomicBoolean();
    private final AtomicBoolean changed = new AtomicBoolean();

    /**
     * @param organizerEmail where start links of created sessions are mailed too ({@code bridge.organizer-email})
     * @param stopping       true once the service stops: the drain ends after the entry at hand, and what is left
     *                       waits in the inbox instead of holding up the shutdown
     */
    public InboxWorker(DataSource dataSource, Registrar registrar, SessionLinks sessions, Reconciler reconciler,
                       FormRules forms, Optional<String> organizerEmail, BooleanSupplier stopping, Meters meters,
                       Predicate<String> knownAccount) {
        this.meters = meters;
        this.knownAccount = knownAccount;
        this.dataSource = dataSource;
        this.registrar = registrar;
        this.sessions = sessions;
        this.reconciler = reconciler;
        this.forms = forms;
        this.organizerEmail = organizerEmail;
        this.stopping = stopping;
        this.intents = new Intents(dataSource);
    }

    /** Handles due inbox rows until none is left or {@code limit} are done; returns how many were handled. */
    public int drain(int limit) throws SQLException {
        order();
        int handled = 0;
        while (handled < limit && !stopping.getAsBoolean() && next()) {
            handled++;
        }
        return handled;
    }

    /**
     * Gives each new entry the person and the event whose order it keeps ({@code order_person}, {@code order_event}:
     * null for every event of the person). Read once, from the stored payload, so the claim can be one query.
     */
    private void order() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT id, payload FROM inbox WHERE status = 'pending' AND order_person IS NULL ORDER BY id LIMIT 1000");
             PreparedStatement update = c.prepareStatement("UPDATE inbox SET order_person = ?, order_event = ? WHERE id = ?")) {
            int n = 0;
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    String[] key = orderKey(rs.getLong(1), rs.getString(2));
                    update.setString(1, key[0]);
                    update.setString(2, key[1]);
                    update.setLong(3, rs.getLong(1));
                    update.addBatch();
                    n++;
                }
            }
            if (n > 0) {
                update.executeBatch();
            }
        }
    }

    /** The person (email, or contact id) and event (product:key) of an entry's requests; its own id when it has no one person. */
    private String[] orderKey(long id, String payload) {
        try {
            JsonNode stored = JSON.readTree(payload);
            if (GoToDelivery.isOne(stored)) {
                return GoToDelivery.orderKey(stored);
            }
            List<InboundRequest> requests = InboundRequest.of(stored, forms);
            Set<String> people = requests.stream().map(r -> r.email() != null ? r.email() : "contact:" + r.contactId())
                    .collect(Collectors.toSet());
            Set<String> events = requests.stream().map(r -> r.product() + ":" + (r.eventKey() == null ? "" : r.eventKey()))
                    .collect(Collectors.toSet());
            if (people.size() == 1) {
                return new String[] {people.iterator().next(), events.size() == 1 ? events.iterator().next() : null};
            }
        } catch (java.io.IOException | RuntimeException e) {
            // an entry that cannot be read becomes a dead letter on its turn: it waits for no one, and no one for it
        }
        return new String[] {"entry:" + id, null};
    }

    /**
     * One entry, in three steps so that no transaction is open while GoTo is called: the claim commits, the GoTo
     * calls run, and the outcome (what they produced, or the failure) is recorded in a transaction of its own.
     */
    private boolean next() throws SQLException {
        Optional<Claim> claimed = claim();
        if (claimed.isEmpty()) {
            return false;
        }
        Claim claim = claimed.get();
        List<Write> outcomes = new ArrayList<>();
        // the changes the outcomes write, counted once they are committed
        List<Change> made = new ArrayList<>();
        try {
            JsonNode payload = JSON.readTree(claim.payload());
            if (GoToDelivery.isOne(payload)) {
                applied(GoToDelivery.of(payload), made).ifPresent(outcomes::add);
            } else {
                for (InboundRequest r : InboundRequest.of(payload, forms)) {
                    carryOut(claim.id(), r, made).ifPresent(outcomes::add);
                }
            }
        } catch (GoToException e) {
            if (e.fix().isPresent()) {
                // a setting, not the entry, is wrong (the GoTo part's state says which): the entry waits, no attempt
                // counted, until it is fixed; the entries of other GoTo accounts go on meanwhile
                record(claim, c -> held(c, claim, e.getMessage() + ": " + e.fix().get()));
                return true;
            }
            record(claim, c -> {
                if (e.isTransient()) {
                    failed(c, claim, e.getMessage(), e.retryAfter().orElse(java.time.Duration.ZERO));
                } else {
                    dead(c, claim, e.getMessage());
                }
            });
            return true;
        } catch (InboundRequest.Invalid e) {
            record(claim, c -> dead(c, claim, e.getMessage()));
            return true;
        } catch (java.io.IOException | RuntimeException e) {
            if (e.getCause() instanceof SQLException sql) {
                // the database (e.g. under the rate limiter) failed, not the entry: it stays claimed by this
                // process, which takes it again on its next turn
                throw sql;
            }
            record(claim, c -> dead(c, claim, "cannot be handled: " + e.getMessage()));
            return true;
        }
        // the requests' outcomes all or none: after a failure part way, the retry carries every request out again
        record(claim, c -> {
            for (Write o : outcomes) {
                o.to(c);
            }
            done(c, claim.id());
        });
        made.forEach(meters::found);
        if (!made.isEmpty()) {
            changed.set(true);
        }
        return true;
    }

    /** An entry claimed by this process: {@code at} tells this claim from a later one of the same entry. */
    private record Claim(long id, String payload, int attempts, java.sql.Timestamp at) {
    }

    /** What is written for a claimed entry: a request's outcome, or the entry's completion or failure. */
    @FunctionalInterface
    private interface Write {
        void to(Connection c) throws SQLException;
    }

    /**
     * Claims the oldest due entry that no older pending entry of the same person and event (or one not yet ordered)
     * comes before, and commits: a person's requests for an event are carried out in the order they came, and an
     * entry waiting for its retry holds back no one else. An entry claimed by a process that has no connection left
     * (killed while it worked) is free again, and so is one this process claimed and did not finish (its database
     * failed while it recorded): the drain works one entry at a time.
     */
    private Optional<Claim> claim() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement("""
                    SELECT id, payload, attempts FROM inbox i
                    WHERE status = 'pending' AND next_attempt_at <= now() AND order_person IS NOT NULL
                      AND id < coalesce((SELECT min(id) FROM inbox WHERE status = 'pending' AND order_person IS NULL),
                        9223372036854775807)
                      AND (claimed_by IS NULL OR claimed_by = current_setting('application_name')
                        OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = i.claimed_by))
                      AND NOT EXISTS (SELECT 1 FROM inbox o WHERE o.status = 'pending' AND o.order_person = i.order_person
                        AND o.id < i.id AND (o.order_event IS NULL OR i.order_event IS NULL OR o.order_event = i.order_event))
                    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """); ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    c.rollback();
                    return Optional.empty();
                }
                long id = rs.getLong(1);
                // a claim lost with a database crash is only a lease gone: the entry is claimed again and done once
                // (idempotent), so its commit need not wait for the disk, which keeps one flush per entry
                try (PreparedStatement async = c.prepareStatement("SET LOCAL synchronous_commit TO off")) {
                    async.execute();
                }
                try (PreparedStatement mark = c.prepareStatement("""
                        UPDATE inbox SET claimed_by = current_setting('application_name'), claimed_at = clock_timestamp()
                        WHERE id = ? RETURNING claimed_at
                        """)) {
                    mark.setLong(1, id);
                    try (ResultSet at = mark.executeQuery()) {
                        at.next();
                        Claim claim = new Claim(id, rs.getString(2), rs.getInt(3), at.getTimestamp(1));
                        c.commit();
                        return Optional.of(claim);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Records the outcome of a claimed entry and ends the claim, in one transaction; nothing when the claim is no
     * longer this process's (its connections were all lost, so another instance took the entry over).
     */
    private void record(Claim claim, Write write) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement own = c.prepareStatement("""
                    UPDATE inbox SET claimed_by = NULL, claimed_at = NULL
                    WHERE id = ? AND claimed_by = current_setting('application_name') AND claimed_at = ?
                    """)) {
                own.setLong(1, claim.id());
                own.setTimestamp(2, claim.at());
                if (own.executeUpdate() == 0) {
                    LOG.warn("Inbox row {} was taken over by another instance while this one worked on it: its outcome here is"
                            + " dropped, the other instance records its own", claim.id());
                    c.rollback();
                    return;
                }
                write.to(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private Optional<Write> carryOut(long id, InboundRequest r, List<Change> made) throws SQLException {
        return switch (r.action()) {
            case REGISTER -> register(r, made);
            case MEETING_LINK, ASSIST_LINK -> {
                // GoTo cannot deduplicate a create: the attempt is on record before the call, and the session carries
                // its reference, so an attempt after a crash finds the session instead of creating a second one
                String key = "inbox-" + id;
                Intents.Attempt attempt = intents.begin(key);
                SessionLinks.Link link = r.action() == InboundRequest.Action.MEETING_LINK
                        ? sessions.meeting(r.subject().isEmpty() ? "Meeting with " + name(r) : r.subject(), attempt)
                        : sessions.assist(name(r), r.email(), attempt);
                yield Optional.of(c -> {
                    link(c, id, r, link);
                    Intents.settled(c, key);
                });
            }
        };
    }

    /**
     * A GoTo webhook event, applied as the poll would have found it. A registration is recorded from what GoTo
     * sent, with no call: one the bridge made itself, or one a poll found first, is known already and changes
     * nothing; one waiting for approval is the poll's. A join is the registrant attended: taken as stored, or from
     * GoTo when the join came before its registration. A webinar announced is read again from GoTo, so announcements
     * in any order end as GoTo has it; one GoTo has no more is cancelled as the poll cancels it.
     */
    private Optional<Write> applied(GoToDelivery d, List<Change> made) throws SQLException {
        if (d.account() == null || !knownAccount.test(d.account())) {
            throw new InboundRequest.Invalid("a GoTo webhook for the account " + d.account() + ", which the bridge does not know:"
                    + " connect it (or mend the callback's ?account=), then replay");
        }
        if (d.about(GoToDelivery.JOINED)) {
            EventSnapshot seen = reconciler.stored("webinar", d.webinarKey(), d.registrantKey())
                    .orElseGet(() -> registrar.registrant(d.account(), d.webinarKey(), d.registrantKey()));
            return Optional.of(c -> {
                Change change = reconciler.attended(c, seen, seen.participants().get(0), Change.Source.WEBHOOK);
                if (change != null) {
                    made.add(change);
                }
                LOG.info("{} from a GoTo webhook: {}", change != null ? "Attended" : "Attended already", d.describe());
            });
        }
        if (!d.about(GoToDelivery.ADDED)) {
            Optional<EventSnapshot> now = d.deleted() ? Optional.empty() : registrar.webinar(d.account(), d.webinarKey());
            return Optional.of(c -> {
                Change change = now.isPresent() ? reconciler.eventAnnounced(c, now.get(), Change.Source.WEBHOOK)
                        : reconciler.eventDeleted(c, d.snapshot(java.time.Instant.now()), Change.Source.WEBHOOK);
                if (change != null) {
                    made.add(change);
                    eventsChanged.set(true);
                }
                LOG.info("GoTo webhook {}: {}", d.describe(), change == null ? "nothing changed" : change.type().label());
            });
        }
        if (!d.approved()) {
            LOG.info("GoTo webhook {} with status {}: left to the poll", d.describe(), d.status());
            return Optional.empty();
        }
        return Optional.of(c -> {
            Change change = reconciler.registered(c, d.snapshot(java.time.Instant.now()), d.person(), Change.Source.WEBHOOK, d.answers());
            if (change != null) {
                made.add(change);
            }
            LOG.info("{} from a GoTo webhook: {}", change != null ? "Registered" : "Already known", d.describe());
        });
    }

    /**
     * Whether an entry committed a change since the last ask: the route then pushes to Mautic at once rather than on
     * the push's timer, which would add up to bridge.push.interval to a registration GoTo's webhook brought.
     */
    public boolean changed() {
        return changed.getAndSet(false);
    }

    /**
     * Whether a webhook changed an event since the last ask: the route then refreshes the forms' event options at once
     * rather than on their timer.
     */
    public boolean eventsChanged() {
        return eventsChanged.getAndSet(false);
    }

    /**
     * Registers the person, records the registration (its outbox rows write the join URL back to the contact) and
     * queues the confirmation email. A contact save for someone the bridge already knows for this event is the echo
     * of its own write (Mautic sends every save back) or a save of something else: left alone, with no GoTo call,
     * so nothing loops, and someone who cancelled is not registered again because their contact was edited.
     */
    private Optional<Write> register(InboundRequest r, List<Change> made) throws SQLException {
        if (r.source() == Change.Source.CONTACT && known(r.product(), r.eventKey(), r.email())) {
            return Optional.empty();
        }
        Registrar.Registration reg = registrar.register(r.product(), r.eventKey(), null, r.email(), r.firstName(), r.lastName(),
                r.answers());
        return Optional.of(c -> {
            Change change = reconciler.registered(c, reg.event(), reg.person(), r.source(), r.answers().entrySet().stream()
                    .map(a -> new Change.Answer(a.getKey(), a.getValue())).toList());
            boolean fresh = change != null;
            if (fresh) {
                made.add(change);
            }
            LOG.info("{} {} for {} {} ({}) from a {}", fresh ? "Registered" : "Already registered:", EmailAddress.masked(r.email()),
                    r.product(), r.eventKey(), reg.event().title(), r.origin());
            if (r.emailId() != null) {
                LinkEmails.queue(c, r.emailId(), r.contactId(), r.email(), r.product(), reg.person().joinUrl(), false,
                        r.product() + " " + r.eventKey() + " for " + r.email());
            }
        });
    }

    /**
     * The join link goes to the contact; the start link, which lets its holder host the session, is stored (shown by
     * {@code status}) for the organizer, never logged, and mailed to {@code bridge.organizer-email} when that is set.
     */
    private void link(Connection c, long id, InboundRequest r, SessionLinks.Link link) throws SQLException {
        String about = r.product() + " " + link.key() + " for " + (r.email() == null ? "contact " + r.contactId() : r.email());
        LinkEmails.queue(c, r.emailId(), r.contactId(), r.email(), r.product(), link.joinUrl(), false, about);
        try (PreparedStatement st = c.prepareStatement("""
                INSERT INTO organizer_link (product, session_key, join_url, start_url, for_email, inbox_id) VALUES (?, ?, ?, ?, ?, ?)
                """)) {
            st.setString(1, r.product());
            st.setString(2, link.key());
            st.setString(3, link.joinUrl());
            st.setString(4, link.startUrl());
            st.setString(5, r.email());
            st.setLong(6, id);
            st.executeUpdate();
        }
        // never the start link: whoever reads the log could host the session
        LOG.info("Created GoTo {} {} ({}); its start link is kept for the organizer (status)", r.product(), link.key(), r.origin());
        if (organizerEmail.isPresent() && link.startUrl() != null) {
            LinkEmails.queue(c, r.emailId(), null, organizerEmail.get(), r.product(), link.startUrl(), true, about + ", organizer's start link");
        }
    }

    private static String name(InboundRequest r) {
        String name = (r.firstName() + " " + r.lastName()).trim();
        return name.isEmpty() ? (r.email() == null ? "contact " + r.contactId() : r.email()) : name;
    }

    private boolean known(String product, String key, String email) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT 1 FROM registration WHERE product = ? AND event_key = ? AND lower(email) = ?")) {
            st.setString(1, product);
            st.setString(2, key);
            st.setString(3, email);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void done(Connection c, long id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE inbox SET status = 'done', done_at = now() WHERE id = ?")) {
            st.setLong(1, id);
            st.executeUpdate();
        }
    }

    /**
     * A passing failure: tried again later (not before {@code atLeast}, GoTo's Retry-After), or a dead letter after
     * {@link Queue#MAX_ATTEMPTS}.
     */
    private static void failed(Connection c, Claim claim, String error, java.time.Duration atLeast) throws SQLException {
        boolean dead = Queue.INBOX.failed(c, claim.id(), claim.payload(), claim.attempts(), error, atLeast);
        LOG.warn("Inbox row {} {}: {}", claim.id(), dead ? "is a dead letter after " + Queue.MAX_ATTEMPTS + " attempts" : "waits for a retry",
                EmailAddress.masked(error));
    }

    private static void held(Connection c, Claim claim, String why) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE inbox SET last_error = ?, next_attempt_at = now() + ?::interval"
                + " WHERE id = ?")) {
            st.setString(1, why);
            st.setString(2, HELD_RETRY.toSeconds() + " seconds");
            st.setLong(3, claim.id());
            st.executeUpdate();
        }
    }

    private static void dead(Connection c, Claim claim, String reason) throws SQLException {
        LOG.warn("Inbox row {} is a dead letter: {}", claim.id(), EmailAddress.masked(reason));
        Queue.INBOX.dead(c, claim.id(), claim.payload(), reason);
    }
}
