package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How each outside part ({@link #MAUTIC}, {@link #GOTO}) answered the queues last: its last success, the current
 * failure and since when, and, while a refusal that concerns every change holds a queue, the one line saying what to
 * fix. Kept in {@code part_state}, so that every instance, {@code /health} and {@code status} see the same. The fix
 * line is logged once per process when it appears and once when it is gone, however often the queue tries again;
 * an unchanged state is written at most every few seconds, not per call.
 */
public class PartStates {

    public static final String MAUTIC = "mautic";
    /** GoTo as a whole: whether any account is connected. Each account has its own part, {@link #goTo(String)}. */
    public static final String GOTO = "goto";
    /** One GoTo account's connection: {@code goto:<account>}. */
    public static String goTo(String account) {
        return GOTO + ":" + account;
    }

    /** Whether the part is GoTo's, as a whole or one account's. */
    public static boolean isGoTo(String part) {
        return part.equals(GOTO) || part.startsWith(GOTO + ":");
    }

    private static final Logger LOG = LoggerFactory.getLogger(PartStates.class);
    private static final Duration REWRITE_AFTER = Duration.ofSeconds(10);

    /** One part's row; {@code fix} non-null means held. */
    public record State(String part, OffsetDateTime lastSuccess, String error, OffsetDateTime errorSince, String fix) {

        public boolean held() {
            return fix != null;
        }

        /** One line for people: what to fix, the passing error and since when, or that all is well. */
        public String describe() {
            String success = lastSuccess == null ? "no success yet" : "last success " + lastSuccess;
            if (fix != null) {
                return "HELD since " + errorSince + ": " + fix + " (" + success + ")";
            }
            if (error != null) {
                return "failing since " + errorSince + ", retried: " + error + " (" + success + ")";
            }
            return "ok, " + success;
        }
    }

    /** What this process last wrote per part, and when. */
    private record Written(String error, String fix, Instant at) {
    }

    private final DataSource dataSource;
    private final Map<String, Written> written = new ConcurrentHashMap<>();
    /** The fix line this process has logged per part, until the part works again. */
    private final Map<String, String> logged = new ConcurrentHashMap<>();

    private final boolean recording;

    public PartStates(DataSource dataSource) {
        this(dataSource, true);
    }

    /** @param recording false for {@code sync --dry-run}, which writes nothing: the states are only logged */
    public PartStates(DataSource dataSource, boolean recording) {
        this.dataSource = dataSource;
        this.recording = recording;
    }

    /** The part took a call (or refused one change only: it answers, and is set up right). */
    public void succeeded(String part) {
        String was = logged.remove(part);
        if (was != null) {
            LOG.info("{} works again; the held queue goes on (was: {})", label(part), was);
        }
        write(part, null, null, """
                INSERT INTO part_state (part, last_success) VALUES (?, now())
                ON CONFLICT (part) DO UPDATE SET last_success = now(), error = NULL, error_since = NULL, fix = NULL, updated_at = now()
                """);
    }

    /** A passing failure (down, 5xx, 429): retried as usual, nothing for the operator to do. */
    public void failing(String part, String error) {
        write(part, error, null, upsert());
    }

    /** A refusal that concerns every change: the queue is held until the cause is fixed. */
    public void held(String part, String fix, String error) {
        if (!fix.equals(logged.put(part, fix))) {
            LOG.warn("{} queue held, nothing is dropped: {}", label(part), fix);
        }
        write(part, error, fix, upsert());
    }

    public static Optional<State> read(DataSource dataSource, String part) throws SQLException {
        return all(dataSource).stream().filter(s -> s.part().equals(part)).findFirst();
    }

    public static List<State> all(DataSource dataSource) throws SQLException {
        List<State> states = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT part, last_success, error, error_since, fix FROM part_state ORDER BY part");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                states.add(new State(rs.getString(1), rs.getObject(2, OffsetDateTime.class), rs.getString(3),
                        rs.getObject(4, OffsetDateTime.class), rs.getString(5)));
            }
        }
        return states;
    }

    private static String upsert() {
        // error_since is when the part began to fail, however the failure changes meanwhile
        return """
                INSERT INTO part_state (part, error, fix, error_since) VALUES (?, ?, ?, now())
                ON CONFLICT (part) DO UPDATE SET error = EXCLUDED.error, fix = EXCLUDED.fix,
                  error_since = coalesce(part_state.error_since, now()), updated_at = now()
                """;
    }

    /**
     * The state is for /health and status: a database that fails here is reported by its own check, and the call
     * whose outcome this is goes on as it would without it.
     */
    private void write(String part, String error, String fix, String sql) {
        if (!recording) {
            return;
        }
        Written before = written.get(part);
        Instant now = Instant.now();
        if (before != null && Objects.equals(before.error(), error) && Objects.equals(before.fix(), fix)
                && before.at().plus(REWRITE_AFTER).isAfter(now)) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, part);
            if (error != null || fix != null) {
                st.setString(2, error);
                st.setString(3, fix);
            }
            st.executeUpdate();
            written.put(part, new Written(error, fix, now));
        } catch (SQLException e) {
            LOG.debug("cannot record the state of {}: {}", part, e.getMessage());
        }
    }

    private static String label(String part) {
        return part.equals(GOTO) ? "GoTo" : isGoTo(part) ? "GoTo account " + io.gotomautic.bridge.config.EmailAddress.masked(part.substring(GOTO.length() + 1)) : "Mautic";
    }
}
