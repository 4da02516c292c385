package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

/**
 * The queue of changes for Mautic. One drainer at a time per cluster (a lease in {@code outbox_drainer}, freed when
 * its process dies) takes the oldest due rows in order. Order is kept per person and event ({@code order_person},
 * {@code order_event}, computed from the payload; a link email keeps order with all of its person's rows): a row whose
 * push failed for a passing reason of its own holds back the later rows of its person and event until it is due
 * again, and no one else's, so Mautic sees each person's changes in the order they happened.
 */
public class Outbox {

    private final AtomicBoolean draining = new AtomicBoolean();

    /**
     * A pending change.
     *
     * @param detailAttemptedAt when a call that cannot be repeated safely (a UTM row, an email send) was last begun for
     *                          it; null when none was
     * @param attempts          failures of its own so far
     * @param orderPerson       whose changes it keeps order with (null: no one's)
     * @param orderEvent        the event it keeps order in; null for every event of the person
     */
    public record Row(long id, String kind, String payload, Long registrationId, java.time.Instant detailAttemptedAt,
                      int attempts, String orderPerson, String orderEvent) {
        public boolean detailAttempted() {
            return detailAttemptedAt != null;
        }

        /** Whether this row is of the same person and event as {@code later}, so {@code later} must wait for it. */
        public boolean holdsBack(Row later) {
            return id <= later.id && orderPerson != null && orderPerson.equals(later.orderPerson)
                    && (orderEvent == null || later.orderEvent == null || orderEvent.equals(later.orderEvent));
        }
    }

    private final DataSource dataSource;

    public Outbox(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Takes the drainer's lease when it is free: unclaimed, claimed by a process with no connection left (it died), or
     * claimed by this process when no drain of its own is at work (the lease is then left from a drain whose release
     * failed). Claimed and released each in one statement of its own, so no transaction is open while the push calls
     * Mautic.
     */
    public boolean claim() throws SQLException {
        // one drainer in this process: a lease this process holds is its own
        if (!draining.compareAndSet(false, true)) {
            return false;
        }
        boolean claimed = false;
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                UPDATE outbox_drainer d SET claimed_by = current_setting('application_name'), claimed_at = now()
                WHERE id = 1 AND (claimed_by IS NULL OR claimed_by = current_setting('application_name')
                  OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = d.claimed_by))
                """)) {
            claimed = st.executeUpdate() == 1;
            return claimed;
        } finally {
            if (!claimed) {
                draining.set(false);
            }
        }
    }

    /** Frees the lease; when that fails (the database went away) the next claim of this process takes it back. */
    public void release() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "UPDATE outbox_drainer SET claimed_by = NULL WHERE id = 1 AND claimed_by = current_setting('application_name')")) {
            st.executeUpdate();
        } finally {
            draining.set(false);
        }
    }

    /**
     * The oldest due rows (at most {@code limit}) that no earlier row of the same person and event, waiting for its
     * retry, holds back; for the holder of the lease.
     */
    public List<Row> due(int limit) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT id, kind, payload::text, registration_id, detail_attempted_at, attempts, order_person, order_event
                FROM outbox i
                WHERE status = 'pending' AND next_attempt_at <= now()
                  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.status = 'pending' AND o.order_person = i.order_person
                    AND o.id < i.id AND o.next_attempt_at > now()
                    AND (o.order_event IS NULL OR i.order_event IS NULL OR o.order_event = i.order_event))
                ORDER BY id LIMIT ?
                """)) {
            st.setInt(1, limit);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    long reg = rs.getLong(4);
                    Long registration = rs.wasNull() ? null : reg;
                    java.sql.Timestamp attempted = rs.getTimestamp(5);
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), registration,
                            attempted == null ? null : attempted.toInstant(), rs.getInt(6), rs.getString(7), rs.getString(8)));
                }
            }
        }
        return rows;
    }

    /** Queues a change in the caller's transaction, so it is queued exactly when the state it comes from is written. */
    public static void add(Connection c, String kind, String payload) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO outbox (kind, payload) VALUES (?, ?::jsonb)")) {
            st.setString(1, kind);
            st.setString(2, payload);
            st.executeUpdate();
        }
    }

    public void delivered(List<Long> ids) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "UPDATE outbox SET status = 'delivered', delivered_at = now(), last_error = NULL WHERE id = ANY (?)")) {
            st.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            st.executeUpdate();
        }
    }

    /** Marks the start of a call Mautic cannot deduplicate, so a retry after a crash checks first. */
    public void detailAttempted(long id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "UPDATE outbox SET detail_attempted_at = now() WHERE id = ?")) {
            st.setLong(1, id);
            st.executeUpdate();
        }
    }

    /**
     * A passing failure of the row's own: the row (and the later ones of its person and event) wait, longer after each
     * attempt and at least {@code atLeast}; after {@link Queue#MAX_ATTEMPTS} it is a dead letter with the last reason.
     *
     * @return true when the row is now a dead letter
     */
    public boolean retryLater(Row row, String error, java.time.Duration atLeast) throws SQLException {
        return inTransaction(c -> Queue.OUTBOX.failed(c, row.id(), row.payload(), row.attempts(), error, atLeast));
    }

    /** A failure that no retry will mend: the row leaves the queue as a dead letter with its reason. */
    public void dead(Row row, String reason) throws SQLException {
        inTransaction(c -> {
            Queue.OUTBOX.dead(c, row.id(), row.payload(), reason);
            return true;
        });
    }

    @FunctionalInterface
    private interface Work {
        boolean run(Connection c) throws SQLException;
    }

    /** The row's bookkeeping and its dead letter, if any, commit together. */
    private boolean inTransaction(Work work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
