package io.gotomautic.bridge.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Mautic's API gate: the API switch, HTTP Basic with one user, and OAuth2 client-credentials tokens, with the
 * error bodies {@code ApiSubscriber} and the FOS OAuth server send (no {@code details}, an OAuth {@code type}).
 */
final class MauticAuth {

    static final String API_DISABLED = "API disabled. You need to enable the API in the API settings of Mautic's Configuration.";
    static final String BASIC_DISABLED = "Basic Auth disabled. You need to enable HTTP basic auth in the API settings of Mautic's Configuration.";
    static final String DENIED = "API authorization denied.";
    static final String INVALID_CREDENTIALS = "Authorization denied, invalid credentials.";
    static final String TOKEN_INVALID = "The access token provided is invalid.";
    static final String TOKEN_EXPIRED = "The access token provided has expired.";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String username;
    private final String password;
    private final Map<String, String> clients = new ConcurrentHashMap<>();
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    volatile boolean apiEnabled = true;
    volatile boolean basicAuthEnabled = true;
    volatile String basicDeniedMessage = INVALID_CREDENTIALS;
    volatile Duration tokenLifetime = Duration.ofMinutes(60);
    /** Calls ("POST /api/fields/contact/new") the API user's role has no permission for. */
    private final java.util.Set<String> denied = ConcurrentHashMap.newKeySet();

    MauticAuth(String username, String password) {
        this.username = username;
        this.password = password;
    }

    void client(String clientId, String clientSecret) {
        clients.put(clientId, clientSecret);
    }

    void expireAllTokens() {
        Instant past = Instant.now().minusSeconds(1);
        tokens.replaceAll((t, e) -> past);
    }

    /** Throws the error Mautic answers an unauthorized /api call with; returns when the call may go on. */
    void check(SimRequest request) {
        requireApiEnabled();
        String header = request.header("Authorization").orElse("");
        if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            if (!basicAuthEnabled) {
                throw denied(403, BASIC_DISABLED, "access_denied");
            }
            String pair = decode(header.substring(6).trim());
            if (!pair.equals(username + ":" + password)) {
                throw denied(401, basicDeniedMessage, "access_denied");
            }
            return;
        }
        String token = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim()
                : request.query("access_token").orElse(null);
        if (token == null) {
            throw denied(401, DENIED, "access_denied");
        }
        Instant expiry = tokens.get(token);
        if (expiry == null) {
            throw denied(401, TOKEN_INVALID, "invalid_grant");
        }
        if (!Instant.now().isBefore(expiry)) {
            throw denied(401, TOKEN_EXPIRED, "invalid_grant");
        }
    }

    void deny(String method, String template, boolean denied) {
        if (denied) {
            this.denied.add(method + " " + template);
        } else {
            this.denied.remove(method + " " + template);
        }
    }

    boolean denies(String call) {
        return denied.contains(call);
    }

    /** The id of the simulator's one API user. */
    static final long API_USER_ID = 1;
    /** Mautic's permissions (bundle:level:permission) and the API calls each allows. */
    private static final Map<String, List<String>> PERMISSIONS = Map.ofEntries(
            Map.entry("lead:fields:full", List.of("GET /api/fields/contact", "POST /api/fields/contact/new",
                    "PATCH /api/fields/contact/{id}/edit")),
            Map.entry("lead:leads:viewother", List.of("GET /api/contacts", "GET /api/contacts/{id}")),
            Map.entry("lead:leads:create", List.of("POST /api/contacts/new")),
            Map.entry("lead:leads:editother", List.of("PATCH /api/contacts/{id}/edit", "POST /api/notes/new",
                    "POST /api/contacts/{id}/utm/add")),
            Map.entry("lead:lists:viewother", List.of("GET /api/segments")),
            Map.entry("lead:lists:create", List.of("POST /api/segments/new")),
            Map.entry("lead:lists:editother", List.of("PATCH /api/segments/{id}/edit", "POST /api/segments/{id}/contacts/add",
                    "POST /api/segments/{id}/contact/{contactId}/remove")),
            Map.entry("email:emails:viewother", List.of("GET /api/emails", "POST /api/emails/{id}/contact/{contactId}/send")),
            Map.entry("webhook:webhooks:viewother", List.of("GET /api/hooks")),
            Map.entry("webhook:webhooks:create", List.of("POST /api/hooks/new")),
            Map.entry("webhook:webhooks:editother", List.of("PATCH /api/hooks/{id}/edit")));

    /** {@code GET /api/users/self}: the API user, of a role that is not an administrator's. */
    Map<String, Object> self() {
        Map<String, Object> role = new java.util.LinkedHashMap<>();
        role.put("id", 2);
        role.put("name", "API");
        role.put("isAdmin", false);
        Map<String, Object> user = new java.util.LinkedHashMap<>();
        user.put("id", API_USER_ID);
        user.put("username", username);
        user.put("firstName", "API");
        user.put("lastName", "User");
        user.put("email", username + "@mautic.example");
        user.put("role", role);
        return user;
    }

    /** Whether the role has the permission: unknown ones are not granted, as Mautic answers for them. */
    boolean grants(String permission) {
        List<String> calls = PERMISSIONS.get(permission);
        return calls != null && calls.stream().noneMatch(this::denies);
    }

    /** Mautic checks the role's permission per action after authentication, with its generic 403 body. */
    void requirePermission(String call) {
        if (denies(call)) {
            throw new SimError(403, MauticState.ACCESS_DENIED);
        }
    }

    /** {@code /oauth/v2/token}: parameters from the query, a form body or a JSON body; only client credentials grant. */
    SimResponse token(SimRequest request) {
        requireApiEnabled();
        Map<String, String> p = new HashMap<>();
        request.query().forEach((k, v) -> p.put(k, v.get(0)));
        if (request.isJson()) {
            request.json().properties().forEach(e -> p.put(e.getKey(), e.getValue().asText()));
        } else {
            p.putAll(request.form());
        }
        String grant = p.get("grant_type");
        if (grant == null || !List.of("authorization_code", "refresh_token", "client_credentials", "password").contains(grant)) {
            throw denied(400, "Invalid grant_type parameter or parameter missing", "invalid_request");
        }
        String clientId = p.get("client_id");
        if (clientId == null || !p.getOrDefault("client_secret", "").equals(clients.get(clientId))) {
            throw denied(400, "The client credentials are invalid", "invalid_client");
        }
        // clients made by an admin in OAuth2 mode get client_credentials; the simulator has no login for the others
        if (!grant.equals("client_credentials")) {
            throw denied(400, "The grant type is unauthorized for this client_id", "unauthorized_client");
        }
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Duration lifetime = tokenLifetime;
        tokens.put(token, Instant.now().plus(lifetime));
        return SimResponse.rawJson(200, MauticPhpJson.write(MauticViews.map("access_token", token,
                "expires_in", lifetime.toSeconds(), "token_type", "bearer", "scope", null)));
    }

    private void requireApiEnabled() {
        if (!apiEnabled) {
            throw denied(403, API_DISABLED, "api_disabled");
        }
    }

    private static String decode(String base64) {
        try {
            return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static SimError denied(int status, String message, String type) {
        JsonNode body = SimServer.JSON.valueToTree(Map.of("errors",
                List.of(MauticViews.map("message", message, "code", status, "type", type))));
        return new SimError(status, message, body);
    }
}
