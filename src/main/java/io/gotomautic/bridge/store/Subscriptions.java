package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

/**
 * The subscriptions to the changes ({@code bridge:changes/<name>}): each copies every committed change of the outbox,
 * from its own position, into its own queue of deliveries, worked in order per person and event with retries and
 * dead letters ({@link Queue#SUBSCRIPTION}), so a failing subscriber holds back nobody else.
 *
 * <p>An outbox id is taken when the row is inserted, not when it commits, so a later id can commit first. Writers of
 * changes hold a shared lock until their commit ({@link #writingChanges}); a copy takes it exclusively, so when it
 * reads, every change with an id below the newest it sees has committed, and its position skips none.
 */
public class Subscriptions {

    /** Held shared by each transaction that writes changes, exclusively by a copy into the subscriptions. */
    private static final long CHANGES_LOCK = 0x6368616e676573L;
    /** How many changes one copy moves at most. */
    private static final int COPY = 1000;

    /** A change to deliver. */
    public record Delivery(long id, String payload, int attempts, String orderPerson, String orderEvent) {
        /** Whether this delivery is of the same person and event as {@code later}, so {@code later} must wait for it. */
        public boolean holdsBack(Delivery later) {
            return orderPerson != null && orderPerson.equals(later.orderPerson) && java.util.Objects.equals(orderEvent, later.orderEvent);
        }
    }

    private final DataSource dataSource;

    public Subscriptions(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** In a transaction about to write changes to the outbox: a copy into the subscriptions waits for its commit. */
    public static void writingChanges(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT pg_advisory_xact_lock_shared(?)")) {
            st.setLong(1, CHANGES_LOCK);
            st.execute();
        }
    }

    /** Its changes still to deliver: those committed since its position, and those copied and not delivered yet. */
    static final String BEHIND = """
            (SELECT count(*) FROM outbox o WHERE o.kind = 'registration' AND o.id > s.position)
              + (SELECT count(*) FROM subscription_delivery d WHERE d.subscription = s.name AND d.status = 'pending')
            """;

    /** The subscription's changes still to deliver; 0 before its first poll. */
    public long behind(String name) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement st = c.prepareStatement("SELECT " + BEHIND + " FROM subscription s WHERE s.name = ?")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** The subscription's dead letters: changes it gave up on, until {@code replay}. */
    public long dead(String name) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT count(*) FROM subscription_delivery WHERE subscription = ? AND status = 'dead'")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Runs {@code work} while this instance alone delivers the subscription's changes; 0 when another one does. */
    public int exclusively(String name, Exclusive.Work work) throws Exception {
        return Exclusive.run(dataSource, "subscription:" + name, work);
    }

    /**
     * Copies the changes committed since the subscription's position into its deliveries. A subscription seen for the
     * first time starts after the newest change, or before every retained one when {@code fromBeginning}.
     *
     * @return how many were copied
     */
    public int copy(String name, boolean fromBeginning) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                    lock.setLong(1, CHANGES_LOCK);
                    lock.execute();
                }
                try (PreparedStatement st = c.prepareStatement("""
                        INSERT INTO subscription (name, position)
                        SELECT ?, CASE WHEN ? THEN 0 ELSE coalesce(max(id), 0) END FROM outbox
                        ON CONFLICT (name) DO UPDATE SET seen_at = now()
                        """)) {
                    st.setString(1, name);
                    st.setBoolean(2, fromBeginning);
                    st.executeUpdate();
                }
                int copied;
                try (PreparedStatement st = c.prepareStatement("""
                        INSERT INTO subscription_delivery (subscription, outbox_id, payload)
                        SELECT ?, o.id, o.payload FROM outbox o
                        WHERE o.kind = 'registration' AND o.id > (SELECT position FROM subscription WHERE name = ?)
                        ORDER BY o.id LIMIT ?
                        ON CONFLICT DO NOTHING
                        """)) {
                    st.setString(1, name);
                    st.setString(2, name);
                    st.setInt(3, COPY);
                    copied = st.executeUpdate();
                }
                try (PreparedStatement st = c.prepareStatement("""
                        UPDATE subscription SET position = greatest(position,
                          coalesce((SELECT max(outbox_id) FROM subscription_delivery WHERE subscription = ?), 0))
                        WHERE name = ?
                        """)) {
                    st.setString(1, name);
                    st.setString(2, name);
                    st.executeUpdate();
                }
                c.commit();
                return copied;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The subscription's oldest due deliveries that no earlier one of the same person and event, waiting for its retry, holds back. */
    public List<Delivery> due(String name, int limit) throws SQLException {
        List<Delivery> due = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT id, payload::text, attempts, order_person, order_event FROM subscription_delivery d
                WHERE subscription = ? AND status = 'pending' AND next_attempt_at <= now()
                  AND NOT EXISTS (SELECT 1 FROM subscription_delivery o WHERE o.subscription = d.subscription
                    AND o.status = 'pending' AND o.order_person = d.order_person AND o.order_event = d.order_event
                    AND o.id < d.id AND o.next_attempt_at > now())
                ORDER BY id LIMIT ?
                """)) {
            st.setString(1, name);
            st.setInt(2, limit);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    due.add(new Delivery(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5)));
                }
            }
        }
        return due;
    }

    public void delivered(Delivery d) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement st = c.prepareStatement("UPDATE subscription_delivery SET status = 'done', done_at = now() WHERE id = ?")) {
            st.setLong(1, d.id());
            st.executeUpdate();
        }
    }

    /**
     * The subscriber failed on {@code d}: it comes again later, or is a dead letter (replayed by {@code replay}) after
     * {@link Queue#MAX_ATTEMPTS}.
     *
     * @return true when it is now a dead letter
     */
    public boolean failed(String name, Delivery d, String error) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean dead = Queue.SUBSCRIPTION.failed(c, d.id(), d.payload(), d.attempts(), "subscription " + name + ": " + error,
                        Duration.ZERO);
                c.commit();
                return dead;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
