package io.gotomautic.bridge.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.gotomautic.bridge.config.Settings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL that holds every piece of state: the server at {@code bridge.db.url}, or, when that is empty,
 * an embedded PostgreSQL whose data lives under {@code bridge.db.embedded-dir} so a first run needs no set-up.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    /**
     * This process, as the {@code application_name} of each of its connections: work it started (a poll) is
     * known to have died with it when no connection of that name is left.
     */
    public static final String INSTANCE = "goto-mautic-bridge/" + java.util.UUID.randomUUID();

    private final EmbeddedPostgres embedded;
    private final HikariDataSource dataSource;
    /** Opened for a dry run: nothing migrated, and the beans built on it write nothing (see {@link #readOnly}). */
    private final boolean readOnly;
    private final String url;
    private final String user;
    private final String password;

    private Database(EmbeddedPostgres embedded, String url, String user, String password, int poolSize, boolean readOnly) {
        this.embedded = embedded;
        this.url = url;
        this.user = user;
        this.password = password;
        this.readOnly = readOnly;
        HikariConfig config = new HikariConfig();
        config.setPoolName("bridge-db");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.addDataSourceProperty("ApplicationName", INSTANCE);
        // fail fast: a health check or a request must not hang 30 s on a database that is gone
        config.setConnectionTimeout(3000);
        config.setValidationTimeout(2000);
        // start even if the database is briefly away; Flyway reports the real cause just after
        config.setInitializationFailTimeout(-1);
        this.dataSource = new HikariDataSource(config);
    }

    /** Opens the configured database (starting the embedded one when no URL is set) and migrates it. */
    public static Database open(Settings settings) {
        return open(settings, false);
    }

    /**
     * Like {@link #open(Settings)}, but an embedded PostgreSQL that a running bridge already serves is used
     * as it is: a second process cannot start one on the same data folder.
     */
    public static Database attach(Settings settings) {
        return open(settings, true);
    }

    /**
     * Like {@link #attach(Settings)}, for a dry run: nothing is migrated (a database the bridge has not set up, or
     * an older schema, is refused), and the rate limiter built on it keeps its calls in memory. The connections
     * are not read-only: the preview of a change runs the real reconcile in a transaction that is rolled back.
     */
    public static Database readOnly(Settings settings) {
        return open(settings, true, true);
    }

    private static Database open(Settings settings, boolean joinRunning) {
        return open(settings, joinRunning, false);
    }

    private static Database open(Settings settings, boolean joinRunning, boolean readOnly) {
        Optional<String> url = settings.optional("bridge.db.url");
        int pool = settings.positive("bridge.db.pool-size");
        String embeddedUrl = "jdbc:postgresql://127.0.0.1:" + settings.port("bridge.db.embedded-port") + "/postgres";
        Database db;
        if (url.isPresent()) {
            db = new Database(null, url.get(), settings.get("bridge.db.user"), settings.get("bridge.db.password"), pool, readOnly);
        } else {
            Path data = Path.of(settings.get("bridge.db.embedded-dir")).toAbsolutePath().resolve("postgres");
            int port = settings.port("bridge.db.embedded-port");
            Optional<String> served = dataDirectoryServed(embeddedUrl);
            if (served.isPresent() && !sameFolder(served.get(), data)) {
                throw new DatabaseUnavailableException("embedded PostgreSQL on 127.0.0.1:" + port, "it serves the data folder "
                        + served.get() + ", not this folder's " + data + " (another bridge's embedded database: give this one "
                        + "its own bridge.db.embedded-port, or set bridge.db.url)", null);
            }
            if (joinRunning && served.isPresent()) {
                db = new Database(null, embeddedUrl, "postgres", "", pool, readOnly);
            } else {
                EmbeddedPostgres pg = startEmbedded(data, port);
                db = new Database(pg, pg.getJdbcUrl("postgres", "postgres"), "postgres", "", pool, readOnly);
            }
        }
        try {
            if (readOnly) {
                db.requireSchema();
            } else {
                db.migrate();
            }
        } catch (RuntimeException e) {
            db.close();
            throw new DatabaseUnavailableException(db.describe(), rootMessage(e), e);
        }
        return db;
    }

    private static EmbeddedPostgres startEmbedded(Path data, int port) {
        try {
            Files.createDirectories(data);
            stopOrphan(data);
            LOG.info("Starting the embedded PostgreSQL on 127.0.0.1:{} with its data in {}", port, data);
            return EmbeddedPostgres.builder()
                    .setDataDirectory(data)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    // the embedded default keeps real data: write it as safely as a server would
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("fsync", "on")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setRegisterShutdownHook(false)
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new DatabaseUnavailableException("embedded PostgreSQL in " + data + " on port " + port,
                    rootMessage(e) + " (is another bridge using this data folder or port? see bridge.db.embedded-dir, bridge.db.embedded-port)", e);
        }
    }

    private Flyway flyway() {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration", "classpath:io/gotomautic/bridge/store/migration")
                .load();
    }

    private void migrate() {
        MigrateResult result = flyway().migrate();
        LOG.info("Database {}: schema at version {} ({} migration(s) applied now)", describe(),
                result.targetSchemaVersion == null ? "unchanged" : result.targetSchemaVersion, result.migrationsExecuted);
    }

    private void requireSchema() {
        MigrationInfoService info = flyway().info();
        if (info.pending().length > 0) {
            MigrationInfo current = info.current();
            throw new IllegalStateException("its schema is " + (current == null ? "not set up" : "at version " + current.getVersion())
                    + ", this bridge needs version " + info.pending()[info.pending().length - 1].getVersion()
                    + ", and a dry run migrates nothing: start the service (or a sync without --dry-run) once first");
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public boolean isReadOnly() {
        return readOnly;
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    /** Where the data is, for logs and {@code status}; never includes a password. */
    public String describe() {
        return (embedded != null ? "embedded " : "") + url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    /** True when a connection can be had and answers within two seconds. */
    public boolean isReachable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** The data folder of the PostgreSQL that answers at {@code url}, if one does. */
    private static Optional<String> dataDirectoryServed(String url) {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", "postgres");
        p.setProperty("connectTimeout", "2");
        try (Connection c = new org.postgresql.Driver().connect(url, p);
             java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SHOW data_directory")) {
            rs.next();
            return Optional.of(rs.getString(1));
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    private static boolean sameFolder(String a, Path b) {
        try {
            return Files.isSameFile(Path.of(a), b);
        } catch (IOException e) {
            return false;
        }
    }

    /** A bridge that runs the embedded PostgreSQL of this folder holds the lock file zonky keeps in it. */
    private static boolean bridgeAlive(Path data) throws IOException {
        Path lock = data.resolve("epg-lock");
        if (!Files.exists(lock)) {
            return false;
        }
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(lock, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock held = channel.tryLock()) {
            return held == null;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return true;
        }
    }

    /**
     * The PostgreSQL of this data folder still running, left by a bridge that was killed (it outlives the JVM),
     * is stopped so this one can start on its data; never the server of a bridge still alive. Only a live process
     * that is a {@code postgres} with this folder as its data directory (postmaster.pid names both) is stopped; a
     * stale pid file PostgreSQL handles itself.
     */
    private static void stopOrphan(Path data) throws IOException {
        Path pidFile = data.resolve("postmaster.pid");
        if (!Files.exists(pidFile) || bridgeAlive(data)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.size() < 2 || !lines.get(0).strip().matches("\\d+") || !sameFolder(lines.get(1).strip(), data)) {
            return;
        }
        Optional<ProcessHandle> postgres = ProcessHandle.of(Long.parseLong(lines.get(0).strip()))
                .filter(h -> h.info().command().map(Path::of).filter(c -> c.getFileName().toString().equals("postgres")).isPresent())
                .filter(h -> h.info().arguments().map(args -> List.of(args).stream().anyMatch(a -> sameFolder(a, data))).orElse(false));
        if (postgres.isEmpty()) {
            return;
        }
        ProcessHandle orphan = postgres.get();
        LOG.warn("The embedded PostgreSQL of {} (pid {}) still runs, left by a bridge that was stopped without shutting "
                + "it down; stopping it to start again on its data", data, orphan.pid());
        try {
            // SIGTERM: PostgreSQL's smart shutdown, done at once as the dead bridge's sessions are gone; a session
            // still open elsewhere gets 30 s, then the server is killed and recovers its data from the WAL on start
            orphan.destroy();
            try {
                orphan.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                orphan.destroyForcibly();
                orphan.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the orphaned PostgreSQL", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("the orphaned PostgreSQL (pid " + orphan.pid() + ") did not stop", e);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public void close() {
        dataSource.close();
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                LOG.warn("The embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
            }
        }
    }
}
