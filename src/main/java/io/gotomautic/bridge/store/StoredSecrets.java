package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import javax.sql.DataSource;

/** Secrets the bridge generated, by the setting they stand for ({@code stored_secret}), sealed by {@link SecretBox}. */
public class StoredSecrets {

    private final DataSource dataSource;
    private final SecretBox box;

    public StoredSecrets(DataSource dataSource, SecretBox box) {
        this.dataSource = dataSource;
        this.box = box;
    }

    public Optional<String> get(String name) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT value FROM stored_secret WHERE name = ?")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(box.open(rs.getString(1))) : Optional.empty();
            }
        }
    }

    /** Stores the secret unless one is stored already; returns the one stored (the first wins across instances). */
    public String putIfAbsent(String name, String value) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "INSERT INTO stored_secret (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
            st.setString(1, name);
            st.setString(2, box.seal(value));
            st.executeUpdate();
        }
        return get(name).orElseThrow();
    }
}
