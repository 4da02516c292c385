package io.gotomautic.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

/**
 * The GoTo organizer accounts connected to the bridge ({@code goto_account}), each with its refresh token, sealed by
 * {@link SecretBox}. Connecting an organizer again replaces its token; disconnecting forgets the token and keeps the row.
 */
public class GoToAccounts {

    /** An account as listed: never its token. */
    public record Account(String name, String organizerKey, String email, Instant connectedAt, Instant disconnectedAt) {
        public boolean connected() {
            return disconnectedAt == null;
        }
    }

    /** A connected account and its refresh token. */
    public record Credential(String name, String refreshToken) {
    }

    private final DataSource dataSource;
    private final SecretBox box;

    public GoToAccounts(DataSource dataSource, SecretBox box) {
        this.dataSource = dataSource;
        this.box = box;
    }

    /**
     * Stores the organizer's account and refresh token: a new account named {@code name} (its e-mail by default), or
     * the organizer's existing one, connected again with the new token. Returns the account's name.
     */
    public String connect(String name, String organizerKey, String email, String refreshToken) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                INSERT INTO goto_account (name, organizer_key, email, refresh_token) VALUES (?, ?, ?, ?)
                ON CONFLICT (organizer_key) DO UPDATE SET email = EXCLUDED.email, refresh_token = EXCLUDED.refresh_token,
                  connected_at = now(), disconnected_at = NULL
                RETURNING name
                """)) {
            st.setString(1, name);
            st.setString(2, organizerKey);
            st.setString(3, email);
            st.setString(4, box.seal(refreshToken));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    public List<Account> list() throws SQLException {
        List<Account> accounts = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT name, organizer_key, email, connected_at, disconnected_at FROM goto_account ORDER BY connected_at, name");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                accounts.add(new Account(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                        rs.getTimestamp(5) == null ? null : rs.getTimestamp(5).toInstant()));
            }
        }
        return accounts;
    }

    /** Forgets the account's token; its history stays. False when no connected account has that name. */
    public boolean disconnect(String name) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "UPDATE goto_account SET refresh_token = NULL, disconnected_at = now() WHERE name = ? AND disconnected_at IS NULL")) {
            st.setString(1, name);
            return st.executeUpdate() == 1;
        }
    }

    /** The connected accounts with their tokens, in the order they were connected: each is polled on its own. */
    public List<Credential> connected() throws SQLException {
        List<Credential> connected = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                SELECT name, refresh_token FROM goto_account WHERE disconnected_at IS NULL AND refresh_token IS NOT NULL
                ORDER BY connected_at, name
                """); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                connected.add(new Credential(rs.getString(1), box.open(rs.getString(2))));
            }
        }
        return connected;
    }

    /** The account's refresh token while it is connected. */
    public Optional<Credential> credential(String name) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT refresh_token FROM goto_account WHERE name = ? AND disconnected_at IS NULL AND refresh_token IS NOT NULL")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(new Credential(name, box.open(rs.getString(1)))) : Optional.empty();
            }
        }
    }

    /** GoTo issued a new refresh token for the account. */
    public void replaceToken(String name, String refreshToken) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "UPDATE goto_account SET refresh_token = ? WHERE name = ? AND disconnected_at IS NULL")) {
            st.setString(1, box.seal(refreshToken));
            st.setString(2, name);
            st.executeUpdate();
        }
    }
}
