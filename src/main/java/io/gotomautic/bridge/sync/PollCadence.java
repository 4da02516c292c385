package io.gotomautic.bridge.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.sql.DataSource;

/**
 * Whether a scheduled poll of an account's webinars is due ({@code bridge.poll.webinar.with-webhooks}). While GoTo's
 * webhooks bring its registrations and joins within seconds, the poll is the safety net: due when the last one is
 * {@code withWebhooks} old, when a session of one of the account's webinars has ended since it began (the attendance
 * minutes; a series' sessions each, as GoTo's {@code times} schedule them), or when it did not end well. With the account's webhooks not active, or not checked for two hours (the check runs
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
                  OR EXISTS (SELECT 1 FROM webinar_session_end x WHERE x.account = ? AND x.ends_at > s.started_at
                             AND x.ends_at <= now())
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

    /** The webinars' sessions as GoTo schedules them now (a listing, a webhook's re-read), in place of what was known. */
    static void scheduled(Connection c, String account, List<EventRef> webinars) throws SQLException {
        try (PreparedStatement forget = c.prepareStatement("DELETE FROM webinar_session_end WHERE webinar_key = ANY (?)");
             PreparedStatement add = c.prepareStatement(
                     "INSERT INTO webinar_session_end (account, webinar_key, ends_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            forget.setArray(1, c.createArrayOf("text", webinars.stream().map(EventRef::key).toArray()));
            forget.executeUpdate();
            for (EventRef w : webinars) {
                for (Instant end : w.sessionEnds()) {
                    add.setString(1, account);
                    add.setString(2, w.key());
                    add.setTimestamp(3, Timestamp.from(end));
                    add.addBatch();
                }
            }
            add.executeBatch();
        }
    }
}
