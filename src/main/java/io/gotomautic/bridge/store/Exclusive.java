package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

/**
 * Work that one instance at a time does (a trigger's poll, a subscription's deliveries) and that calls out meanwhile:
 * a session lock held on a connection with no transaction open. Closing the connection releases the lock, so one
 * whose unlock fails is evicted from the pool, never handed out still holding it.
 */
public final class Exclusive {

    /** The work, done while this instance alone holds the lock. */
    @FunctionalInterface
    public interface Work {
        int run() throws Exception;
    }

    private Exclusive() {
    }

    /** Runs {@code work} unless another instance holds the lock {@code name} now; 0 then. */
    public static int run(DataSource dataSource, String name, Work work) throws Exception {
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(true);
            if (!advisory(lock, "SELECT pg_try_advisory_lock(hashtext(?))", name)) {
                return 0;
            }
            try {
                return work.run();
            } finally {
                boolean released;
                try {
                    released = advisory(lock, "SELECT pg_advisory_unlock(hashtext(?))", name);
                } catch (SQLException e) {
                    released = false;
                }
                if (!released && dataSource instanceof HikariDataSource pool) {
                    pool.evictConnection(lock);
                }
            }
        }
    }

    private static boolean advisory(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
