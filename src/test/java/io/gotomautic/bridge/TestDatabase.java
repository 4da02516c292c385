package io.gotomautic.bridge;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A database of its own for one test class on the real PostgreSQL at 127.0.0.1:5432 (user postgres, trust
 * auth), created before the class and dropped after it. {@code BRIDGE_TEST_PG} points elsewhere.
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {

    static final String SERVER = System.getenv().getOrDefault("BRIDGE_TEST_PG", "jdbc:postgresql://127.0.0.1:5432/");

    private String name;

    @Override
    public void beforeAll(ExtensionContext context) throws SQLException {
        name = ("bridge_" + context.getRequiredTestClass().getSimpleName() + "_"
                + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
        admin("CREATE DATABASE " + name);
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    public String url() {
        return SERVER + name;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), "postgres", "");
    }

    /** The first column of each row of a query, as text (null for NULL). */
    public List<String> strings(String sql, Object... params) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = connect(); PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }

    /** One statement that returns no rows. */
    public void execute(String sql, Object... params) throws SQLException {
        try (Connection c = connect(); PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            st.execute();
        }
    }

    /** Every table gone: the next service started on it migrates from nothing. */
    public void empty() throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
        }
    }

    public Map<String, String> settings() {
        return Map.of("bridge.db.url", url(), "bridge.db.user", "postgres", "bridge.db.password", "");
    }
}
