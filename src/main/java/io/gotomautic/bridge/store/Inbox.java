package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

/**
 * Inbound requests, stored before they are acknowledged; a second copy of one (same key) is not stored again. One
 * that asks for nothing (most contact saves Mautic sends, the echoes of the bridge's own writes among them) is
 * stored as already done, so it never waits in the queue ahead of real work.
 */
public class Inbox {

    /**
     * One request to store: its key tells a redelivery, {@code work} is false for one that asks for nothing, and
     * {@code delay} is how long it waits before it is due.
     */
    public record Entry(String key, String payload, boolean work, Duration delay) {
        public Entry(String key, String payload, boolean work) {
            this(key, payload, work, Duration.ZERO);
        }
    }

    private final DataSource dataSource;

    public Inbox(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores every entry of one delivery in one transaction: all of them or, when anything fails, none, so the
     * caller's error answer is true and a redelivery stores the whole delivery.
     *
     * @return how many were new (the others were stored before: a redelivery)
     */
    public int storeAll(String source, List<Entry> entries) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int stored = 0;
                for (Entry e : entries) {
                    stored += insert(c, source, e) ? 1 : 0;
                }
                c.commit();
                return stored;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Stores the entry unless the same one came within {@code window}: a repeat within it is a retry of the
     * sender's, a repeat after it a new request. The earlier row keeps its history under a key of its own, and the
     * unique key still decides between two repeats that arrive together.
     *
     * @return false when it is a retry within the window
     */
    public boolean storeUnlessWithin(String source, Entry entry, Duration window) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement("""
                    UPDATE inbox SET delivery_key = delivery_key || '@' || id
                    WHERE source = ? AND delivery_key = ? AND received_at <= now() - make_interval(secs => ?)
                    """)) {
                st.setString(1, source);
                st.setString(2, entry.key());
                st.setDouble(3, window.toMillis() / 1000.0);
                st.executeUpdate();
                boolean stored = insert(c, source, entry);
                c.commit();
                return stored;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static boolean insert(Connection c, String source, Entry e) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                INSERT INTO inbox (source, delivery_key, payload, status, done_at, next_attempt_at)
                VALUES (?, ?, ?, ?, CASE WHEN ? THEN NULL ELSE now() END, now() + make_interval(secs => ?)) ON CONFLICT DO NOTHING
                """)) {
            st.setString(1, source);
            st.setString(2, e.key());
            st.setString(3, e.payload());
            st.setString(4, e.work() ? "pending" : "done");
            st.setBoolean(5, e.work());
            st.setDouble(6, e.delay().toMillis() / 1000.0);
            return st.executeUpdate() == 1;
        }
    }
}
