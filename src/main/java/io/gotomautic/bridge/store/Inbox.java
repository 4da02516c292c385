package io.gotomautic.bridge.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HexFormat;

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

    /** A stable key for content that carries no id of its own. */
    public static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
