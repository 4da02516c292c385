package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The bookkeeping the inbox, the outbox and the subscriptions' deliveries share, in the caller's transaction: a row whose work failed for a passing
 * reason waits longer after each attempt, {@link #MAX_ATTEMPTS} at most; one no retry can mend leaves its queue as a
 * dead letter with its reason, and replaying the dead letter puts it back, due now.
 */
public enum Queue {
    INBOX("inbox", "10 minutes", "about 40 minutes",
            "SELECT e.account FROM inbox i JOIN event e ON i.order_event = e.product || ':' || e.event_key WHERE i.id = ?"),
    OUTBOX("outbox", "5 minutes", "about 25 minutes", "SELECT payload->>'account' FROM outbox WHERE id = ?"),
    /** Each subscription's deliveries of changes ({@link Subscriptions}). */
    SUBSCRIPTION("subscription_delivery", "5 minutes", "about 25 minutes",
            "SELECT payload->>'account' FROM subscription_delivery WHERE id = ?");

    /**
     * Attempts of a row that keeps failing for a passing reason of its own before it becomes a dead letter, so one row
     * cannot hold back those after it for ever. A failure that is not the row's (the service down, a setting) is not
     * counted.
     */
    public static final int MAX_ATTEMPTS = 12;

    private final String table;
    private final String longestWait;
    /** How long {@link #MAX_ATTEMPTS} attempts take, for the dead letter's reason. */
    private final String allAttempts;
    /** The GoTo account a row's work is for, by its id: the dead letter says it. */
    private final String account;

    Queue(String table, String longestWait, String allAttempts, String account) {
        this.table = table;
        this.longestWait = longestWait;
        this.allAttempts = allAttempts;
        this.account = account;
    }

    /**
     * A passing failure of the row's own after {@code attempts} earlier ones: it is tried again later (after 2 s,
     * doubling with each attempt up to the queue's longest wait, and never before {@code atLeast}: what the service
     * asked for), or it becomes a dead letter with the last reason once this was its last attempt.
     *
     * @return true when the row is now a dead letter
     */
    public boolean failed(Connection c, long id, String payload, int attempts, String error, Duration atLeast)
            throws SQLException {
        if (attempts + 1 >= MAX_ATTEMPTS) {
            dead(c, id, payload, "gave up after " + MAX_ATTEMPTS + " attempts over " + allAttempts + ": " + error);
            return true;
        }
        try (PreparedStatement st = c.prepareStatement("UPDATE " + table + " SET attempts = attempts + 1, last_error = ?,"
                + " next_attempt_at = now() + greatest(interval '1 millisecond' * ?,"
                + " least(interval '" + longestWait + "', interval '2 seconds' * power(2, attempts)))"
                + " WHERE id = ?")) {
            st.setString(1, error);
            st.setLong(2, atLeast.toMillis());
            st.setLong(3, id);
            st.executeUpdate();
        }
        return false;
    }

    public void dead(Connection c, long id, String payload, String reason) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE " + table + " SET status = 'dead', last_error = ? WHERE id = ?");
             PreparedStatement dl = c.prepareStatement(
                     "INSERT INTO dead_letter (source, reference, payload, reason, account) VALUES (?, ?, ?, ?, (" + account + "))")) {
            st.setString(1, reason);
            st.setLong(2, id);
            st.executeUpdate();
            dl.setString(1, table);
            dl.setString(2, table + "#" + id);
            dl.setString(3, payload);
            dl.setString(4, reason);
            dl.setLong(5, id);
            dl.executeUpdate();
        }
    }

    /** A dead row back in the queue, due now; false when the row is not dead (or gone). */
    boolean revive(Connection c, long id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE " + table
                + " SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL WHERE id = ? AND status = 'dead'")) {
            st.setLong(1, id);
            return st.executeUpdate() == 1;
        }
    }

    /** The queue a dead letter's reference ({@code inbox#12}) points into. */
    static Queue of(String reference) {
        for (Queue q : values()) {
            if (reference.startsWith(q.table + "#")) {
                return q;
            }
        }
        throw new IllegalArgumentException("no queue for the dead letter of " + reference);
    }
}
