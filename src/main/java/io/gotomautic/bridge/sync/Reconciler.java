package io.gotomautic.bridge.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.change.Change;
import io.gotomautic.bridge.store.Subscriptions;
import io.gotomautic.bridge.sync.EventSnapshot.Participant;
import io.gotomautic.bridge.sync.EventSnapshot.Standing;

/**
 * Compares what GoTo shows of an event with what the database knows and writes only the differences: the
 * registration rows and, in the same transaction, one outbox row per change for the push to Mautic. A cycle
 * in which nothing changed writes nothing, so nothing travels to Mautic.
 */
public class Reconciler {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Long>> SECONDS = new TypeReference<>() { };
    /** the first key of {@link #lock}: an event's registrations */
    private static final int EVENT_LOCK = 1;

    /** What one event's reconciliation changed, and each change as it goes to the outbox. */
    public record Outcome(int created, int changed, List<Change> changes) {
        public int total() {
            return created + changed;
        }
    }

    /** A stored registration. @param absentSince since when GoTo's listings have not shown them, or null */
    private record Known(long id, String email, String firstName, String lastName, RegistrationState state, int minutes,
                         Map<String, Long> seconds, String registrantKey, String joinUrl, Instant absentSince,
                         EventSnapshot.Details details) {
    }

    /**
     * A registration row to insert ({@code id} null) or to update.
     *
     * @param details the registrant's GoTo detail as known (fetched now or stored), or null; stored when new
     */
    private record Write(Long id, Participant p, String registrantKey, String joinUrl, RegistrationState state, int minutes,
                         EventSnapshot.Details details) {
        Write(Long id, Participant p, String registrantKey, String joinUrl, RegistrationState state, int minutes) {
            this(id, p, registrantKey, joinUrl, state, minutes, null);
        }
    }

    /**
     * A change and its registration: a stored row's id, or the position of a row in the plan's inserts; neither
     * (null, -1) for a change to the event itself.
     */
    private record Planned(Change change, Long registration, int insert) {
    }

    /**
     * What reconciling one event writes, worked out from GoTo's snapshot and the stored rows before anything is
     * written, so a dry run can show it without writing at all.
     *
     * @param back      rows GoTo shows again after an absence
     * @param missing   rows GoTo's listing does not show, their absence clock starting now
     * @param cancelled rows absent for {@code cancelAfter}
     */
    private record Plan(List<Write> inserts, List<Write> updates, List<Long> back, List<Long> missing, List<Long> cancelled,
                        List<Planned> changes) {
        Outcome outcome() {
            long people = changes.stream().filter(p -> !p.change().aboutEvent()).count();
            return new Outcome(inserts.size(), (int) people - inserts.size(), changes.stream().map(Planned::change).toList());
        }

        /** The same plan, the event's own change first. */
        Plan after(Change event) {
            List<Planned> all = new ArrayList<>();
            all.add(new Planned(event, null, -1));
            all.addAll(changes);
            return new Plan(inserts, updates, back, missing, cancelled, all);
        }
    }

    private final DataSource dataSource;
    private final Duration settleAfter;
    private final Duration cancelAfter;

    /**
     * @param settleAfter how long after an event's end GoTo's attendance data is taken as final
     * @param cancelAfter how long a registrant must be missing from GoTo's listings to count as cancelled
     */
    public Reconciler(DataSource dataSource, Duration settleAfter, Duration cancelAfter) {
        this.dataSource = dataSource;
        this.settleAfter = settleAfter;
        this.cancelAfter = cancelAfter;
    }

    public Outcome apply(EventSnapshot event) throws SQLException {
        return reconcile(event, true);
    }

    /** What {@link #apply} would change, with nothing written (the transaction is rolled back). */
    public Outcome preview(EventSnapshot event) throws SQLException {
        return reconcile(event, false);
    }

