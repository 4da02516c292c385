package io.gotomautic.bridge.mautic;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The managed segments: one per event and state, whatever its name, stored in {@code mautic_segment} with its Mautic id
 * and the name it has there. Names come from bridge.mautic.segment-name; when the template or the event changes, the
 * segment is renamed in Mautic rather than orphaned.
 */
public class Segments {

    private static final Logger LOG = LoggerFactory.getLogger(Segments.class);

    /** A managed segment: the one of this event and state. */
    public record Key(String product, String event, String state) {
    }

    /** A managed segment's id in Mautic and the name it has there. */
    private record Known(long id, String name) {
    }

    /** A segment whose name the template now gives differently. */
    public record Rename(Key key, long id, String from, String name) {
    }

    /** The renames one look at the events asks for, up to the events' last change it saw. */
    public record Renames(List<Rename> list, Timestamp upTo) {
    }

    /**
     * A segment a batch adds contacts to, with the name it should have.
     *
     * @param id      its Mautic id when stored, null when the event has no segment of this state yet
     * @param current the name it has in Mautic (null with {@code id})
     */
    public record Addition(Key key, Long id, String current, String name, Set<Long> contacts) {
        public boolean renamed() {
            return id != null && !name.equals(current);
        }

        public Rename rename() {
            return new Rename(key, id, current, name);
        }
    }

    /** A contact a batch takes out of a segment its state left. */
    public record Removal(Key key, long id, long contactId) {
    }

    private final DataSource dataSource;
    private final Naming naming;
    private final Map<Key, Known> known = new HashMap<>();
    /**
     * The stored segments have the template's names for every event changed up to this (null: not yet since start,
     * when the template may have changed).
     */
    private Timestamp namesCheckedUpTo;

    public Segments(DataSource dataSource, Naming naming) {
        this.dataSource = dataSource;
        this.naming = naming;
    }

