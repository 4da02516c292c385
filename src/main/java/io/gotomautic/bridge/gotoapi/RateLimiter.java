package io.gotomautic.bridge.gotoapi;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

import javax.sql.DataSource;

import io.gotomautic.bridge.config.RateLimit;

/**
 * The rate limit of one GoTo connection, shared by every thread and every instance through PostgreSQL: a
 * sliding log of the calls in the last period, so no window of that length ever holds more than the limit,
 * and a pause that a 429 puts on every caller. Callers block in {@link #acquire()} until they may call.
 */
public class RateLimiter {

    private final DataSource dataSource;
    private final String connection;
    private final RateLimit limit;

    public RateLimiter(DataSource dataSource, String connection, RateLimit limit) {
        this.dataSource = dataSource;
        this.connection = connection;
        this.limit = limit;
    }

    /** Blocks until one more call fits in the window, and counts it. */
    public void acquire() throws InterruptedException {
        while (true) {
            Duration wait = tryAcquire();
            if (wait.isZero()) {
                return;
            }
            Thread.sleep(Math.max(1, wait.toMillis()));
        }
    }

    /** Zero when the call was counted; else how long to wait before trying again. */
    Duration tryAcquire() {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Duration wait = tryAcquire(c);
                c.commit();
                return wait;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("rate limiter of GoTo connection " + connection + ": " + e.getMessage(), e);
        }
    }

    private Duration tryAcquire(Connection c) throws SQLException {
        // one caller at a time per connection, across instances; released at commit
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            lock.setString(1, "goto-rate:" + connection);
            lock.execute();
        }
        Instant now = now(c);
        try (PreparedStatement st = c.prepareStatement("SELECT paused_until FROM goto_pause WHERE connection = ?")) {
            st.setString(1, connection);
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next()) {
                    Instant until = rs.getTimestamp(1).toInstant();
                    if (until.isAfter(now)) {
                        return Duration.between(now, until);
                    }
                }
            }
        }
        Instant windowStart = now.minus(limit.period());
        try (PreparedStatement st = c.prepareStatement("DELETE FROM goto_call WHERE connection = ? AND called_at <= ?")) {
            st.setString(1, connection);
            st.setTimestamp(2, Timestamp.from(windowStart));
            st.executeUpdate();
        }
        try (PreparedStatement st = c.prepareStatement(
                "SELECT count(*), min(called_at) FROM goto_call WHERE connection = ?")) {
            st.setString(1, connection);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                if (rs.getInt(1) >= limit.calls()) {
                    Instant oldest = rs.getTimestamp(2).toInstant();
                    return Duration.between(now, oldest.plus(limit.period())).plusMillis(1);
                }
            }
        }
        try (PreparedStatement st = c.prepareStatement("INSERT INTO goto_call (connection, called_at) VALUES (?, ?)")) {
            st.setString(1, connection);
            st.setTimestamp(2, Timestamp.from(now));
            st.executeUpdate();
        }
        return Duration.ZERO;
    }

    /** GoTo answered 429: nobody on this connection calls again before the pause is over. */
    public void pause(Duration pause) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement st = c.prepareStatement("""
                     INSERT INTO goto_pause (connection, paused_until) VALUES (?, clock_timestamp() + ?::interval)
                     ON CONFLICT (connection) DO UPDATE SET paused_until = GREATEST(goto_pause.paused_until, EXCLUDED.paused_until)
                     """)) {
            st.setString(1, connection);
            st.setString(2, pause.toMillis() + " milliseconds");
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("rate limiter of GoTo connection " + connection + ": " + e.getMessage(), e);
        }
    }

    public RateLimit limit() {
        return limit;
    }

    /** The database's clock, so instances with skewed clocks still share one window. */
    private static Instant now(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT clock_timestamp()"); ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }
}
