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

/**
 * The outbox drainer's lease on real PostgreSQL connections from real pools, each pool standing for a process (its own
 * application_name): one drainer at a time, no transaction open while it works, and whatever goes wrong the lease is
 * not left to a process that is gone.
 */
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
    void whileADrainWorksNoTransactionIsOpenAndNoOtherProcessDrains() throws Exception {
        try (HikariDataSource a = pool("process-a", null); HikariDataSource b = pool("process-b", null)) {
            AtomicInteger inWork = new AtomicInteger();
            int drained = drain(new Outbox(a), due -> {
                // what a Mautic call would see: no transaction of this database open, and the lease held
                assertNothingOpen();
                assertThat(drain(new Outbox(b), more -> inWork.incrementAndGet())).as("another process meanwhile").isZero();
                return due.size();
            });
            assertThat(drained).isEqualTo(1);
            assertThat(inWork).hasValue(0);
            assertThat(lease()).as("released").isNull();
            assertNextDrainWorks(a);
        }
    }

    @Test
    void aDrainWhoseWorkThrowsLeavesTheLeaseFree() throws Exception {
        try (HikariDataSource pool = pool("process-a", null)) {
            Outbox outbox = new Outbox(pool);
            assertThatThrownBy(() -> drain(outbox, due -> {
                throw new IllegalStateException("Mautic went away");
            })).hasMessage("Mautic went away");
            assertThat(lease()).isNull();
            assertNothingOpen();
            assertNextDrainWorks(pool);
        }
    }

    /** The release fails (the database went away a moment): the lease stays, for this process to take back, or for others once it is gone. */
    @Test
    void aLeaseWhoseReleaseFailedIsThisProcesssToTakeBackAndFreeWhenItDies() throws Exception {
        HikariDataSource failing = pool("process-a", "SET claimed_by = NULL");
        try (HikariDataSource other = pool("process-b", null)) {
            assertThatThrownBy(() -> drain(new Outbox(failing), List::size)).isInstanceOf(SQLException.class);
            assertThat(lease()).isEqualTo("process-a");
            assertThat(drain(new Outbox(other), List::size)).as("process a is alive: its lease holds").isZero();
            AtomicInteger again = new AtomicInteger();
            assertThatThrownBy(() -> drain(new Outbox(failing), due -> again.incrementAndGet()))
                    .as("its release fails again").isInstanceOf(SQLException.class);
            assertThat(again).as("but it drained: its own lease, taken back").hasValue(1);
            failing.close();
            // a closed connection's backend ends a moment later, as a dead process's do
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> DB.strings(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'process-a'").get(0).equals("0"));
            assertThat(drain(new Outbox(other), List::size)).as("process a is gone: its lease is free").isEqualTo(1);
        } finally {
            failing.close();
        }
    }

    /** Work done while holding the lease, e.g. the push's Mautic calls. */
    @FunctionalInterface
    private interface Work {
        int drain(List<Outbox.Row> due) throws Exception;
    }

    /** One drain as routes/push.camel.yaml makes it: the lease, the due rows, the work, the lease freed whatever happens. */
    private static int drain(Outbox outbox, Work work) throws Exception {
        if (!outbox.claim()) {
            return 0;
        }
        try {
            List<Outbox.Row> due = outbox.due(10);
            return due.isEmpty() ? 0 : work.drain(due);
        } finally {
            outbox.release();
        }
    }

    /** Another process (its own pool) drains next, then this one again: the lease is free. */
    private static void assertNextDrainWorks(HikariDataSource pool) throws Exception {
        AtomicInteger drains = new AtomicInteger();
        Work count = due -> {
            drains.incrementAndGet();
            return due.size();
        };
        try (HikariDataSource other = pool("process-c", null)) {
            assertThat(drain(new Outbox(other), count)).isEqualTo(1);
        }
        assertThat(drain(new Outbox(pool), count)).isEqualTo(1);
        assertThat(drains).hasValue(2);
    }

    private static String lease() throws SQLException {
        return DB.strings("SELECT claimed_by FROM outbox_drainer").get(0);
    }

    private static void assertNothingOpen() throws SQLException {
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            assertThat(count(st, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    + "AND state LIKE 'idle in transaction%'")).as("connections in a transaction").isZero();
            assertThat(count(st, "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                    + "WHERE l.locktype = 'advisory' AND d.datname = current_database()")).as("advisory locks held").isZero();
        }
    }

    private static long count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A pool of real connections named as a process; with {@code failing}, every statement containing it fails as a timeout would. */
    private static HikariDataSource pool(String process, String failing) {
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setUrl(DB.url());
        pg.setUser("postgres");
        pg.setApplicationName(process);
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
