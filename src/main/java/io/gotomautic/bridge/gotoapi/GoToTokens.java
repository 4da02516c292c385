package io.gotomautic.bridge.gotoapi;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.store.GoToAccounts;
import io.gotomautic.bridge.store.Hashes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access token of one GoTo connection. It is refreshed by one caller at a time (the others wait and
 * share the result), a minute before it expires and once after GoTo rejects it. The refresh token in use is
 * kept in the database, and replaced when GoTo sends a new one. Tokens are never logged.
 */
public class GoToTokens {

    private static final Logger LOG = LoggerFactory.getLogger(GoToTokens.class);
    private static final Duration MARGIN = Duration.ofSeconds(60);
    private static final Duration ACCOUNT_CHECK = Duration.ofSeconds(5);

    private final TokenEndpoint endpoint;
    private final DataSource dataSource;
    private final String clientId;
    private final String configuredRefreshToken;
    private final GoToAccounts accounts;
    private final String connectHint;
    private final Clock clock;

    private String accessToken;
    /** The connected account whose refresh token gave the access token, and when that was last looked at. */
    private String accountInUse = "";
    private Instant accountCheckedAt = Instant.MIN;
    private Instant expiresAt = Instant.MIN;
    private long refreshes;
    /** The refresh token GoTo refused last, with its answer. */
    private String refusedToken;
    private GoToException refusal;

    /**
     * @param refreshToken goto.refresh-token (the account {@code default}), or empty: then the account connected last
     *                     in {@code accounts} (/connect/goto, {@code connect goto})
     * @param connectHint  where an operator connects an account, for the line that says none is
     */
    public GoToTokens(TokenEndpoint endpoint, DataSource dataSource, String refreshToken, GoToAccounts accounts,
                      String connectHint, Clock clock) {
        this.endpoint = endpoint;
        this.dataSource = dataSource;
        this.clientId = endpoint.clientId();
        this.configuredRefreshToken = refreshToken == null ? "" : refreshToken;
        this.accounts = accounts;
        this.connectHint = connectHint;
        this.clock = clock;
    }

    /** A token valid for at least another minute, refreshing it first when needed. */
    public synchronized String accessToken() {
        if (configuredRefreshToken.isEmpty() && clock.instant().isAfter(accountCheckedAt.plus(ACCOUNT_CHECK))) {
            // an account connected or disconnected meanwhile (by the console, the CLI, another instance) takes effect
            // within seconds, not when the access token expires
            accountCheckedAt = clock.instant();
            if (!currentAccount().map(GoToAccounts.Credential::name).orElse("").equals(accountInUse)) {
                accessToken = null;
            }
        }
        if (accessToken == null || clock.instant().isAfter(expiresAt.minus(MARGIN))) {
            refresh();
        }
        return accessToken;
    }

    /** GoTo said this token is invalid: the next caller refreshes, unless another caller already has. */
    public synchronized void rejected(String token) {
        if (token.equals(accessToken)) {
            accessToken = null;
        }
    }

    /** How many times a new access token was fetched. */
    public synchronized long refreshes() {
        return refreshes;
    }

    /** The account the connection acts for: {@code default} (goto.refresh-token), or the connected one in use. */
    public synchronized String account() {
        return configuredRefreshToken.isEmpty() ? accountInUse : "default";
    }

    private java.util.Optional<GoToAccounts.Credential> currentAccount() {
        try {
            return accounts.current();
        } catch (SQLException e) {
            throw new GoToException(0, "database", "cannot read the GoTo accounts: " + e.getMessage(), true, e);
        }
    }

    private void refresh() {
        String used = storedRefreshToken();
        if (refusal != null && used.equals(refusedToken)) {
            // GoTo does not change its mind about a refresh token: asking again only adds calls while the queues are held
            throw refusal;
        }
        JsonNode token;
        try {
            try {
                token = requestToken(used);
            } catch (GoToException e) {
                // another instance may have been handed a new refresh token, which made ours stale
                String stored = storedRefreshToken();
                if (e.isTransient() || stored.equals(used)) {
                    throw e;
                }
                used = stored;
                token = requestToken(stored);
            }
        } catch (GoToException e) {
            if (e.fix().isPresent()) {
                refusedToken = used;
                refusal = e;
            }
            throw e;
        }
        String access = token.path("access_token").asText("");
        if (access.isEmpty()) {
            throw new GoToException(200, "invalid_response", "GoTo token endpoint answered without an access_token", true, null);
        }
        accessToken = access;
        expiresAt = clock.instant().plusSeconds(token.path("expires_in").asLong(3600));
        refreshes++;
        String rotated = token.path("refresh_token").asText("");
        if (!rotated.isEmpty() && !rotated.equals(storedRefreshToken())) {
            storeRefreshToken(used, rotated);
            LOG.info("GoTo issued a new refresh token for client {}; it is stored and used from now on", clientId);
        }
    }

