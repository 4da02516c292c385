package io.gotomautic.bridge.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import io.gotomautic.bridge.gotoapi.WebinarReader;
import io.gotomautic.bridge.gotohooks.GoToDelivery;
import io.gotomautic.bridge.mautic.LinkEmails;
import io.gotomautic.bridge.ops.Meters;
import io.gotomautic.bridge.store.Intents;
import io.gotomautic.bridge.store.Queue;
import io.gotomautic.bridge.sync.EventSnapshot.Participant;
import io.gotomautic.bridge.sync.EventSnapshot.Standing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works the inbox in order per person and event (an entry waiting for its retry holds back only the later entries of
 * its person and event), one entry at a time, with the route {@code register-from-inbox}: {@link #claim} takes an
 * entry and commits, the route makes the GoTo calls its {@link Task}s name (goto: endpoints, through the shared rate
 * limiter) with no transaction open, and {@link #complete} or {@link #failed} records the outcome in a transaction of
 * its own, while another instance claims other entries. An entry's requests ({@link InboundRequest}: a campaign
 * action, a form submission, a contact whose {@code goto_webinar} / {@code goto_training} field names an event; or a
 * GoTo webhook event, {@link GoToDelivery}) register the person, create the meeting or assist session whose link is
 * emailed, or record what GoTo's webhook said. What they produce (the registration and its outbox rows, the link
 * email, the organizer's start link) and the entry's completion commit together; a crash in between leaves the claim
 * of a process that is gone, and the entry is done again (GoTo's 409 makes registering idempotent, {@link Intents}
 * finds a session already created). A passing failure waits and is tried again; one no retry can mend becomes a dead
 * letter with its reason.
 */
public class InboxWorker {

    private static final Logger LOG = LoggerFactory.getLogger(InboxWorker.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DataSource dataSource;
    /** How soon an entry held by a setting (a GoTo account to connect again, …) is tried again. */
    private static final java.time.Duration HELD_RETRY = java.time.Duration.ofSeconds(10);

    private final Registrar registrar;
    private final WebinarReader webinars = new WebinarReader();
    private final Reconciler reconciler;
    private final FormRules forms;
    private final Optional<String> organizerEmail;
    private final BooleanSupplier stopping;
    private final Intents intents;
    private final Meters meters;
    /** Whether the bridge has a GoTo account of that name, connected or not: a webhook names the one it is for. */
    private final Predicate<String> knownAccount;
    private final EventFilter filter;
    private final AtomicBoolean eventsChanged = new AtomicBoolean();
    private final AtomicBoolean changed = new AtomicBoolean();

    /**
     * @param registrar      told when a webhook says a webinar changed, so a registration asks GoTo of it again
     * @param organizerEmail where start links of created sessions are mailed too ({@code bridge.organizer-email})
     * @param stopping       true once the service stops: no entry is claimed after the one at hand, and what is left
     *                       waits in the inbox instead of holding up the shutdown
     * @param filter         bridge.pull.webinar.filter: a GoTo webhook about a webinar it leaves out changes nothing
     */
    public InboxWorker(DataSource dataSource, Registrar registrar, Reconciler reconciler,
                       FormRules forms, Optional<String> organizerEmail, BooleanSupplier stopping, Meters meters,
                       Predicate<String> knownAccount, EventFilter filter) {
        this.meters = meters;
        this.filter = filter;
        this.knownAccount = knownAccount;
        this.dataSource = dataSource;
        this.registrar = registrar;
        this.reconciler = reconciler;
        this.forms = forms;
        this.organizerEmail = organizerEmail;
        this.stopping = stopping;
        this.intents = new Intents(dataSource);
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
     * A claimed entry: the GoTo calls it needs, in order, and what their answers will write. The route makes the
     * calls; {@link #complete} writes it all, or {@link #failed} records why not.
     */
    public static final class Entry {
        private final Claim claim;
        private final List<Task> tasks;
        private final List<Write> outcomes = new ArrayList<>();
        /** The changes the outcomes write, counted once they are committed. */
        private final List<Change> made = new ArrayList<>();

        private Entry(Claim claim, List<Task> tasks) {
            this.claim = claim;
            this.tasks = tasks;
        }

        public List<Task> getTasks() {
            return tasks;
        }

        public long id() {
            return claim.id();
        }
    }

    /**
     * One step of an entry, as the route carries it out: {@code call} names the goto: operation to make (null when
     * the entry already holds all it needs), with {@code eventKey}, {@code account}, {@code reference} and
     * {@code earlier} as its keys and {@code body} as its input; the rest is what the answer is read with.
     *
     * @param known for a join: the registrant in the webinar, as stored or (once the route has asked) as GoTo has them
     */
    public record Task(String call, String eventKey, String account, Map<String, Object> body, String reference, String earlier,
                       InboundRequest request, GoToDelivery delivery, EventSnapshot known) {

        private static Task of(InboundRequest request, String call, Map<String, Object> body, Intents.Attempt attempt) {
            return new Task(call, request.eventKey(), null, body, attempt == null ? null : attempt.reference(),
                    attempt == null ? null : attempt.earlier().map(Object::toString).orElse(null), request, null, null);
        }

        private static Task of(GoToDelivery delivery, String call, EventSnapshot known) {
            return new Task(call, delivery.webinarKey(), delivery.account(), null, null, null, null, delivery, known);
        }

        private Task withKnown(EventSnapshot seen) {
            return new Task(call, eventKey, account, body, reference, earlier, request, delivery, seen);
        }
    }

    /**
     * The next due entry, claimed by this process (committed), with its tasks; null when none is due or the service
     * stops. An entry that cannot be carried out at all (unreadable, or a GoTo webhook for an account the bridge does
     * not know) becomes a dead letter here, and the next one is claimed.
     */
    public Entry claim() throws SQLException {
        boolean ordered = false;
        while (!stopping.getAsBoolean()) {
            Optional<Claim> claimed = claimOne();
            if (claimed.isEmpty()) {
                if (ordered) {
                    return null;
                }
                // entries that came in since: given their order, then claimed
                order();
                ordered = true;
                continue;
            }
            Claim claim = claimed.get();
            try {
                return new Entry(claim, tasks(claim));
            } catch (InboundRequest.Invalid e) {
                record(claim, c -> dead(c, claim, e.getMessage()));
            } catch (java.io.IOException | RuntimeException e) {
                record(claim, c -> dead(c, claim, "cannot be handled: " + e.getMessage()));
            }
        }
        return null;
    }

    /** What the entry's requests need of GoTo, checked as far as can be told without it. */
    private List<Task> tasks(Claim claim) throws SQLException, java.io.IOException {
        JsonNode payload = JSON.readTree(claim.payload());
        if (GoToDelivery.isOne(payload)) {
            return List.of(task(GoToDelivery.of(payload)));
        }
        List<Task> tasks = new ArrayList<>();
        for (InboundRequest r : InboundRequest.of(payload, forms)) {
            tasks.add(switch (r.action()) {
                // a contact save for someone the bridge already knows for this event is the echo of its own write
                // (Mautic sends every save back) or a save of something else: left alone, with no GoTo call, so
                // nothing loops, and someone who cancelled is not registered again because their contact was edited
                // a contact save that a form submission for the same event follows (Mautic saves a form's contact
                // first) is left to the submission, which carries the answers to the event's questions
                case REGISTER -> r.source() == Change.Source.CONTACT && (known(r.product(), r.eventKey(), r.email())
                        || submissionFollows(claim, r)) ? Task.of(r, null, null, null)
                        : Task.of(r, r.product() + "/addRegistrant", registrant(r), null);
                // GoTo cannot deduplicate a create: the attempt is on record before the call, and the session carries
                // its reference, so an attempt after a crash finds the session instead of creating a second one
                case MEETING_LINK -> Task.of(r, "meeting/createMeeting",
                        body("subject", r.subject().isEmpty() ? "Meeting with " + name(r) : r.subject()), intents.begin(intent(claim)));
                case ASSIST_LINK -> Task.of(r, "assist/createSession", body("customerName", name(r), "customerEmail", r.email()),
                        intents.begin(intent(claim)));
            });
        }
        return tasks;
    }

    /**
     * A GoTo webhook event, to apply as the poll would have found it. A registration is recorded from what GoTo
     * sent, with no call. A join is the registrant attended: taken as stored, or from GoTo when the join came before
     * its registration. A webinar announced is read again from GoTo, so announcements in any order end as GoTo has
     * it; one GoTo has no more is cancelled as the poll cancels it.
     */
    private Task task(GoToDelivery d) throws SQLException {
        if (d.account() == null || !knownAccount.test(d.account())) {
            throw new InboundRequest.Invalid("a GoTo webhook for the account " + d.account() + ", which the bridge does not know:"
                    + " connect it (or mend the callback's ?account=), then replay");
        }
        // with bridge.pull.webinar.filter set, the webinar is read so the filter sees it as the poll does
        boolean filtered = filter.filters("webinar");
        if (d.about(GoToDelivery.JOINED)) {
            Optional<EventSnapshot> seen = reconciler.stored("webinar", d.webinarKey(), d.registrantKey());
            return Task.of(d, seen.isEmpty() ? "webinar/getRegistrant" : filtered ? "webinar/getWebinar" : null, seen.orElse(null));
        }
        if (!d.about(GoToDelivery.ADDED)) {
            return Task.of(d, d.deleted() ? null : "webinar/getWebinar", null);
        }
        return Task.of(d, filtered ? "webinar/getWebinar" : null, null);
    }

    /** The webinar GoTo answered with (null: not read, or gone) is one bridge.pull.webinar.filter leaves out. */
    private boolean leftOut(GoToDelivery d, Map<String, Object> webinar) {
        // GoTo sends the organizer's key as a number
        Object organizer = webinar == null ? null : webinar.get("organizerKey");
        if (webinar == null || filter.accepts("webinar", webinars.events(List.of(webinar)).get(0),
                organizer == null ? null : String.valueOf(organizer), d.account())) {
            return false;
        }
        LOG.info("GoTo webhook {}: left out by {}, nothing recorded", d.describe(), filter.rule("webinar"));
        return true;
    }

    private static String intent(Claim claim) {
        return "inbox-" + claim.id();
    }

    private static Map<String, Object> registrant(InboundRequest r) {
        Map<String, Object> body = body("email", r.email(), "firstName", r.firstName(), "lastName", r.lastName());
        body.put("answers", r.answers());
        return body;
    }

    private static Map<String, Object> body(String... fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            body.put(fields[i], fields[i + 1]);
        }
        return body;
    }

    /**
     * A task's answer: the GoTo JSON its call returned, as Maps and Lists (null when the task made no call, or the
     * webinar it read is gone). What it means is kept in the entry, written by {@link #complete}.
     */
    public void answered(Entry entry, Task task, Map<String, Object> answer) {
        if (task.delivery() != null) {
            delivered(entry, task, answer);
            return;
        }
        InboundRequest r = task.request();
        if (r.action() != InboundRequest.Action.REGISTER) {
            String key = intent(entry.claim);
            SessionLinks.Link link = new SessionLinks.Link(r.product(),
                    String.valueOf(answer.get(r.action() == InboundRequest.Action.MEETING_LINK ? "meetingKey" : "sessionKey")),
                    (String) answer.get("joinUrl"), (String) answer.get("startUrl"));
            entry.outcomes.add(c -> {
                link(c, entry.id(), r, link);
                Intents.settled(c, key);
            });
            return;
        }
        if (answer == null) {
            return;
        }
        EventSnapshot event = snapshot(r.product(), (String) answer.get("account"), EventRef.of((Map<?, ?>) answer.get("event")), List.of());
        Participant person = new Participant(r.email(), r.firstName(), r.lastName(), (String) answer.get("registrantKey"),
                (String) answer.get("joinUrl"), Standing.REGISTERED, new LinkedHashMap<>());
        entry.outcomes.add(c -> {
            Change change = reconciler.registered(c, event, person, r.source(), r.answers().entrySet().stream()
                    .map(a -> new Change.Answer(a.getKey(), a.getValue())).toList());
            boolean fresh = change != null;
            if (fresh) {
                entry.made.add(change);
            }
            if (!fresh && !r.answers().isEmpty()) {
                // GoTo has no way to change a registrant's answers: those of the first registration stay
                LOG.warn("Already registered: {} for {} {} ({}) from a {}; GoTo keeps the answers of their first registration,"
                        + " so the answers given now are in Mautic's form results only", EmailAddress.masked(r.email()), r.product(),
                        r.eventKey(), event.title(), r.origin());
            } else {
                LOG.info("{} {} for {} {} ({}) from a {}", fresh ? "Registered" : "Already registered:", EmailAddress.masked(r.email()),
                        r.product(), r.eventKey(), event.title(), r.origin());
            }
            if (r.emailId() != null) {
                LinkEmails.queue(c, r.emailId(), r.contactId(), r.email(), r.product(), person.joinUrl(), false,
                        r.product() + " " + r.eventKey() + " for " + r.email());
            }
        });
    }

    /**
     * A join of someone the bridge had not seen: the task, now with the registrant as GoTo has them, in the webinar
     * ({@code goto:webinar/getWebinar}, {@code goto:webinar/getRegistrant}).
     */
    public Task joined(Task task, Map<String, Object> webinar, Map<String, Object> registrant) {
        Participant p = new Participant((String) registrant.get("email"), (String) registrant.get("firstName"),
                (String) registrant.get("lastName"), task.delivery().registrantKey(), (String) registrant.get("joinUrl"),
                Standing.REGISTERED, new LinkedHashMap<>());
        return task.withKnown(snapshot("webinar", task.account(), webinars.events(List.of(webinar)).get(0), List.of(p)));
    }

    private void delivered(Entry entry, Task task, Map<String, Object> answer) {
        GoToDelivery d = task.delivery();
        if (leftOut(d, answer)) {
            return;
        }
        if (d.about(GoToDelivery.JOINED)) {
            entry.outcomes.add(c -> attended(c, entry, d, task.known()));
        } else if (!d.about(GoToDelivery.ADDED)) {
            registrar.forget(d.webinarKey());
            // gone from GoTo: no session of it is scheduled any more
            EventRef scheduled = answer == null ? new EventRef(d.webinarKey(), d.webinarTitle(), null, null)
                    : webinars.events(List.of(answer)).get(0);
            Optional<EventSnapshot> now = answer == null ? Optional.empty()
                    : Optional.of(snapshot("webinar", d.account(), scheduled, List.of()));
            entry.outcomes.add(c -> {
                PollCadence.scheduled(c, d.account(), List.of(scheduled));
                Change change = now.isPresent() ? reconciler.eventAnnounced(c, now.get(), Change.Source.WEBHOOK)
                        : reconciler.eventDeleted(c, d.snapshot(java.time.Instant.now()), Change.Source.WEBHOOK);
                if (change != null) {
                    entry.made.add(change);
                    eventsChanged.set(true);
                }
                LOG.info("GoTo webhook {}: {}", d.describe(), change == null ? "nothing changed" : change.type().label());
            });
        } else if (!d.approved()) {
            // one waiting for approval is the poll's
            LOG.info("GoTo webhook {} with status {}: left to the poll", d.describe(), d.status());
        } else {
            // one the bridge made itself, or one a poll found first, is known already and changes nothing
            entry.outcomes.add(c -> {
                Change change = reconciler.registered(c, d.snapshot(java.time.Instant.now()), d.person(), Change.Source.WEBHOOK,
                        d.answers());
                if (change != null) {
                    entry.made.add(change);
                }
                LOG.info("{} from a GoTo webhook: {}", change != null ? "Registered" : "Already known", d.describe());
            });
        }
    }

    private void attended(Connection c, Entry entry, GoToDelivery d, EventSnapshot seen) throws SQLException {
        Change change = reconciler.attended(c, seen, seen.participants().get(0), Change.Source.WEBHOOK);
        if (change != null) {
            entry.made.add(change);
        }
        LOG.info("{} from a GoTo webhook: {}", change != null ? "Attended" : "Attended already", d.describe());
    }

    private EventSnapshot snapshot(String product, String account, EventRef event, List<Participant> people) {
        return new EventSnapshot(product, account, event.key(), event.title(), event.startsAt(), event.endsAt(), List.of(), people,
                false, java.time.Instant.now(), Map.of());
    }

    /** Every task answered: the requests' outcomes and the entry's completion, all or none, in one transaction. */
    public void complete(Entry entry) throws SQLException {
        record(entry.claim, c -> {
            for (Write o : entry.outcomes) {
                o.to(c);
            }
            done(c, entry.id());
        });
        entry.made.forEach(meters::found);
        if (!entry.made.isEmpty()) {
            changed.set(true);
        }
    }

    /**
     * A task's call failed (its exception, as the route caught it): after a failure part way, the retry carries every
     * request out again. A passing failure waits and is tried again; a setting that is wrong holds the entry without
     * counting an attempt; one no retry can mend is a dead letter.
     */
    public void failed(Entry entry, Exception caught) throws SQLException {
        Claim claim = entry.claim;
        Throwable e = caught;
        while (!(e instanceof GoToException || e instanceof InboundRequest.Invalid || e instanceof SQLException)
                && e.getCause() != null && e.getCause() != e) {
            e = e.getCause();
        }
        if (e instanceof SQLException sql) {
            // the database (e.g. under the rate limiter) failed, not the entry: it stays claimed by this process,
            // which takes it again on its next turn
            throw sql;
        }
        if (e instanceof GoToException g) {
            if (g.fix().isPresent()) {
                // a setting, not the entry, is wrong (the GoTo part's state says which): the entry waits, no attempt
                // counted, until it is fixed; the entries of other GoTo accounts go on meanwhile
                record(claim, c -> held(c, claim, g.getMessage() + ": " + g.fix().get()));
            } else if (g.isTransient()) {
                record(claim, c -> failed(c, claim, g.getMessage(), g.retryAfter().orElse(java.time.Duration.ZERO)));
            } else {
                record(claim, c -> dead(c, claim, g.getMessage()));
            }
            return;
        }
        String reason = e instanceof InboundRequest.Invalid ? e.getMessage() : "cannot be handled: " + e.getMessage();
        record(claim, c -> dead(c, claim, reason));
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
    private Optional<Claim> claimOne() throws SQLException {
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

    /** Whether a form submission of the same person for the same event waits in the inbox after the claimed entry. */
    private boolean submissionFollows(Claim claim, InboundRequest r) throws SQLException {
        // the entries since, given their person and event
        order();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT 1 FROM inbox WHERE status = 'pending' AND id > ? AND delivery_key LIKE 'mautic.form_on_submit:%'
                  AND order_person = ? AND order_event = ?
                """)) {
            st.setLong(1, claim.id());
            st.setString(2, r.email());
            st.setString(3, r.product() + ":" + r.eventKey());
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
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
