package io.gotomautic.bridge.mautic;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.http.HttpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Authorization header of one Mautic connection: HTTP Basic with a Mautic user's password, or an OAuth2 access
 * token from the client-credentials grant. The token is kept until shortly before it expires, fetched by one caller
 * at a time (the others wait and share it), and dropped when Mautic answers 401 so that the next caller fetches a new
 * one. Passwords, secrets and tokens never go into logs or messages.
 */
final class MauticAuth {

    /** How the client sends, so that the token request is counted and its failures read like every other call's. */
    interface Sender {
        HttpTransport.Response send(String method, String url, Map<String, String> headers, Object body, String what);
    }

    private static final Logger LOG = LoggerFactory.getLogger(MauticAuth.class);
    private static final String TOKEN_CALL = "POST /oauth/v2/token";

    private final String basicHeader;
    private final String tokenUrl;
    private final String clientId;
    private final String clientSecret;
    private final Sender sender;
    private String accessToken;
    private Instant renewAt = Instant.MIN;

    private MauticAuth(String basicHeader, String tokenUrl, String clientId, String clientSecret, Sender sender) {
        this.basicHeader = basicHeader;
        this.tokenUrl = tokenUrl;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.sender = sender;
    }

    /** {@code mode} is {@code basic} (user and password) or {@code oauth2} (client id and secret). */
    static MauticAuth of(String mode, String baseUrl, String userOrClientId, String passwordOrSecret, Sender sender) {
        return switch (mode) {
            case "basic" -> new MauticAuth("Basic " + Base64.getEncoder().encodeToString(
                    (userOrClientId + ":" + passwordOrSecret).getBytes(StandardCharsets.UTF_8)), null, null, null, sender);
            case "oauth2" -> new MauticAuth(null, baseUrl + "/oauth/v2/token", userOrClientId, passwordOrSecret, sender);
            default -> throw new IllegalArgumentException("Mautic auth \"" + mode + "\" is neither basic nor oauth2");
        };
    }

    /** The settings to check when Mautic refuses the credentials (their names, never their values). */
    String keys() {
        return basicHeader != null ? "mautic.username and mautic.password" : "mautic.client-id and mautic.client-secret";
    }

    /** The header for the next call, fetching a token first when there is none or it is about to expire. */
    String header() {
        if (basicHeader != null) {
            return basicHeader;
        }
        synchronized (this) {
            if (accessToken == null || !Instant.now().isBefore(renewAt)) {
                fetchToken();
            }
            return "Bearer " + accessToken;
        }
    }

    /**
     * Mautic answered 401 to this header. True when a new token may help: OAuth2 only (a Basic password stays wrong).
     * The token is dropped unless another caller has already replaced it.
     */
    boolean rejected(String header) {
        if (basicHeader != null) {
            return false;
        }
        synchronized (this) {
            if (header.equals("Bearer " + accessToken)) {
                accessToken = null;
            }
            return true;
        }
    }

    private void fetchToken() {
        String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + "&client_secret=" + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
        HttpTransport.Response r = sender.send("POST", tokenUrl,
                Map.of("Content-Type", "application/x-www-form-urlencoded", "Accept", "application/json"), form, TOKEN_CALL);
        JsonNode body = MauticClient.answer(r);
        if (!r.ok()) {
            // 400 invalid_client / unauthorized_client: the configured client is wrong, not the moment
            throw MauticClient.failure(TOKEN_CALL, r, body, r.status() == 400 || r.status() == 401 ? keys() : null);
        }
        String token = body.path("access_token").asText("");
        if (token.isEmpty()) {
            throw MauticClient.malformed(TOKEN_CALL, r.status());
        }
        long lifetime = Math.max(1, body.path("expires_in").asLong(3600));
        accessToken = token;
        // renew a minute early, or halfway for short-lived tokens, so that no call leaves with a token about to lapse
        renewAt = Instant.now().plusSeconds(lifetime - Math.min(60, lifetime / 2));
        LOG.debug("Fetched a Mautic OAuth2 access token for client {}, valid {} s", clientId, lifetime);
    }
}
