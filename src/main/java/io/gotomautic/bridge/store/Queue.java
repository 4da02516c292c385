package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The bookkeeping the inbox and the outbox share, in the caller's transaction: a row whose work failed for a passing
 * reason waits longer after each attempt; one no retry can mend leaves its queue as a dead letter with its reason,
 * and replaying the dead letter puts it back, due now.
 */
public enum Queue {
    INBOX("inbox", "10 minutes"),
    OUTBOX("outbox", "5 minutes");

    private final String table;
    private final String longestWait;

    Queue(String table, String longestWait) {
        this.table = table;
        this.longestWait = longestWait;
    }

    /** The row is tried again after 2 s, doubling with each attempt up to the queue's longest wait. */
    public void retryLater(Connection c, long id, String error) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE " + table + " SET attempts = attempts + 1, last_error = ?,"
                + " next_attempt_at = now() + least(interval '" + longestWait + "', interval '2 seconds' * power(2, attempts))"
                + " WHERE id = ?")) {
            st.setString(1, error);
            st.setLong(2, id);
            st.executeUpdate();
        }
    }

    public void dead(Connection c, long id, String payload, String reason) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE " + table + " SET status = 'dead', last_error = ? WHERE id = ?");
             PreparedStatement dl = c.prepareStatement(
                     "INSERT INTO dead_letter (source, reference, payload, reason) VALUES (?, ?, ?, ?)")) {
            st.setString(1, reason);
            st.setLong(2, id);
            st.executeUpdate();
            dl.setString(1, table);
            dl.setString(2, table + "#" + id);
            dl.setString(3, payload);
            dl.setString(4, reason);
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
        return reference.startsWith(INBOX.table + "#") ? INBOX : OUTBOX;
    }
}
