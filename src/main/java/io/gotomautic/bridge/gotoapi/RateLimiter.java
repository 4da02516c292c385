package io.gotomautic.bridge.gotoapi;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
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
    /** Of a limiter that writes nothing: its own calls and pause, kept here on top of the shared ones it reads. */
    private final Own own;

    private static final class Own {
        final Deque<Instant> calls = new ArrayDeque<>();
        Instant pausedUntil = Instant.MIN;
    }

    public RateLimiter(DataSource dataSource, String connection, RateLimit... limits) {
        this(dataSource, connection, null, limits);
    }

    private RateLimiter(DataSource dataSource, String connection, Own own, RateLimit... limits) {
        this.dataSource = dataSource;
        this.connection = connection;
        this.own = own;
        this.limits = List.of(limits);
        this.longest = this.limits.stream().map(RateLimit::period).max(Duration::compareTo).orElseThrow();
    }

    /**
     * A limiter for a dry run: it respects the calls and pauses the instances have logged, but keeps its own in
     * memory, so it writes nothing (the instances do not see its calls: a dry run beside a busy service may
     * earn one 429, which pauses only the dry run).
     */
    public static RateLimiter readOnly(DataSource dataSource, String connection, RateLimit... limits) {
        return new RateLimiter(dataSource, connection, new Own(), limits);
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

    /** Counts up to {@code most} calls that fit now, without waiting; returns how many were counted. */
    public int tryTake(int most) {
        int taken = 0;
        while (taken < most && tryAcquire().isZero()) {
            taken++;
        }
        return taken;
    }

    /** Zero when the call was counted; else how long to wait before trying again. */
    Duration tryAcquire() {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Duration wait;
                if (own == null) {
                    wait = tryAcquire(c);
                } else {
                    synchronized (own) {
                        wait = tryAcquire(c);
                    }
                }
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
        if (own == null) {
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
        }
        Instant now = now(c);
        Instant paused = own == null ? Instant.MIN : own.pausedUntil;
        try (PreparedStatement st = c.prepareStatement("SELECT paused_until FROM goto_pause WHERE connection = ?")) {
            st.setString(1, connection);
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next() && rs.getTimestamp(1).toInstant().isAfter(paused)) {
                    paused = rs.getTimestamp(1).toInstant();
                }
            }
        }
        if (paused.isAfter(now)) {
            return Duration.between(now, paused);
        }
        Instant forgotten = now.minus(longest).minus(ARRIVAL_SLACK);
        if (own == null) {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM goto_call WHERE connection = ? AND called_at <= ?")) {
                st.setString(1, connection);
                st.setTimestamp(2, Timestamp.from(forgotten));
                st.executeUpdate();
            }
        } else {
            own.calls.removeIf(t -> !t.isAfter(forgotten));
        }
        List<Instant> calls = recentCalls(c, forgotten);
        Duration wait = Duration.ZERO;
        for (RateLimit limit : limits) {
            // the calls in this limit's window: when they are as many as it allows, wait for the oldest to leave it
            Duration window = limit.period().plus(ARRIVAL_SLACK);
            if (calls.size() >= limit.calls() && calls.get(limit.calls() - 1).isAfter(now.minus(window))) {
                Duration w = Duration.between(now, calls.get(limit.calls() - 1).plus(window)).plusMillis(1);
                wait = w.compareTo(wait) > 0 ? w : wait;
            }
        }
        if (!wait.isZero()) {
            return wait;
        }
        if (own == null) {
            // the call in the window, and in its minute's count for the console's chart, in one statement
            try (PreparedStatement st = c.prepareStatement("""
                    WITH logged AS (INSERT INTO goto_call (connection, called_at) VALUES (?, ?))
                    INSERT INTO goto_call_minute (connection, minute, calls) VALUES (?, date_trunc('minute', ?::timestamptz), 1)
                    ON CONFLICT (connection, minute) DO UPDATE SET calls = goto_call_minute.calls + 1
                    """)) {
                st.setString(1, connection);
                st.setTimestamp(2, Timestamp.from(now));
                st.setString(3, connection);
                st.setTimestamp(4, Timestamp.from(now));
                st.executeUpdate();
            }
        } else {
            own.calls.add(now);
        }
        return Duration.ZERO;
    }

    /** The calls of the longest window, newest first: the logged ones, and a read-only limiter's own. */
    private List<Instant> recentCalls(Connection c, Instant after) throws SQLException {
        int most = limits.stream().mapToInt(RateLimit::calls).max().orElseThrow();
        List<Instant> calls = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(
                "SELECT called_at FROM goto_call WHERE connection = ? AND called_at > ? ORDER BY called_at DESC LIMIT ?")) {
            st.setString(1, connection);
            st.setTimestamp(2, Timestamp.from(after));
            st.setInt(3, most);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    calls.add(rs.getTimestamp(1).toInstant());
                }
            }
        }
        if (own != null) {
            calls.addAll(own.calls);
            calls.sort(Comparator.reverseOrder());
        }
        return calls;
    }

    /** GoTo answered 429: nobody on this connection calls again before the pause is over. */
    public void pause(Duration pause) {
        if (own != null) {
            try (Connection c = dataSource.getConnection()) {
                Instant until = now(c).plus(pause);
                synchronized (own) {
                    own.pausedUntil = until.isAfter(own.pausedUntil) ? until : own.pausedUntil;
                }
                return;
            } catch (SQLException e) {
                throw new IllegalStateException("rate limiter of GoTo connection " + connection + ": " + e.getMessage(), e);
            }
        }
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
