package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

/**
 * Keeps the queues small: inbox and outbox rows that were handled, and dead letters that were replayed,
 * longer ago than the retention are deleted. Pending and dead rows are never touched.
 */
public class Housekeeping {

    private final DataSource dataSource;
    private final Duration retention;

    public Housekeeping(DataSource dataSource, Duration retention) {
        this.dataSource = dataSource;
        this.retention = retention;
    }

    /** @return what was deleted, e.g. "inbox 3, outbox 120, dead letters 0" */
    public String purge() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            int inbox = delete(c, "DELETE FROM inbox WHERE status = 'done' AND done_at < now() - ?::interval");
            // a change a subscription seen within the retention has not copied yet stays for it
            int outbox = delete(c, "DELETE FROM outbox WHERE status = 'delivered' AND delivered_at < now() - ?::interval"
                    + " AND id <= coalesce((SELECT min(position) FROM subscription WHERE seen_at >= now() - ?::interval),"
                    + " 9223372036854775807)");
            int deliveries = delete(c, "DELETE FROM subscription_delivery WHERE status = 'done' AND done_at < now() - ?::interval");
            int dead = delete(c, "DELETE FROM dead_letter WHERE replayed_at < now() - ?::interval");
            return "inbox " + inbox + ", outbox " + outbox + ", subscription deliveries " + deliveries + ", dead letters " + dead;
        }
    }

    private int delete(Connection c, String sql) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 1; i <= st.getParameterMetaData().getParameterCount(); i++) {
                st.setString(i, retention.toSeconds() + " seconds");
            }
            return st.executeUpdate();
        }
    }
}
