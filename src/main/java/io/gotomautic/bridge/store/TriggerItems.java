package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import javax.sql.DataSource;

/**
 * What each "new item" trigger has delivered, in PostgreSQL, so an item goes once across restarts; and one poll of a
 * trigger at a time across instances ({@link Exclusive}: the poll calls GoTo meanwhile).
 */
public class TriggerItems {

    private final DataSource dataSource;

    public TriggerItems(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Runs {@code poll} unless another instance is polling the trigger {@code name} now; 0 then. */
    public int exclusively(String name, Exclusive.Work poll) throws Exception {
        return Exclusive.run(dataSource, "goto-trigger:" + name, poll);
    }

    /** Whether the trigger has taken its first look. */
    public boolean started(String name) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement st = c.prepareStatement("SELECT 1 FROM goto_trigger WHERE name = ?")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The trigger has taken its first look; {@code items} were there and are not new. */
    public void start(String name, Collection<String> items) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement("INSERT INTO goto_trigger (name) VALUES (?) ON CONFLICT DO NOTHING")) {
                st.setString(1, name);
                st.executeUpdate();
                insert(c, name, items);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The items the trigger has delivered (or found at its first look). */
    public Set<String> seen(String name) throws SQLException {
        Set<String> items = new HashSet<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement st = c.prepareStatement("SELECT item FROM goto_trigger_item WHERE name = ?")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    items.add(rs.getString(1));
                }
            }
        }
        return items;
    }

    /** {@code item} was delivered: it is not new again. */
    public void delivered(String name, String item) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            insert(c, name, Set.of(item));
        }
    }

    private static void insert(Connection c, String name, Collection<String> items) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "INSERT INTO goto_trigger_item (name, item) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            for (String item : items) {
                st.setString(1, name);
                st.setString(2, item);
                st.addBatch();
            }
            st.executeBatch();
        }
    }
}
