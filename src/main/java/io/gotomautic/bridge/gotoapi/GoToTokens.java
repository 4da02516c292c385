package io.gotomautic.bridge.gotoapi;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.http.HttpTransport;
import io.gotomautic.bridge.http.HttpTransportException;
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
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MARGIN = Duration.ofSeconds(60);

    private final HttpTransport http;
    private final DataSource dataSource;
    private final String tokenUrl;
    private final String clientId;
    private final String basicAuth;
    private final String configuredRefreshToken;
    private final Clock clock;

    private String accessToken;
    private Instant expiresAt = Instant.MIN;
    private long refreshes;
    /** The refresh token GoTo refused last, with its answer. */
    private String refusedToken;
    private GoToException refusal;

    public GoToTokens(HttpTransport http, DataSource dataSource, String authUrl, String clientId, String clientSecret,
                      String refreshToken, Clock clock) {
        this.http = http;
        this.dataSource = dataSource;
        this.tokenUrl = authUrl.replaceAll("/+$", "") + "/oauth/token";
        this.clientId = clientId;
        this.basicAuth = "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
        this.configuredRefreshToken = refreshToken;
        this.clock = clock;
    }

    /** A token valid for at least another minute, refreshing it first when needed. */
    public synchronized String accessToken() {
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
            storeRefreshToken(rotated);
            LOG.info("GoTo issued a new refresh token for client {}; it is stored and used from now on", clientId);
        }
    }

    private JsonNode requestToken(String refreshToken) {
        HttpTransport.Response r;
        try {
            r = http.send("POST", tokenUrl, Map.of("Authorization", basicAuth,
                            "Content-Type", "application/x-www-form-urlencoded", "Accept", "application/json"),
                    "grant_type=refresh_token&refresh_token=" + java.net.URLEncoder.encode(refreshToken, StandardCharsets.UTF_8));
        } catch (HttpTransportException e) {
            throw new GoToException(0, "unreachable", "GoTo token endpoint did not answer: " + e.getMessage(), true, e);
        }
        JsonNode body = parse(r.body());
        if (r.ok() && body != null) {
            return body;
        }
        String error = body == null ? "" : body.path("error").asText("");
        String description = body == null ? "" : body.path("error_description").asText("");
        boolean transientFailure = r.status() == 429 || r.status() >= 500 || body == null;
        throw new GoToException(r.status(), error, "GoTo refused to refresh the access token of client " + clientId + ": HTTP "
                + r.status() + (error.isEmpty() ? "" : " " + error) + (description.isEmpty() ? "" : " (" + description + ")")
                + (transientFailure ? "" : "; check goto.client-id, goto.client-secret and goto.refresh-token"),
                transientFailure, null, null, transientFailure ? null : fix(r.status(), error));
    }

    /** A refused refresh concerns every call of the connection: what the operator does about it. */
    private static String fix(int status, String error) {
        return switch (error) {
            case "invalid_grant" -> "GoTo refuses the refresh token (" + status + " invalid_grant: revoked, expired, or used up"
                    + " by another instance): connect the bridge to GoTo again, set the new goto.refresh-token and restart";
            case "invalid_client", "unauthorized_client" -> "GoTo refuses the OAuth client (" + status + " " + error
                    + "): check goto.client-id and goto.client-secret and restart";
            default -> "GoTo refuses to refresh the access token (" + status + (error.isEmpty() ? "" : " " + error)
                    + "): check goto.client-id, goto.client-secret and goto.refresh-token and restart";
        };
    }

    private static JsonNode parse(String text) {
        try {
            return text == null || text.isBlank() ? null : JSON.readTree(text);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** The refresh token to use: the stored one, unless the operator has configured another since. */
    private String storedRefreshToken() {
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
    private void storeRefreshToken(String token) {
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
