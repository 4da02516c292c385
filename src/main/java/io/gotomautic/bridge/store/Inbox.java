package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import javax.sql.DataSource;

/**
 * Inbound requests, stored before they are acknowledged; a second copy of one (same key) is not stored again. One
 * that asks for nothing (most contact saves Mautic sends, the echoes of the bridge's own writes among them) is
 * stored as already done, so it never waits in the queue ahead of real work.
 */
public class Inbox {

    private final DataSource dataSource;

    public Inbox(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * @param work false for a request that asks for nothing: kept, but as done
     * @return false when a row with this source and key was already stored (a redelivery)
     */
    public boolean store(String source, String key, String payload, boolean work) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                INSERT INTO inbox (source, delivery_key, payload, status, done_at)
                VALUES (?, ?, ?, ?, CASE WHEN ? THEN NULL ELSE now() END) ON CONFLICT DO NOTHING
                """)) {
            st.setString(1, source);
            st.setString(2, key);
            st.setString(3, payload);
            st.setString(4, work ? "pending" : "done");
            st.setBoolean(5, work);
            return st.executeUpdate() == 1;
        }
    }
}
