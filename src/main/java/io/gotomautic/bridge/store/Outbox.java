package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

/**
 * The queue of changes for Mautic. One drainer at a time (a transaction-scoped PostgreSQL advisory lock, so one
 * per cluster) takes the oldest rows in order; a row whose push failed for a passing reason holds back the rows after it
 * until it is due again, so Mautic sees the changes in the order they happened.
 */
public class Outbox {

    /** Arbitrary, fixed: the advisory lock that makes one drainer per database. */
    private static final long DRAIN_LOCK = 0x6f7574626f78L;

    /**
     * A pending change.
     *
     * @param detailAttemptedAt when a call that cannot be repeated safely (a UTM row, an email send) was last begun for
     *                          it; null when none was
     */
    public record Row(long id, String kind, String payload, Long registrationId, java.time.Instant detailAttemptedAt) {
        public boolean detailAttempted() {
            return detailAttemptedAt != null;
        }
    }

    /** Work done while holding the drain lock. */
    @FunctionalInterface
    public interface Drain {
        int drain(List<Row> due) throws Exception;
    }

    private final DataSource dataSource;

    public Outbox(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Hands the oldest due rows (at most {@code limit}) to {@code work} unless another drainer is at work.
     *
     * @return what {@code work} returned, or 0 when there was nothing to do or another instance drains
     */
    public int drain(int limit, Drain work) throws Exception {
        try (Connection lock = dataSource.getConnection()) {
            // the lock belongs to this transaction, which ends below whatever happens: no unlock that could fail
            // and leave the lock on a pooled connection
            lock.setAutoCommit(false);
            try {
                if (!tryLock(lock)) {
                    return 0;
                }
                List<Row> due = due(limit);
                return due.isEmpty() ? 0 : work.drain(due);
            } finally {
                end(lock);
            }
        }
    }

    private static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            st.setLong(1, DRAIN_LOCK);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Ends the lock's transaction; a connection whose transaction cannot be ended never goes back to the pool. */
    private void end(Connection lock) throws SQLException {
        try {
            lock.rollback();
            lock.setAutoCommit(true);
        } catch (SQLException e) {
            if (dataSource instanceof HikariDataSource pool) {
                pool.evictConnection(lock);
            }
            throw e;
        }
    }

    /** The oldest pending rows, but none at all while the oldest waits for its retry. */
    private List<Row> due(int limit) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT id, kind, payload::text, registration_id, detail_attempted_at, next_attempt_at <= now()
                FROM outbox WHERE status = 'pending' ORDER BY id LIMIT ?
                """)) {
            st.setInt(1, limit);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    if (rows.isEmpty() && !rs.getBoolean(6)) {
                        return rows;
                    }
                    long reg = rs.getLong(4);
                    Long registration = rs.wasNull() ? null : reg;
                    java.sql.Timestamp attempted = rs.getTimestamp(5);
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), registration,
                            attempted == null ? null : attempted.toInstant()));
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

    /** A passing failure: the row (and those after it) wait, longer after each attempt. */
    public void retryLater(long id, String error) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Queue.OUTBOX.retryLater(c, id, error);
        }
    }

    /** A failure that no retry will mend: the row leaves the queue as a dead letter with its reason. */
    public void dead(Row row, String reason) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Queue.OUTBOX.dead(c, row.id(), row.payload(), reason);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
