package io.gotomautic.bridge.gotoapi;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.sql.DataSource;

import io.gotomautic.bridge.config.RateLimit;

/**
 * The rate limits of one GoTo connection, shared by every thread and every instance through PostgreSQL: a
 * sliding log of the calls in the longest period, so no window of any limit's length ever holds more than that
 * limit (e.g. 100 per minute and, as GoTo itself counts, 10 per second), and a pause that a 429 puts on every
 * caller. Callers block in {@link #acquire()} until they may call.
 */
public class RateLimiter {

    /**
     * GoTo counts a call when it arrives, this limiter when it leaves; network and scheduling delay differ from call
     * to call, so each window is kept this much longer than its period, or a call leaving just after a window
     * opens could land in GoTo's previous one.
     */
    static final Duration ARRIVAL_SLACK = Duration.ofMillis(100);

    private final DataSource dataSource;
    private final String connection;
    private final List<RateLimit> limits;
    private final Duration longest;

    public RateLimiter(DataSource dataSource, String connection, RateLimit... limits) {
        this.dataSource = dataSource;
        this.connection = connection;
        this.limits = List.of(limits);
        this.longest = this.limits.stream().map(RateLimit::period).max(Duration::compareTo).orElseThrow();
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
        // the log of calls need not survive a crash of the database (a restart waits out no window it forgot, at
        // worst one 429 and its pause), so its commit does not wait for the disk: one flush less per GoTo call
        try (PreparedStatement async = c.prepareStatement("SET LOCAL synchronous_commit TO off")) {
            async.execute();
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
        try (PreparedStatement st = c.prepareStatement("DELETE FROM goto_call WHERE connection = ? AND called_at <= ?")) {
            st.setString(1, connection);
            st.setTimestamp(2, Timestamp.from(now.minus(longest).minus(ARRIVAL_SLACK)));
            st.executeUpdate();
        }
        Duration wait = Duration.ZERO;
        for (RateLimit limit : limits) {
            // the calls in this limit's window: when they are as many as it allows, wait for the oldest to leave it
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT called_at FROM goto_call WHERE connection = ? AND called_at > ? ORDER BY called_at DESC OFFSET ? LIMIT 1")) {
                st.setString(1, connection);
                Duration window = limit.period().plus(ARRIVAL_SLACK);
                st.setTimestamp(2, Timestamp.from(now.minus(window)));
                st.setInt(3, limit.calls() - 1);
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) {
                        Duration w = Duration.between(now, rs.getTimestamp(1).toInstant().plus(window)).plusMillis(1);
                        wait = w.compareTo(wait) > 0 ? w : wait;
                    }
                }
            }
        }
        if (!wait.isZero()) {
            return wait;
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

    public List<RateLimit> limits() {
        return limits;
    }

    /** The database's clock, so instances with skewed clocks still share one window. */
    private static Instant now(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT clock_timestamp()"); ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }
}