    private JsonNode requestToken(String refreshToken) {
        TokenEndpoint.Answer r = endpoint.grant(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken));
        if (r.ok()) {
            return r.body();
        }
        boolean configured = !configuredRefreshToken.isEmpty();
        throw new GoToException(r.status(), r.error(), "GoTo refused to refresh the access token of client " + clientId + ": HTTP "
                + r.status() + (r.error().isEmpty() ? "" : " " + r.error()) + (r.description().isEmpty() ? "" : " (" + r.description() + ")")
                + (r.isTransient() ? "" : configured ? "; check goto.client-id, goto.client-secret and goto.refresh-token"
                        : "; check goto.client-id and goto.client-secret, or connect the account again"),
                r.isTransient(), null, null, r.isTransient() ? null : fix(r.status(), r.error(), configured));
    }

    /** A refused refresh concerns every call of the connection: what the operator does about it. */
    private String fix(int status, String error, boolean configured) {
        return switch (error) {
            case "invalid_grant" -> "GoTo refuses the refresh token (" + status + " invalid_grant: revoked, expired, or used up"
                    + " by another instance): " + (configured ? "connect the bridge to GoTo again, set the new goto.refresh-token"
                    + " and restart" : "connect the account again: " + connectHint);
            case "invalid_client", "unauthorized_client" -> "GoTo refuses the OAuth client (" + status + " " + error
                    + "): check goto.client-id and goto.client-secret and restart";
            default -> "GoTo refuses to refresh the access token (" + status + (error.isEmpty() ? "" : " " + error)
                    + "): check goto.client-id, goto.client-secret and goto.refresh-token and restart";
        };
    }

    /**
     * The refresh token to use: of goto.refresh-token, the stored one unless the operator has configured another since;
     * without it, the connected account's.
     */
    private String storedRefreshToken() {
        if (configuredRefreshToken.isEmpty()) {
            GoToAccounts.Credential account = currentAccount().orElseThrow(() -> new GoToException(0, "no_account",
                    "no GoTo account is connected", false, null, null, "connect a GoTo account: " + connectHint));
            accountInUse = account.name();
            return account.refreshToken();
        }
        String hash = Hashes.sha256(configuredRefreshToken);
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT refresh_token FROM goto_credential WHERE client_id = ? AND configured_hash = ?")) {
                st.setString(1, clientId);
                st.setString(2, hash);
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) {
                        return rs.getString(1);
                    }
                }
            }
            return configuredRefreshToken;
        } catch (SQLException e) {
            throw new GoToException(0, "database", "cannot read the GoTo refresh token: " + e.getMessage(), true, e);
        }
    }

    /** Only a token GoTo issued is stored (with the configured one it replaces): a refresh that rotates nothing writes nothing. */
    private void storeRefreshToken(String used, String token) {
        if (configuredRefreshToken.isEmpty()) {
            try {
                java.util.Optional<GoToAccounts.Credential> current = currentAccount();
                if (current.isPresent() && current.get().refreshToken().equals(used)) {
                    accounts.replaceToken(current.get().name(), token);
                }
            } catch (SQLException e) {
                throw new GoToException(0, "database", "cannot store the new GoTo refresh token: " + e.getMessage(), true, e);
            }
            return;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement st = c.prepareStatement("""
                     INSERT INTO goto_credential (client_id, configured_hash, refresh_token) VALUES (?, ?, ?)
                     ON CONFLICT (client_id) DO UPDATE SET configured_hash = EXCLUDED.configured_hash,
                       refresh_token = EXCLUDED.refresh_token, updated_at = now()
                     """)) {
            st.setString(1, clientId);
            st.setString(2, Hashes.sha256(configuredRefreshToken));
            st.setString(3, token);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new GoToException(0, "database", "cannot store the new GoTo refresh token: " + e.getMessage(), true, e);
        }
    }
}