    /**
     * The stored segments whose name the template gives differently now: all of them once after start (the template
     * may have changed), then those of events changed since (renamed or moved in GoTo), so Mautic shows a new name
     * without waiting for the event's next registration.
     */
    public synchronized Renames renames() throws SQLException {
        List<Rename> wanted = new ArrayList<>();
        Timestamp upTo = namesCheckedUpTo;
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT s.product, s.event_key, s.state, s.segment_id, s.name, e.title, e.starts_at, e.updated_at
                FROM mautic_segment s JOIN event e ON e.product = s.product AND e.event_key = s.event_key
                WHERE ?::timestamptz IS NULL OR e.updated_at > ?
                """)) {
            st.setTimestamp(1, upTo);
            st.setTimestamp(2, upTo);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    if (upTo == null || rs.getTimestamp(8).after(upTo)) {
                        upTo = rs.getTimestamp(8);
                    }
                    Key key = new Key(rs.getString(1), rs.getString(2), rs.getString(3));
                    String name = naming.segment(new Naming.Event(key.product(), key.event(), rs.getString(6),
                            rs.getTimestamp(7) == null ? null : rs.getTimestamp(7).toInstant().toString()), key.state());
                    known.put(key, new Known(rs.getLong(4), rs.getString(5)));
                    if (!name.equals(rs.getString(5))) {
                        wanted.add(new Rename(key, rs.getLong(4), rs.getString(5), name));
                    }
                }
            }
            if (upTo == null) {
                // no segment yet: events changed from now on are what the next look sees
                try (PreparedStatement now = c.prepareStatement("SELECT now()"); ResultSet t = now.executeQuery()) {
                    t.next();
                    upTo = t.getTimestamp(1);
                }
            }
        }
        return new Renames(wanted, upTo);
    }

    /** Every rename of the look is done (or its segment found deleted): the next look starts after it. */
    public synchronized void named(Renames renames) {
        namesCheckedUpTo = renames.upTo();
    }

    public void renamed(Rename rename) throws SQLException {
        LOG.info("Renamed Mautic segment {} from \"{}\" to \"{}\"", rename.id(), rename.from(), rename.name());
        store(rename.key(), rename.id(), rename.name());
    }

    /** The segment the batch needs, made in Mautic just now (or taken over there by its name). */
    public long created(Addition addition, long id) throws SQLException {
        LOG.info("Mautic segment \"{}\" ({}) holds {} {} from now on", addition.name(), id, addition.key().event(),
                addition.key().state());
        store(addition.key(), id, addition.name());
        return id;
    }

    /**
     * Mautic answered 404 for a managed segment (deleted by hand): the bridge forgets it, and the event's next push
     * creates it again.
     */
    public void gone(Key key) throws SQLException {
        synchronized (this) {
            known.remove(key);
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "DELETE FROM mautic_segment WHERE product = ? AND event_key = ? AND state = ?")) {
            st.setString(1, key.product());
            st.setString(2, key.event());
            st.setString(3, key.state());
            st.executeUpdate();
        }
        LOG.warn("Mautic has no segment for {} {} {} any more (deleted by hand?); it is created again", key.product(),
                key.event(), key.state());
    }

    /**
     * A call of a batch found the segment deleted: forgotten, and the batch waits for the next drain, which makes the
     * segment again.
     */
    public void lost(Key key) throws SQLException {
        gone(key);
        throw new MauticException(404, "Mautic has no segment for " + key.product() + " " + key.event() + " " + key.state()
                + " any more (deleted by hand?); it is created again", true, null, null);
    }

    /** The segment a batch adds contacts to: the one stored for the key, else one stored by its name before V19. */
    Addition addition(Key key, Naming.Event event, String legacyName, Set<Long> contacts) throws SQLException {
        String name = naming.segment(event, key.state());
        Known k = known(key, legacyName);
        return k == null ? new Addition(key, null, null, name, contacts) : new Addition(key, k.id(), k.name(), name, contacts);
    }

    /** The stored segment of the key, or null when the state has none. */
    Long id(Key key) throws SQLException {
        Known k = known(key, null);
        return k == null ? null : k.id();
    }

    /**
     * The segment of this event and state as stored; with {@code legacyName}, one stored before segments were kept by
     * event (by its old name, also the default template's) is taken over. Null when there is none.
     */
    private synchronized Known known(Key key, String legacyName) throws SQLException {
        Known k = known.get(key);
        if (k != null) {
            return k;
        }
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT segment_id, name FROM mautic_segment WHERE product = ? AND event_key = ? AND state = ?")) {
                st.setString(1, key.product());
                st.setString(2, key.event());
                st.setString(3, key.state());
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) {
                        k = new Known(rs.getLong(1), rs.getString(2));
                    }
                }
            }
            if (k == null && legacyName != null) {
                try (PreparedStatement st = c.prepareStatement("""
                        UPDATE mautic_segment SET product = ?, event_key = ?, state = ?
                        WHERE ctid = (SELECT ctid FROM mautic_segment WHERE name = ? AND product IS NULL LIMIT 1)
                        RETURNING segment_id, name
                        """)) {
                    st.setString(1, key.product());
                    st.setString(2, key.event());
                    st.setString(3, key.state());
                    st.setString(4, legacyName);
                    try (ResultSet rs = st.executeQuery()) {
                        if (rs.next()) {
                            k = new Known(rs.getLong(1), rs.getString(2));
                        }
                    }
                }
            }
        }
        if (k != null) {
            known.put(key, k);
        }
        return k;
    }

    private void store(Key key, long id, String name) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                INSERT INTO mautic_segment (product, event_key, state, name, segment_id) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (product, event_key, state) DO UPDATE SET name = EXCLUDED.name, segment_id = EXCLUDED.segment_id
                """)) {
            st.setString(1, key.product());
            st.setString(2, key.event());
            st.setString(3, key.state());
            st.setString(4, name);
            st.setLong(5, id);
            st.executeUpdate();
        }
        synchronized (this) {
            known.put(key, new Known(id, name));
        }
    }
}