    private Outcome reconcile(EventSnapshot event, boolean write) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            // a preview in a read-only transaction: it cannot write, not even a sequence's next value
            c.setReadOnly(!write);
            try {
                Change.Type saved = null;
                if (write) {
                    lock(c, event);
                    saved = saveEvent(c, event);
                    if (event.ended() && event.endsAt() != null && event.takenAt().isAfter(event.endsAt().plus(settleAfter))) {
                        settle(c, event);
                    }
                }
                Plan plan = plan(event, known(c, event, null, write));
                if (saved != null) {
                    plan = plan.after(Change.of(saved, eventOf(event), Change.Source.POLL));
                }
                if (write) {
                    write(c, event, plan);
                    c.commit();
                } else {
                    c.rollback();
                }
                return plan.outcome();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * One person registered through the bridge (a form, a campaign): recorded as registered with its outbox row,
     * in the caller's transaction, unless the database already has them registered or attended. The next poll
     * then finds nothing new for them, and a listing that does not show them yet starts their absence clock no
     * earlier than now.
     *
     * @param answers the answers to the event's registration questions the person gave
     * @return the change written, or null when there was nothing to record
     */
    public Change registered(Connection c, EventSnapshot event, Participant p, Change.Source source, List<Change.Answer> answers)
            throws SQLException {
        return record(c, event, p, RegistrationState.REGISTERED, source, answers);
    }

    /**
     * One person seen joining a session (GoTo's registrant.joined), in the caller's transaction: attended at once,
     * with no minutes yet (the poll after the session brings them, and attendance stays a fact until then), whatever
     * the database had them as; nothing when they attended already.
     *
     * @return the change written, or null when there was nothing to record
     */
    public Change attended(Connection c, EventSnapshot event, Participant p, Change.Source source) throws SQLException {
        return record(c, event, p, RegistrationState.ATTENDED, source, List.of());
    }

    private Change record(Connection c, EventSnapshot event, Participant p, RegistrationState state, Change.Source source,
                          List<Change.Answer> answers) throws SQLException {
        lock(c, event);
        boolean created;
        try (PreparedStatement st = c.prepareStatement("""
                INSERT INTO event (product, event_key, title, starts_at, ends_at, account) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (product, event_key) DO NOTHING
                """)) {
            st.setString(1, event.product());
            st.setString(2, event.eventKey());
            st.setString(3, event.title());
            st.setTimestamp(4, ts(event.startsAt()));
            st.setTimestamp(5, ts(event.endsAt()));
            st.setString(6, event.account());
            created = st.executeUpdate() == 1;
        }
        String email = p.email().toLowerCase(Locale.ROOT);
        Known before = known(c, event, email, true).get(email);
        boolean adds = before == null || before.state() == RegistrationState.CANCELLED
                || state == RegistrationState.ATTENDED && before.state() != RegistrationState.ATTENDED;
        if (!adds) {
            if (before.absentSince() != null) {
                // registered again while GoTo's listings missed them: the absence so far is not theirs any more
                ids(c, "UPDATE registration SET absent_since = NULL, updated_at = now() WHERE id = ANY (?)",
                        List.of(before.id()), null);
            }
            return null;
        }
        Write row = before == null ? new Write(null, p, p.registrantKey(), p.joinUrl(), state, 0)
                : new Write(before.id(), p, orElse(p.registrantKey(), before.registrantKey()), orElse(p.joinUrl(), before.joinUrl()),
                        state, before.minutes());
        Change change = change(event, row, p.secondsBySession(), before == null ? null : before.state(), source, answers);
        Plan plan = before == null
                ? new Plan(List.of(row), List.of(), List.of(), List.of(), List.of(), List.of(new Planned(change, null, 0)))
                : new Plan(List.of(), List.of(row), List.of(), List.of(), List.of(), List.of(new Planned(change, before.id(), -1)));
        // the bridge registered someone for an event no poll has seen yet: the event is new to it too
        write(c, event, created ? plan.after(Change.of(Change.Type.EVENT_CREATED, eventOf(event), source)) : plan);
        return change;
    }

    /**
     * The registrant {@code registrantKey} of the event as stored, with the event: a snapshot of that one person (for
     * GoTo's registrant.joined, which names the registrant by key alone); empty when the database has no such one.
     */
    public Optional<EventSnapshot> stored(String product, String eventKey, String registrantKey) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT e.account, e.title, e.starts_at, e.ends_at, r.email, r.first_name, r.last_name, r.join_url
                FROM registration r JOIN event e ON e.product = r.product AND e.event_key = r.event_key
                WHERE r.product = ? AND r.event_key = ? AND r.registrant_key = ?
                """)) {
            st.setString(1, product);
            st.setString(2, eventKey);
            st.setString(3, registrantKey);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Timestamp start = rs.getTimestamp(3);
                Timestamp end = rs.getTimestamp(4);
                Participant p = new Participant(rs.getString(5), rs.getString(6), rs.getString(7), registrantKey, rs.getString(8),
                        Standing.REGISTERED, Map.of());
                return Optional.of(new EventSnapshot(product, rs.getString(1), eventKey, rs.getString(2),
                        start == null ? null : start.toInstant(), end == null ? null : end.toInstant(), List.of(), List.of(p), false,
                        Instant.now(), Map.of()));
            }
        }
    }

    /**
     * An event as GoTo announced it (webinar.created / webinar.changed), in the caller's transaction: stored with its
     * event-created or event-changed change, as a poll would, its held sessions kept (the announcement has only the
     * schedule); null when nothing changed.
     */
    public Change eventAnnounced(Connection c, EventSnapshot event, Change.Source source) throws SQLException {
        lock(c, event);
        List<EventSnapshot.Session> held = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("""
                SELECT s ->> 'sessionKey', s ->> 'startTime', s ->> 'endTime'
                FROM event, jsonb_array_elements(sessions) s WHERE product = ? AND event_key = ?
                """)) {
            st.setString(1, event.product());
            st.setString(2, event.eventKey());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    held.add(new EventSnapshot.Session(rs.getString(1), Instant.parse(rs.getString(2)), Instant.parse(rs.getString(3))));
                }
            }
        }
        EventSnapshot withHeld = new EventSnapshot(event.product(), event.account(), event.eventKey(), event.title(),
                event.startsAt(), event.endsAt(), held, List.of(), false, event.takenAt(), Map.of());
        Change.Type saved = saveEvent(c, withHeld);
        if (saved == null) {
            return null;
        }
        Change change = Change.of(saved, eventOf(withHeld), source);
        Subscriptions.writingChanges(c);
        outbox(c, List.of(new Planned(change, null, -1)), List.of());
        return change;
    }

    /**
     * An event GoTo says is deleted (webinar.changed with status DELETED), in the caller's transaction: cancelled as
     * a poll cancels one GoTo no longer lists, when it has not started; null when it had, or was cancelled already.
     */
    public Change eventDeleted(Connection c, EventSnapshot event, Change.Source source) throws SQLException {
        lock(c, event);
        List<Planned> changes = cancel(c, event.product(), "event_key = ?", List.of(event.eventKey()), source);
        return changes.isEmpty() ? null : changes.get(0).change();
    }

    /** The differences between GoTo's snapshot and the stored rows, as the writes and changes they make. */
    private Plan plan(EventSnapshot event, Map<String, Known> known) {
        List<Write> inserts = new ArrayList<>();
        List<Write> updates = new ArrayList<>();
        List<Long> back = new ArrayList<>();
        List<Planned> changes = new ArrayList<>();
        List<Planned> created = new ArrayList<>();
        Map<String, Boolean> seen = new HashMap<>();
        for (Participant p : event.participants()) {
            String email = p.email().toLowerCase(Locale.ROOT);
            seen.put(email, true);
            Known before = known.get(email);
            if (before != null && before.absentSince() != null) {
                back.add(before.id());
            }
            RegistrationState target = target(event, p, before == null ? null : before.state());
            if (target == null) {
                continue;
            }
            int minutes = minutes(p);
            // the registrant's detail, fetched now for one new or not yet enriched, else as stored
            EventSnapshot.Details fetched = event.details().get(email);
            EventSnapshot.Details details = fetched != null ? fetched : before == null ? null : before.details();
            if (before == null) {
                Write row = new Write(null, p, p.registrantKey(), p.joinUrl(), target, minutes, details);
                created.add(new Planned(change(event, row, p.secondsBySession(), null, Change.Source.POLL, List.of()), null,
                        inserts.size()));
                inserts.add(row);
            } else if (before.state() != target || before.minutes() != minutes || !before.seconds().equals(p.secondsBySession())
                    || !Objects.equals(before.registrantKey(), orElse(p.registrantKey(), before.registrantKey()))
                    || !Objects.equals(before.joinUrl(), orElse(p.joinUrl(), before.joinUrl()))
                    || fetched != null && before.details() == null) {
                Write row = new Write(before.id(), p, orElse(p.registrantKey(), before.registrantKey()),
                        orElse(p.joinUrl(), before.joinUrl()), target, minutes, details);
                updates.add(row);
                changes.add(new Planned(change(event, row, p.secondsBySession(), before.state(), Change.Source.POLL, List.of()),
                        before.id(), -1));
            }
        }
        // the changes of rows that change, then of new ones: the order they are written in
        changes.addAll(created);
        // gone from GoTo's list: cancelled once gone for cancelAfter, since GoTo's lists lag (up to two hours), and a
        // person the bridge has just registered is not in them yet; nothing is deleted, and facts already true stay
        List<Long> missing = new ArrayList<>();
        List<Long> cancelled = new ArrayList<>();
        if (event.participants().stream().anyMatch(p -> p.standing() != Standing.PRESENT)) {
            for (Map.Entry<String, Known> e : known.entrySet()) {
                Known k = e.getValue();
                if (seen.containsKey(e.getKey()) || k.state() != RegistrationState.REGISTERED) {
                    continue;
                }
                if (k.absentSince() == null) {
                    missing.add(k.id());
                } else if (!event.takenAt().isBefore(k.absentSince().plus(cancelAfter))) {
                    cancelled.add(k.id());
                    Participant as = new Participant(k.email(), k.firstName(), k.lastName(), k.registrantKey(), k.joinUrl(),
                            Standing.CANCELLED, k.seconds());
                    changes.add(new Planned(change(event, new Write(k.id(), as, k.registrantKey(), k.joinUrl(),
                            RegistrationState.CANCELLED, k.minutes(), k.details()), k.seconds(), k.state(), Change.Source.POLL, List.of()),
                            k.id(), -1));
                }
            }
        }
        return new Plan(inserts, updates, back, missing, cancelled, changes);
    }

    /** Writes a plan: the registration rows, then one outbox row per change, in the caller's transaction. */
    private static void write(Connection c, EventSnapshot event, Plan plan) throws SQLException {
        if (!plan.changes().isEmpty()) {
            Subscriptions.writingChanges(c);
        }
        try (PreparedStatement update = c.prepareStatement(UPDATE)) {
            for (Write w : plan.updates()) {
                addUpdate(update, w);
            }
            update.executeBatch();
        }
        // new people in one round of ids and one batch of rows: a large webinar is thousands of them
        List<Long> ids = newIds(c, plan.inserts().size());
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (int i = 0; i < plan.inserts().size(); i++) {
                addInsert(insert, ids.get(i), event, plan.inserts().get(i));
            }
            insert.executeBatch();
        }
        ids(c, "UPDATE registration SET absent_since = NULL WHERE id = ANY (?)", plan.back(), null);
        ids(c, "UPDATE registration SET state = 'cancelled', absent_since = NULL, updated_at = now() WHERE id = ANY (?)",
                plan.cancelled(), null);
        // not before the row's last change: a listing asked for before the bridge registered someone cannot show them
        ids(c, "UPDATE registration SET absent_since = greatest(?, updated_at) WHERE id = ANY (?)", plan.missing(), event.takenAt());
        outbox(c, plan.changes(), ids);
    }

    /** One outbox row per change, in order; {@code ids}: those given to the plan's inserts. */
    private static void outbox(Connection c, List<Planned> changes, List<Long> ids) throws SQLException {
        // a change to an event is for the subscriptions only: stored as delivered, it never takes a place in the
        // push's batches (which would spread an event's people over more batches, and more Mautic calls)
        try (PreparedStatement st = c.prepareStatement("""
                INSERT INTO outbox (kind, payload, registration_id, status, delivered_at)
                VALUES ('registration', ?::jsonb, ?, CASE WHEN ? THEN 'delivered' ELSE 'pending' END, CASE WHEN ? THEN now() END)
                """)) {
            for (Planned p : changes) {
                st.setString(1, json(p.change()));
                st.setBoolean(3, p.change().aboutEvent());
                st.setBoolean(4, p.change().aboutEvent());
                if (p.registration() != null || p.insert() >= 0) {
                    st.setLong(2, p.registration() != null ? p.registration() : ids.get(p.insert()));
                } else {
                    st.setNull(2, java.sql.Types.BIGINT);
                }
                st.addBatch();
            }
            st.executeBatch();
        }
    }

    /**
     * Null: nothing to record. Attendance is a fact that stays; a no-show is written only after the last
     * session; someone waiting for approval is not registered yet.
     */
    private static RegistrationState target(EventSnapshot event, Participant p, RegistrationState before) {
        if (p.totalSeconds() > 0) {
            return RegistrationState.ATTENDED;
        }
        if (before == RegistrationState.ATTENDED) {
            return before;
        }
        return switch (p.standing()) {
            case PENDING -> before;
            case PRESENT -> before;
            case CANCELLED -> before == null ? null : RegistrationState.CANCELLED;
            case REGISTERED -> event.ended() ? RegistrationState.NO_SHOW : RegistrationState.REGISTERED;
        };
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    /** Stores GoTo's view of the event: {@code EVENT_CREATED} for a new one, {@code EVENT_CHANGED}, or null when as stored. */
    /**
     * Holds the event's registrations until the transaction ends. Row locks cannot: a person neither writer has
     * stored yet has no row, so a poll and a registration of that person both inserted, and one failed on the
     * unique index. Held in the two-key space, apart from the one-key locks of the limiter and subscriptions.
     */
    private static void lock(Connection c, EventSnapshot e) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
            st.setInt(1, EVENT_LOCK);
            st.setString(2, e.product() + '/' + e.eventKey());
            st.execute();
        }
    }

    private static Change.Type saveEvent(Connection c, EventSnapshot e) throws SQLException {
        // the account that lists the event owns it; that alone is nothing to tell Mautic
        try (PreparedStatement st = c.prepareStatement(
                "UPDATE event SET account = ? WHERE product = ? AND event_key = ? AND account IS DISTINCT FROM ?")) {
            st.setString(1, e.account());
            st.setString(2, e.product());
            st.setString(3, e.eventKey());
            st.setString(4, e.account());
            st.executeUpdate();
        }
        try (PreparedStatement st = c.prepareStatement("""
                INSERT INTO event (product, event_key, title, starts_at, ends_at, sessions, updated_at, account)
                VALUES (?, ?, ?, ?, ?, ?::jsonb, now(), ?)
                ON CONFLICT (product, event_key) DO UPDATE SET title = EXCLUDED.title, starts_at = EXCLUDED.starts_at,
                  ends_at = EXCLUDED.ends_at, sessions = EXCLUDED.sessions, updated_at = now(),
                  settled_at = CASE WHEN event.ends_at IS DISTINCT FROM EXCLUDED.ends_at THEN NULL ELSE event.settled_at END,
                  cancelled_at = NULL
                WHERE (event.title, event.starts_at, event.ends_at, event.sessions)
                  IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.starts_at, EXCLUDED.ends_at, EXCLUDED.sessions)
                  OR event.cancelled_at IS NOT NULL
                RETURNING xmax = 0
                """)) {
            st.setString(1, e.product());
            st.setString(2, e.eventKey());
            st.setString(3, e.title());
            st.setTimestamp(4, ts(e.startsAt()));
            st.setTimestamp(5, ts(e.endsAt()));
            st.setString(6, json(e.sessions().stream().map(s -> Map.of("sessionKey", s.key(),
                    "startTime", s.start().toString(), "endTime", s.end().toString())).toList()));
            st.setString(7, e.account());
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return rs.getBoolean(1) ? Change.Type.EVENT_CREATED : Change.Type.EVENT_CHANGED;
            }
        }
    }

    private static Change.Event eventOf(EventSnapshot e) {
        return new Change.Event(e.product(), e.account(), e.eventKey(), e.title(), e.startsAt());
    }

    private static void settle(Connection c, EventSnapshot e) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "UPDATE event SET settled_at = now() WHERE product = ? AND event_key = ? AND settled_at IS NULL")) {
            st.setString(1, e.product());
            st.setString(2, e.eventKey());
            st.executeUpdate();
        }
    }

    /** The product's settled events and the end they were settled with: polls skip them unless that end moved. */
    public Map<String, Instant> settled(String product) throws SQLException {
        Map<String, Instant> ends = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT event_key, ends_at FROM event WHERE product = ? AND settled_at IS NOT NULL")) {
            st.setString(1, product);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Timestamp end = rs.getTimestamp(2);
                    ends.put(rs.getString(1), end == null ? Instant.MIN : end.toInstant());
                }
            }
        }
        return ends;
    }

    /**
     * Events of the window that GoTo no longer lists ({@code listed}: every key its listing gave) and that had not
     * started: cancelled or deleted in GoTo. Each gets one event-cancelled change, in one transaction.
     */
    public List<Change> cancelAbsent(String product, String account, Collection<String> listed, Instant from, Instant to)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Planned> changes = cancel(c, product, "account = ? AND starts_at <= ? AND ends_at >= ? AND NOT (event_key = ANY (?))",
                        List.of(account, Timestamp.from(to), Timestamp.from(from), c.createArrayOf("text", listed.toArray())),
                        Change.Source.POLL);
                c.commit();
                return changes.stream().map(Planned::change).toList();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Cancels the product's events that match {@code where} (its parameters in order) and had neither started nor
     * settled, each with its event-cancelled change in the outbox, in the caller's transaction.
     */
    private static List<Planned> cancel(Connection c, String product, String where, List<Object> params, Change.Source source)
            throws SQLException {
        List<Planned> changes = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("UPDATE event SET cancelled_at = now(), updated_at = now()"
                + " WHERE product = ? AND cancelled_at IS NULL AND settled_at IS NULL AND starts_at > now() AND " + where
                + " RETURNING event_key, title, starts_at, account")) {
            st.setString(1, product);
            for (int i = 0; i < params.size(); i++) {
                st.setObject(i + 2, params.get(i));
            }
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    changes.add(new Planned(Change.of(Change.Type.EVENT_CANCELLED, new Change.Event(product, rs.getString(4),
                            rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()), source), null, -1));
                }
            }
        }
        if (!changes.isEmpty()) {
            Subscriptions.writingChanges(c);
            outbox(c, changes, List.of());
        }
        return changes;
    }

    /**
     * {@link KnownEvents} from the event table: those GoTo may have stopped listing because they started (a
     * completed training); one that has not started and is not listed is cancelled ({@link #cancelAbsent}).
     */
    public List<EventRef> unsettled(String product, Instant from, Instant to) {
        List<EventRef> events = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT event_key, title, starts_at, ends_at FROM event
                WHERE product = ? AND settled_at IS NULL AND cancelled_at IS NULL AND starts_at <= now()
                  AND ends_at >= ? AND starts_at <= ? ORDER BY starts_at
                """)) {
            st.setString(1, product);
            st.setTimestamp(2, Timestamp.from(from));
            st.setTimestamp(3, Timestamp.from(to));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    events.add(new EventRef(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                            rs.getTimestamp(4).toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the stored " + product + " events: " + e.getMessage(), e);
        }
        return events;
    }

    /**
     * The event's stored registrations (only {@code email}'s when given), locked until the transaction ends when
     * {@code lock} (a dry run reads without locking: it writes nothing).
     */
    private static Map<String, Known> known(Connection c, EventSnapshot e, String email, boolean lock) throws SQLException {
        Map<String, Known> known = new HashMap<>();
        try (PreparedStatement st = c.prepareStatement("""
                SELECT id, lower(email), first_name, last_name, state, minutes_attended, seconds_by_session, registrant_key,
                  join_url, absent_since, goto_details
                FROM registration WHERE product = ? AND event_key = ? AND (?::text IS NULL OR lower(email) = ?)
                """ + (lock ? " FOR UPDATE" : ""))) {
            st.setString(1, e.product());
            st.setString(2, e.eventKey());
            st.setString(3, email);
            st.setString(4, email);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Timestamp absent = rs.getTimestamp(10);
                    known.put(rs.getString(2), new Known(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            RegistrationState.of(rs.getString(5)), rs.getInt(6), read(rs.getString(7)), rs.getString(8),
                            rs.getString(9), absent == null ? null : absent.toInstant(), details(rs.getString(11))));
                }
            }
        }
        return known;
    }

    private static final String INSERT = """
            INSERT INTO registration (id, product, event_key, email, first_name, last_name, registrant_key, state, join_url,
              minutes_attended, seconds_by_session, goto_details)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)
            """;

    private static final String UPDATE = """
            UPDATE registration SET state = ?, minutes_attended = ?, seconds_by_session = ?::jsonb, registrant_key = ?,
              join_url = ?, first_name = coalesce(first_name, ?), last_name = coalesce(last_name, ?),
              goto_details = coalesce(?::jsonb, goto_details), updated_at = now()
            WHERE id = ?
            """;

    private static int minutes(Participant p) {
        return (int) ((p.totalSeconds() + 59) / 60);
    }

    private static List<Long> newIds(Connection c, int n) throws SQLException {
        List<Long> ids = new ArrayList<>(n);
        if (n == 0) {
            return ids;
        }
        try (PreparedStatement st = c.prepareStatement(
                "SELECT nextval(pg_get_serial_sequence('registration', 'id')) FROM generate_series(1, ?)")) {
            st.setInt(1, n);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    private static void addInsert(PreparedStatement st, long id, EventSnapshot e, Write w) throws SQLException {
        st.setLong(1, id);
        st.setString(2, e.product());
        st.setString(3, e.eventKey());
        st.setString(4, w.p().email());
        st.setString(5, w.p().firstName());
        st.setString(6, w.p().lastName());
        st.setString(7, w.registrantKey());
        st.setString(8, w.state().label());
        st.setString(9, w.joinUrl());
        st.setInt(10, w.minutes());
        st.setString(11, json(w.p().secondsBySession()));
        st.setString(12, w.details() == null ? null : json(w.details()));
        st.addBatch();
    }

    private static void addUpdate(PreparedStatement st, Write w) throws SQLException {
        st.setString(1, w.state().label());
        st.setInt(2, w.minutes());
        st.setString(3, json(w.p().secondsBySession()));
        st.setString(4, w.registrantKey());
        st.setString(5, w.joinUrl());
        st.setString(6, w.p().firstName());
        st.setString(7, w.p().lastName());
        st.setString(8, w.details() == null ? null : json(w.details()));
        st.setLong(9, w.id());
        st.addBatch();
    }

    /** An update of the rows {@code ids}, the last parameter; {@code at}, when given, is the first. */
    private static void ids(Connection c, String sql, List<Long> ids, Instant at) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement st = c.prepareStatement(sql)) {
            int i = 1;
            if (at != null) {
                st.setTimestamp(i++, Timestamp.from(at));
            }
            st.setArray(i, c.createArrayOf("bigint", ids.toArray()));
            st.executeUpdate();
        }
    }

    /** The change a row's write makes, complete in itself so whoever reads it never reads other tables. */
    private static Change change(EventSnapshot e, Write w, Map<String, Long> seconds, RegistrationState previous,
                                 Change.Source source, List<Change.Answer> answers) {
        // answers given with the registration (a form) are the person's own; otherwise GoTo's detail has them
        List<Change.Answer> given = answers.isEmpty() && w.details() != null ? w.details().answers() : answers;
        return Change.of(Change.Type.of(w.state().label()), eventOf(e),
                new Change.Person(w.p().email(), w.p().firstName(), w.p().lastName(), w.registrantKey(), w.joinUrl(), w.minutes(),
                        seconds, w.details() == null ? Map.of() : w.details().fields(), given),
                previous == null ? null : Change.Type.of(previous.label()), source);
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static EventSnapshot.Details details(String json) {
        try {
            return json == null ? null : JSON.readValue(json, EventSnapshot.Details.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("registration.goto_details is not JSON: " + e.getMessage());
        }
    }

    private static Map<String, Long> read(String json) {
        try {
            return json == null ? Map.of() : JSON.readValue(json, SECONDS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("registration.seconds_by_session is not JSON: " + e.getMessage());
        }
    }
}
