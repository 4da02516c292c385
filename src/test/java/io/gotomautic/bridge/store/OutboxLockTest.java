package io.gotomautic.bridge.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/** The drain lock on real PostgreSQL connections from a real pool: whatever goes wrong, it is not left held. */
class OutboxLockTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    static Database database;

    @BeforeAll
    static void open() throws SQLException {
        database = Database.open(TestBridge.settings(DB.settings()));
        try (Connection c = database.dataSource().getConnection()) {
            Outbox.add(c, "contact", "{}");
        }
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void aDrainWhoseWorkThrowsLeavesNoLockAndNoOpenTransaction() throws Exception {
        try (HikariDataSource pool = pool(null)) {
            Outbox outbox = new Outbox(pool);
            assertThatThrownBy(() -> outbox.drain(10, due -> {
                throw new IllegalStateException("Mautic went away");
            })).hasMessage("Mautic went away");
            assertNothingHeld();
            assertNextDrainWorks(pool);
        }
    }

    /** A statement that fails on the lock's connection after the work (a timeout, a cancel) must not keep the lock. */
    @Test
    void aDrainWhoseUnlockWouldFailLeavesNoLockAndNoOpenTransaction() throws Exception {
        try (HikariDataSource pool = pool("pg_advisory_unlock")) {
            Outbox outbox = new Outbox(pool);
            try {
                outbox.drain(10, List::size);
            } catch (SQLException e) {
                // the old session lock's unlock failing surfaced here; what counts is what it left behind
            }
            assertNothingHeld();
            assertNextDrainWorks(pool);
        }
    }

    /** Another instance (its own pool) drains next: the lock is free. */
    private static void assertNextDrainWorks(HikariDataSource pool) throws Exception {
        AtomicInteger drains = new AtomicInteger();
        Outbox.Drain count = due -> {
            drains.incrementAndGet();
            return due.size();
        };
        try (HikariDataSource other = pool(null)) {
            assertThat(new Outbox(other).drain(10, count)).isEqualTo(1);
        }
        assertThat(new Outbox(pool).drain(10, count)).isEqualTo(1);
        assertThat(drains).hasValue(2);
    }

    private static void assertNothingHeld() throws SQLException {
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            assertThat(count(st, "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                    + "WHERE l.locktype = 'advisory' AND d.datname = current_database()")).as("advisory locks held").isZero();
            assertThat(count(st, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    + "AND state LIKE 'idle in transaction%'")).as("pooled connections in a transaction").isZero();
        }
    }

    private static long count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A pool of real connections; with {@code failing}, every statement containing it fails as a timeout would. */
    private static HikariDataSource pool(String failing) {
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setUrl(DB.url());
        pg.setUser("postgres");
        HikariConfig config = new HikariConfig();
        config.setDataSource(failing == null ? pg : failingOn(pg, failing));
        config.setMaximumPoolSize(3);
        return new HikariDataSource(config);
    }

    private static DataSource failingOn(DataSource real, String sql) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(real, method, args);
                    if (!method.getName().equals("getConnection")) {
                        return result;
                    }
                    Connection c = (Connection) result;
                    return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (p, m, a) -> {
                                if (m.getName().equals("prepareStatement") && ((String) a[0]).contains(sql)) {
                                    throw new SQLException("canceling statement due to statement timeout", "57014");
                                }
                                return invoke(c, m, a);
                            });
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
