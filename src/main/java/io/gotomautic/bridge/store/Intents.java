package io.gotomautic.bridge.store;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

import javax.sql.DataSource;

/**
 * Calls that cannot be repeated safely (creating a GoTo meeting or assist session: GoTo has no idempotency key),
 * recorded before they are made. The record commits on its own, ahead of the transaction of the work it belongs to, so
 * it survives a crash or a failed commit after the call; the work's own transaction removes it once the outcome is
 * stored. A record found on a later attempt says the call may have gone through: look for its result first, by the
 * reference the call carried.
 */
public class Intents {

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * One attempt at a call.
     *
     * @param reference what the call carries so its result can be found again: the key and a random part, so two
     *                  installations sharing a GoTo account never take each other's sessions
     * @param earlier   when the first earlier attempt began, if there was one
     */
    public record Attempt(String reference, Optional<Instant> earlier) {
    }

    private final DataSource dataSource;

    public Intents(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Records an attempt at the call named {@code key} (e.g. {@code inbox-12}), committed at once. */
    public Attempt begin(String key) throws SQLException {
        String fresh = key + "-" + HexFormat.of().formatHex(RANDOM.generateSeed(3));
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                INSERT INTO side_effect_intent (key, reference) VALUES (?, ?)
                ON CONFLICT (key) DO UPDATE SET attempts = side_effect_intent.attempts + 1
                RETURNING reference, began_at, attempts
                """)) {
            c.setAutoCommit(true);
            st.setString(1, key);
            st.setString(2, fresh);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return new Attempt(rs.getString(1), rs.getInt(3) > 1 ? Optional.of(rs.getTimestamp(2).toInstant()) : Optional.empty());
            }
        }
    }

    /** The outcome is stored: in the caller's transaction, so the record goes exactly when the outcome is written. */
    public static void settled(Connection c, String key) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("DELETE FROM side_effect_intent WHERE key = ?")) {
            st.setString(1, key);
            st.executeUpdate();
        }
    }
}
