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
import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.store.GoToAccounts;
import io.gotomautic.bridge.store.Hashes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access token of one GoTo account: goto.refresh-token's ({@link #CONFIGURED}) or one connected in the browser or
 * with a Personal Access Token. It is refreshed by one caller at a time (the others wait and share the result), a
 * minute before it expires and once after GoTo rejects it. The refresh token in use is kept in the database, and
 * replaced when GoTo sends a new one. Tokens are never logged.
 */
public class GoToTokens {

    /** The account goto.refresh-token stands for. */
    public static final String CONFIGURED = "default";

    private static final Logger LOG = LoggerFactory.getLogger(GoToTokens.class);
    private static final Duration MARGIN = Duration.ofSeconds(60);
    private static final Duration ACCOUNT_CHECK = Duration.ofSeconds(5);

    private final TokenEndpoint endpoint;
    private final DataSource dataSource;
    private final String clientId;
    private final String account;
    /** The account as messages show it: an organizer's e-mail masked, as every log line has it. */
    private final String shown;
    /** goto.refresh-token, for {@link #CONFIGURED}; empty for a connected account. */
    private final String configuredRefreshToken;
    private final GoToAccounts accounts;
    private final String connectHint;
    private final Clock clock;

    private String accessToken;
    /** The connected account's refresh token the access token came from, and when the account was last looked at. */
    private String tokenInUse = "";
    private Instant accountCheckedAt = Instant.MIN;
    private Instant expiresAt = Instant.MIN;
    private long refreshes;
    /** The refresh token GoTo refused last, with its answer. */
    private String refusedToken;
    private GoToException refusal;

    private GoToTokens(TokenEndpoint endpoint, DataSource dataSource, String account, String refreshToken, GoToAccounts accounts,
                       String connectHint, Clock clock) {
        this.endpoint = endpoint;
        this.dataSource = dataSource;
        this.clientId = endpoint.clientId();
        this.account = account;
        this.shown = EmailAddress.masked(account);
        this.configuredRefreshToken = refreshToken;
        this.accounts = accounts;
        this.connectHint = connectHint;
        this.clock = clock;
    }

    /** The account {@code default}: goto.refresh-token, or the one GoTo issued in its place (goto_credential). */
    public static GoToTokens configured(TokenEndpoint endpoint, DataSource dataSource, String refreshToken, Clock clock) {
        return new GoToTokens(endpoint, dataSource, CONFIGURED, refreshToken, null, null, clock);
    }

    /**
     * An account connected by /connect/goto or {@code connect goto}, its refresh token in {@code accounts}.
     *
     * @param connectHint where an operator connects it again, for the line that says its grant is gone
     */
    public static GoToTokens connected(TokenEndpoint endpoint, GoToAccounts accounts, String name, String connectHint, Clock clock) {
        return new GoToTokens(endpoint, null, name, "", accounts, connectHint, clock);
    }

    /** A token valid for at least another minute, refreshing it first when needed. */
    public synchronized String accessToken() {
        if (configuredRefreshToken.isEmpty() && clock.instant().isAfter(accountCheckedAt.plus(ACCOUNT_CHECK))) {
            // the account disconnected or connected again meanwhile (by the console, the CLI, another instance) takes
            // effect within seconds, not when the access token expires
            accountCheckedAt = clock.instant();
            if (!credential().map(GoToAccounts.Credential::refreshToken).orElse("").equals(tokenInUse)) {
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

    /** The account these tokens act for. */
    public String account() {
        return account;
    }

    private java.util.Optional<GoToAccounts.Credential> credential() {
        try {
            return accounts.credential(account);
        } catch (SQLException e) {
            throw new GoToException(0, "database", "cannot read the GoTo account " + shown + ": " + e.getMessage(), true, e);
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
            LOG.info("GoTo issued a new refresh token for account {}; it is stored and used from now on", shown);
        }
    }

    private JsonNode requestToken(String refreshToken) {
        TokenEndpoint.Answer r = endpoint.grant(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken));
        if (r.ok()) {
            return r.body();
        }
        boolean configured = !configuredRefreshToken.isEmpty();
        throw new GoToException(r.status(), r.error(), "GoTo refused to refresh the access token of account " + shown + " (client " + clientId + "): HTTP "
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
                    + " and restart" : "connect the GoTo account " + shown + " again: " + connectHint);
            case "invalid_client", "unauthorized_client" -> "GoTo refuses the OAuth client (" + status + " " + error
                    + "): check goto.client-id and goto.client-secret and restart";
            default -> "GoTo refuses to refresh the access token (" + status + (error.isEmpty() ? "" : " " + error)
                    + "): check goto.client-id, goto.client-secret and goto.refresh-token and restart";
        };
    }

    /**
     * The refresh token to use: of goto.refresh-token, the stored one unless the operator has configured another since;
     * of a connected account, its own.
     */
    private String storedRefreshToken() {
        if (configuredRefreshToken.isEmpty()) {
            GoToAccounts.Credential connected = credential().orElseThrow(() -> new GoToException(0, "no_account",
                    "the GoTo account " + shown + " is no longer connected", false, null, null,
                    "connect the GoTo account " + shown + " again: " + connectHint));
            tokenInUse = connected.refreshToken();
            return connected.refreshToken();
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
                if (credential().map(GoToAccounts.Credential::refreshToken).orElse("").equals(used)) {
                    accounts.replaceToken(account, token);
                    tokenInUse = token;
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
