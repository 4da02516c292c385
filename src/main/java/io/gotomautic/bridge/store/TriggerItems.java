package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

/**
 * What each "new item" trigger has delivered, in PostgreSQL, so an item goes once across restarts; and one poll of a
 * trigger at a time across instances (a session lock held on a connection with no transaction open, since the poll
 * calls GoTo meanwhile).
 */
public class TriggerItems {

    /** The work of one poll, done while this instance alone polls the trigger. */
    @FunctionalInterface
    public interface Poll {
        int run() throws Exception;
    }

    private final DataSource dataSource;

    public TriggerItems(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Runs {@code poll} unless another instance is polling the trigger {@code name} now; 0 then. */
    public int exclusively(String name, Poll poll) throws Exception {
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(true);
            if (!advisory(lock, "SELECT pg_try_advisory_lock(hashtext(?))", name)) {
                return 0;
            }
            try {
                return poll.run();
            } finally {
                boolean released;
                try {
                    released = advisory(lock, "SELECT pg_advisory_unlock(hashtext(?))", name);
                } catch (SQLException e) {
                    released = false;
                }
                if (!released && dataSource instanceof HikariDataSource pool) {
                    // closing the connection releases the lock for sure; a pooled one would keep it
                    pool.evictConnection(lock);
                }
            }
        }
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

    private static boolean advisory(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, "goto-trigger:" + name);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
