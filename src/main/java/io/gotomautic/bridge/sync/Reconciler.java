package io.gotomautic.bridge.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    /** What one event's reconciliation changed, and each change as it goes to the outbox. */
    public record Outcome(int created, int changed, List<Map<String, Object>> changes) {
        public int total() {
            return created + changed;
        }
    }

    /** @param absentSince since when GoTo's listings have not shown them, or null */
    private record Known(long id, RegistrationState state, int minutes, Map<String, Long> seconds, String registrantKey,
                         String joinUrl, Instant absentSince) {
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
            try {
                Outcome outcome = apply(c, event);
                if (write) {
                    c.commit();
                } else {
                    c.rollback();
                }
                return outcome;
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
     * @return the change written, or null when there was nothing to record
     */
    public Map<String, Object> registered(Connection c, EventSnapshot event, Participant p) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                INSERT INTO event (product, event_key, title, starts_at, ends_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (product, event_key) DO NOTHING
                """)) {
            st.setString(1, event.product());
            st.setString(2, event.eventKey());
            st.setString(3, event.title());
            st.setTimestamp(4, ts(event.startsAt()));
            st.setTimestamp(5, ts(event.endsAt()));
            st.executeUpdate();
        }
        String email = p.email().toLowerCase(Locale.ROOT);
        Known before = known(c, event, email).get(email);
        Map<String, Object> change;
        long id;
        if (before == null) {
            id = newIds(c, 1).get(0);
            try (PreparedStatement insert = c.prepareStatement(INSERT)) {
                addInsert(insert, id, event, p, RegistrationState.REGISTERED, 0);
                insert.executeBatch();
            }
            change = change(event, p.email(), p.firstName(), p.lastName(), p.registrantKey(), p.joinUrl(),
                    RegistrationState.REGISTERED, null, 0, Map.of());
        } else if (before.state() == RegistrationState.CANCELLED) {
            id = before.id();
            try (PreparedStatement update = c.prepareStatement(UPDATE)) {
                addUpdate(update, id, p, orElse(p.registrantKey(), before.registrantKey()), orElse(p.joinUrl(), before.joinUrl()),
                        RegistrationState.REGISTERED, before.minutes());
                update.executeBatch();
            }
            change = change(event, p.email(), p.firstName(), p.lastName(), orElse(p.registrantKey(), before.registrantKey()),
                    orElse(p.joinUrl(), before.joinUrl()), RegistrationState.REGISTERED, before.state(), before.minutes(), Map.of());
        } else {
            if (before.absentSince() != null) {
                // registered again while GoTo's listings missed them: the absence so far is not theirs any more
                try (PreparedStatement st = c.prepareStatement(
                        "UPDATE registration SET absent_since = NULL, updated_at = now() WHERE id = ?")) {
                    st.setLong(1, before.id());
                    st.executeUpdate();
                }
            }
            return null;
        }
        outbox(c, List.of(change), List.of(id));
        return change;
    }

    private Outcome apply(Connection c, EventSnapshot event) throws SQLException {
        List<Map<String, Object>> changes = new ArrayList<>();
        saveEvent(c, event);
        if (event.ended() && event.endsAt() != null && event.takenAt().isAfter(event.endsAt().plus(settleAfter))) {
            settle(c, event);
        }
        Map<String, Known> known = known(c, event, null);
        int created = 0;
        int changed = 0;
        Map<String, Boolean> seen = new HashMap<>();
        List<Long> back = new ArrayList<>();
        List<Participant> fresh = new ArrayList<>();
        List<RegistrationState> freshStates = new ArrayList<>();
        List<Long> changedIds = new ArrayList<>();
        try (PreparedStatement update = c.prepareStatement(UPDATE)) {
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
                if (before == null) {
                    fresh.add(p);
                    freshStates.add(target);
                } else if (before.state() != target || before.minutes() != minutes || !before.seconds().equals(p.secondsBySession())
                        || !Objects.equals(before.registrantKey(), orElse(p.registrantKey(), before.registrantKey()))
                        || !Objects.equals(before.joinUrl(), orElse(p.joinUrl(), before.joinUrl()))) {
                    String key = orElse(p.registrantKey(), before.registrantKey());
                    String url = orElse(p.joinUrl(), before.joinUrl());
                    addUpdate(update, before.id(), p, key, url, target, minutes);
                    changes.add(change(event, p.email(), p.firstName(), p.lastName(), key, url, target, before.state(), minutes,
                            p.secondsBySession()));
                    changedIds.add(before.id());
                    changed++;
                }
            }
            update.executeBatch();
        }
        // new people in one round of ids and one batch of rows: a large webinar is thousands of them
        List<Long> ids = newIds(c, fresh.size());
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (int i = 0; i < fresh.size(); i++) {
                Participant p = fresh.get(i);
                addInsert(insert, ids.get(i), event, p, freshStates.get(i), minutes(p));
                changes.add(change(event, p.email(), p.firstName(), p.lastName(), p.registrantKey(), p.joinUrl(), freshStates.get(i),
                        null, minutes(p), p.secondsBySession()));
                changedIds.add(ids.get(i));
                created++;
            }
            insert.executeBatch();
        }
        ids(c, "UPDATE registration SET absent_since = NULL WHERE id = ANY (?)", back, null);
        // gone from GoTo's list: cancelled once gone for cancelAfter, since GoTo's lists lag (up to two hours), and a
        // person the bridge has just registered is not in them yet; nothing is deleted, and facts already true stay
        if (event.participants().stream().anyMatch(p -> p.standing() != Standing.PRESENT)) {
            List<Long> missing = new ArrayList<>();
            for (Map.Entry<String, Known> e : known.entrySet()) {
                Known k = e.getValue();
                if (seen.containsKey(e.getKey()) || k.state() != RegistrationState.REGISTERED) {
                    continue;
                }
                if (k.absentSince() == null) {
                    missing.add(k.id());
                } else if (!event.takenAt().isBefore(k.absentSince().plus(cancelAfter))) {
                    updateState(c, k.id(), RegistrationState.CANCELLED);
                    changes.add(changeFromRow(c, k.id(), event, RegistrationState.REGISTERED));
                    changedIds.add(k.id());
                    changed++;
                }
            }
            // not before the row's last change: a listing asked for before the bridge registered someone cannot show them
            ids(c, "UPDATE registration SET absent_since = greatest(?, updated_at) WHERE id = ANY (?)", missing, event.takenAt());
        }
        outbox(c, changes, changedIds);
        return new Outcome(created, changed, changes);
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

    private static void saveEvent(Connection c, EventSnapshot e) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                INSERT INTO event (product, event_key, title, starts_at, ends_at, sessions, updated_at)
                VALUES (?, ?, ?, ?, ?, ?::jsonb, now())
                ON CONFLICT (product, event_key) DO UPDATE SET title = EXCLUDED.title, starts_at = EXCLUDED.starts_at,
                  ends_at = EXCLUDED.ends_at, sessions = EXCLUDED.sessions, updated_at = now(),
                  settled_at = CASE WHEN event.ends_at IS DISTINCT FROM EXCLUDED.ends_at THEN NULL ELSE event.settled_at END
                WHERE (event.title, event.starts_at, event.ends_at, event.sessions)
                  IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.starts_at, EXCLUDED.ends_at, EXCLUDED.sessions)
                """)) {
            st.setString(1, e.product());
            st.setString(2, e.eventKey());
            st.setString(3, e.title());
            st.setTimestamp(4, ts(e.startsAt()));
            st.setTimestamp(5, ts(e.endsAt()));
            st.setString(6, json(e.sessions().stream().map(s -> Map.of("sessionKey", s.key(),
                    "startTime", s.start().toString(), "endTime", s.end().toString())).toList()));
            st.executeUpdate();
        }
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

    /** {@link KnownEvents} from the event table. */
    public List<EventSource.EventRef> unsettled(String product, Instant from, Instant to) {
        List<EventSource.EventRef> events = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT event_key, title, starts_at, ends_at FROM event
                WHERE product = ? AND settled_at IS NULL AND ends_at >= ? AND starts_at <= ? ORDER BY starts_at
                """)) {
            st.setString(1, product);
            st.setTimestamp(2, Timestamp.from(from));
            st.setTimestamp(3, Timestamp.from(to));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    events.add(new EventSource.EventRef(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                            rs.getTimestamp(4).toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the stored " + product + " events: " + e.getMessage(), e);
        }
        return events;
    }

    /** The event's stored registrations (only {@code email}'s when given), locked until the transaction ends. */
    private static Map<String, Known> known(Connection c, EventSnapshot e, String email) throws SQLException {
        Map<String, Known> known = new HashMap<>();
        try (PreparedStatement st = c.prepareStatement("""
                SELECT id, lower(email), state, minutes_attended, seconds_by_session, registrant_key, join_url, absent_since
                FROM registration WHERE product = ? AND event_key = ? AND (?::text IS NULL OR lower(email) = ?) FOR UPDATE
                """)) {
            st.setString(1, e.product());
            st.setString(2, e.eventKey());
            st.setString(3, email);
            st.setString(4, email);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Timestamp absent = rs.getTimestamp(8);
                    known.put(rs.getString(2), new Known(rs.getLong(1), RegistrationState.of(rs.getString(3)), rs.getInt(4),
                            read(rs.getString(5)), rs.getString(6), rs.getString(7), absent == null ? null : absent.toInstant()));
                }
            }
        }
        return known;
    }

    private static final String INSERT = """
            INSERT INTO registration (id, product, event_key, email, first_name, last_name, registrant_key, state, join_url,
              minutes_attended, seconds_by_session)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
            """;

    private static final String UPDATE = """
            UPDATE registration SET state = ?, minutes_attended = ?, seconds_by_session = ?::jsonb, registrant_key = ?,
              join_url = ?, first_name = coalesce(first_name, ?), last_name = coalesce(last_name, ?), updated_at = now()
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

    private static void addInsert(PreparedStatement st, long id, EventSnapshot e, Participant p, RegistrationState state,
                                  int minutes) throws SQLException {
        st.setLong(1, id);
        st.setString(2, e.product());
        st.setString(3, e.eventKey());
        st.setString(4, p.email());
        st.setString(5, p.firstName());
        st.setString(6, p.lastName());
        st.setString(7, p.registrantKey());
        st.setString(8, state.label());
        st.setString(9, p.joinUrl());
        st.setInt(10, minutes);
        st.setString(11, json(p.secondsBySession()));
        st.addBatch();
    }

    private static void addUpdate(PreparedStatement st, long id, Participant p, String registrantKey, String joinUrl,
                                  RegistrationState state, int minutes) throws SQLException {
        st.setString(1, state.label());
        st.setInt(2, minutes);
        st.setString(3, json(p.secondsBySession()));
        st.setString(4, registrantKey);
        st.setString(5, joinUrl);
        st.setString(6, p.firstName());
        st.setString(7, p.lastName());
        st.setLong(8, id);
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

    private static void updateState(Connection c, long id, RegistrationState state) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "UPDATE registration SET state = ?, absent_since = NULL, updated_at = now() WHERE id = ?")) {
            st.setString(1, state.label());
            st.setLong(2, id);
            st.executeUpdate();
        }
    }

    private static Map<String, Object> changeFromRow(Connection c, long id, EventSnapshot e, RegistrationState previous)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                SELECT email, first_name, last_name, registrant_key, join_url, state, minutes_attended, seconds_by_session
                FROM registration WHERE id = ?
                """)) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return change(e, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        RegistrationState.of(rs.getString(6)), previous, rs.getInt(7), read(rs.getString(8)));
            }
        }
    }

    /** The change as the push to Mautic needs it, complete in itself so the push never reads other tables. */
    private static Map<String, Object> change(EventSnapshot e, String email, String firstName,
                               String lastName, String registrantKey, String joinUrl, RegistrationState state,
                               RegistrationState previous, int minutes, Map<String, Long> seconds) throws SQLException {
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("product", e.product());
        change.put("eventKey", e.eventKey());
        change.put("title", e.title());
        change.put("date", e.startsAt() == null ? null : e.startsAt().atOffset(ZoneOffset.UTC).toLocalDate().toString());
        change.put("email", email.toLowerCase(Locale.ROOT));
        change.put("firstName", firstName);
        change.put("lastName", lastName);
        change.put("registrantKey", registrantKey);
        change.put("joinUrl", joinUrl);
        change.put("state", state.label());
        change.put("previous", previous == null ? null : previous.label());
        change.put("minutes", minutes);
        change.put("secondsBySession", seconds);
        return change;
    }

    /** The changes' outbox rows, in the order the changes were found. */
    private static void outbox(Connection c, List<Map<String, Object>> changes, List<Long> registrationIds) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "INSERT INTO outbox (kind, payload, registration_id) VALUES ('registration', ?::jsonb, ?)")) {
            for (int i = 0; i < changes.size(); i++) {
                st.setString(1, json(changes.get(i)));
                st.setLong(2, registrationIds.get(i));
                st.addBatch();
            }
            st.executeBatch();
        }
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

    private static Map<String, Long> read(String json) {
        try {
            return json == null ? Map.of() : JSON.readValue(json, SECONDS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("registration.seconds_by_session is not JSON: " + e.getMessage());
        }
    }
}
