package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import javax.sql.DataSource;

/** Inbound requests, stored before they are acknowledged; a second copy of one (same key) is not stored again. */
public class Inbox {

    private final DataSource dataSource;

    public Inbox(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** @return false when a row with this source and key was already stored (a redelivery) */
    public boolean store(String source, String key, String payload) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "INSERT INTO inbox (source, delivery_key, payload) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            st.setString(1, source);
            st.setString(2, key);
            st.setString(3, payload);
            return st.executeUpdate() == 1;
        }
    }
}
