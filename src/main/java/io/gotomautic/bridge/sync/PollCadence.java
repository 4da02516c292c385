package io.gotomautic.bridge.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

/**
 * Whether a scheduled poll of an account's webinars is due ({@code bridge.poll.webinar.with-webhooks}). While GoTo's
 * webhooks bring its registrations and joins within seconds, the poll is the safety net: due when the last one is
 * {@code withWebhooks} old, when one of the account's webinars has ended since it began (the attendance minutes), or
 * when it did not end well. With the account's webhooks not active, or not checked for two hours (the check runs
 * hourly), every tick is due, as without webhooks. The other products have no webhooks: always due.
 */
public final class PollCadence {

    private final DataSource dataSource;
    /** null: every tick is due */
    private final Duration withWebhooks;

    public PollCadence(DataSource dataSource, Duration withWebhooks) {
        this.dataSource = dataSource;
        this.withWebhooks = withWebhooks;
    }

    public boolean due(String product, String account) throws SQLException {
        if (withWebhooks == null || !product.equals("webinar")) {
            return true;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT NOT EXISTS (SELECT 1 FROM goto_webhook w WHERE w.account = ? AND w.state = 'active'
                                   AND w.checked_at > now() - interval '2 hours')
                  OR s.finished_at IS NULL OR s.outcome IS DISTINCT FROM 'ok'
                  OR s.started_at <= now() - ?::interval
                  OR EXISTS (SELECT 1 FROM event e WHERE e.product = 'webinar' AND e.account = ? AND e.ends_at > s.started_at
                             AND e.ends_at <= now())
                FROM (SELECT 1) one
                LEFT JOIN sync_cursor s ON s.product = 'webinar' AND s.account = ? AND s.scope = ''
                """)) {
            st.setString(1, account);
            st.setString(2, withWebhooks.toMillis() + " milliseconds");
            st.setString(3, account);
            st.setString(4, account);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
