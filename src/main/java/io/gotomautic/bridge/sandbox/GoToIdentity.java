package io.gotomautic.bridge.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.gotomautic.bridge.sandbox.GoToState.Organizer;

/**
 * GoTo's identity side: the sign-in and consent page ({@code /oauth/authorize}), the OAuth token endpoint (refresh,
 * authorization code with PKCE, Personal Access Token), the bearer check every API call passes,
 * and the "who am I" lookups that give clients the organizer and account keys.
 */
final class GoToIdentity {

    private final String clientId;
    private final String clientSecret;
    private final GoToState state;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Instant> accessTokens = new ConcurrentHashMap<>();
    private volatile String refreshToken;
    private volatile Duration lifetime = Duration.ofHours(1);
    private volatile boolean rotateRefreshToken;
    private volatile boolean legacyTokenFields;
    private volatile boolean adminMeAvailable = true;
    /** The organizer's Personal Access Token, for the personal_access_token grant. */
    private final String personalAccessToken;
    /** Authorization codes not yet exchanged, each once, for a few minutes. */
    private final Map<String, Code> codes = new ConcurrentHashMap<>();

    /** What an authorization code was issued for. */
    private record Code(String redirectUri, String challenge, Instant expires) {
    }

    GoToIdentity(String clientId, String clientSecret, String refreshToken, GoToState state) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.refreshToken = refreshToken;
        this.state = state;
        this.personalAccessToken = "pat-" + newToken();
    }

    String personalAccessToken() {
        return personalAccessToken;
    }

    /**
     * GoTo's sign-in and consent page: the organizer is signed in already (the simulator has one), and allows or denies
     * the OAuth client. A request GoTo would refuse (unknown client, no redirect URI, not response_type=code, PKCE other
     * than S256) gets an error page, as GoTo shows one rather than redirecting.
     */
    private SimResponse authorizePage(SimRequest req) {
        String client = req.query("client_id").orElse("");
        String redirect = req.query("redirect_uri").orElse("");
        String method = req.query("code_challenge_method").orElse("");
        if (!client.equals(clientId) || redirect.isBlank() || !req.query("response_type").orElse("").equals("code")
                || (req.query("code_challenge").isPresent() && !method.equals("S256"))) {
            return SimResponse.html(400, "<!doctype html><title>GoTo sign-in</title><h1>Invalid request</h1>"
                    + "<p id=\"error\">unknown client, missing redirect_uri, or unsupported response_type / code_challenge_method</p>");
        }
        StringBuilder hidden = new StringBuilder();
        for (String name : new String[] {"client_id", "redirect_uri", "state", "code_challenge"}) {
            hidden.append("<input type=\"hidden\" name=\"").append(name).append("\" value=\"")
                    .append(escape(req.query(name).orElse(""))).append("\">");
        }
        return SimResponse.html(200, "<!doctype html><html><head><title>GoTo sign-in</title></head><body>"
                + "<h1>Allow access to your GoTo account?</h1><p>Signed in as <span id=\"organizer\">" + escape(state.organizer().email())
                + "</span></p><form method=\"post\" action=\"/oauth/authorize\">" + hidden
                + "<button id=\"allow\" name=\"decision\" value=\"allow\">Allow</button>"
                + "<button id=\"deny\" name=\"decision\" value=\"deny\">Deny</button></form></body></html>");
    }

    private SimResponse authorizeDecision(SimRequest req) {
        Map<String, String> form = req.form();
        String redirect = form.getOrDefault("redirect_uri", "");
        if (!clientId.equals(form.get("client_id")) || redirect.isBlank()) {
            return SimResponse.html(400, "<!doctype html><title>GoTo sign-in</title><h1>Invalid request</h1>");
        }
        String st = form.getOrDefault("state", "");
        String stateParam = st.isEmpty() ? "" : "&state=" + java.net.URLEncoder.encode(st, StandardCharsets.UTF_8);
        String sep = redirect.contains("?") ? "&" : "?";
        if (!"allow".equals(form.get("decision"))) {
            return SimResponse.redirect(redirect + sep + "error=access_denied" + stateParam);
        }
        String code = newToken();
        codes.put(code, new Code(redirect, form.getOrDefault("code_challenge", ""), state.now().plus(Duration.ofMinutes(5))));
        return SimResponse.redirect(redirect + sep + "code=" + code + stateParam);
    }

    /** The authorization code grant: each code once, with its redirect URI, and the PKCE verifier of its challenge. */
    private SimResponse codeGrant(Map<String, String> form) {
        Code code = codes.remove(form.getOrDefault("code", ""));
        if (code == null || !state.now().isBefore(code.expires())) {
            return oauthError(400, "invalid_grant", "Invalid authorization code");
        }
        if (!code.redirectUri().equals(form.get("redirect_uri"))) {
            return oauthError(400, "invalid_grant", "redirect_uri does not match the authorization request");
        }
        if (!code.challenge().isEmpty() && !code.challenge().equals(s256(form.getOrDefault("code_verifier", "")))) {
            return oauthError(400, "invalid_grant", "PKCE verification failed");
        }
        return grantedTokens();
    }

    private SimResponse grantedTokens() {
        ObjectNode body = GoToWire.object();
        synchronized (this) {
            body.put("access_token", issueAccessToken()).put("token_type", "Bearer").put("refresh_token", refreshToken)
                    .put("expires_in", lifetime.toSeconds()).put("scope", "collab: identity:scim.me")
                    .put("principal", state.organizer().email());
        }
        return SimResponse.json(200, body);
    }

    private static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    void routes(SimServer server) {
        server.route("GET", "/oauth/authorize", this::authorizePage)
                .route("POST", "/oauth/authorize", this::authorizeDecision)
                .route("POST", "/oauth/token", this::token)
                .route("GET", "/admin/rest/v1/me", guard(this::adminMe))
                .route("GET", "/identity/v1/Users/me", guard(this::scimMe));
    }

    /** Lets the call through only with a live bearer token; else GoTo's gateway answer, 403 not 401. */
    SimServer.Handler guard(SimServer.Handler handler) {
        return req -> hasLiveToken(req) ? handler.handle(req)
                : SimResponse.json(403, GoToWire.object().put("int_err_code", "InvalidToken").put("msg", "Invalid token passed"))
                        .withHeader("x-amzn-errortype", "UnauthorizedException");
    }

    void lifetime(Duration lifetime) {
        this.lifetime = lifetime;
    }

    void rotateRefreshToken(boolean rotate) {
        this.rotateRefreshToken = rotate;
    }

    void legacyTokenFields(boolean legacy) {
        this.legacyTokenFields = legacy;
    }

    void adminMeAvailable(boolean available) {
        this.adminMeAvailable = available;
    }

    String refreshToken() {
        return refreshToken;
    }

    void expireAll() {
        accessTokens.clear();
    }

    /**
     * The organizer disconnects the app (or its grant is revoked): the refresh token and every access token stop
     * working; connecting again gives a new refresh token.
     */
    synchronized String revoke() {
        accessTokens.clear();
        refreshToken = newToken();
        return refreshToken;
    }

    private SimResponse token(SimRequest req) {
        Map<String, String> form = req.form();
        if (!clientAuthenticated(req, form)) {
            return oauthError(401, "invalid_client", "Client authentication failed")
                    .withHeader("WWW-Authenticate", "Basic realm=\"oauth\"");
        }
        String grant = form.get("grant_type");
        if (grant == null || grant.isBlank()) {
            return oauthError(400, "invalid_request", "Missing grant_type");
        }
        if (grant.equals("authorization_code")) {
            return codeGrant(form);
        }
        if (grant.equals("personal_access_token")) {
            return personalAccessToken.equals(form.get("pat")) ? grantedTokens()
                    : oauthError(400, "invalid_grant", "Invalid personal access token");
        }
        if (!grant.equals("refresh_token")) {
            return oauthError(400, "unsupported_grant_type", "Unsupported grant type: " + grant);
        }
        String presented = form.get("refresh_token");
        if (presented == null || presented.isBlank()) {
            return oauthError(400, "invalid_request", "Missing refresh_token");
        }
        Organizer organizer = state.organizer();
        ObjectNode body = GoToWire.object();
        synchronized (this) {
            if (!presented.equals(refreshToken)) {
                return oauthError(400, "invalid_grant", "Invalid refresh token");
            }
            body.put("access_token", issueAccessToken())
                    .put("expires_in", lifetime.toSeconds())
                    .put("scope", "collab: identity:scim.me")
                    .put("principal", organizer.email());
            // GoTo leaves refresh_token (and token_type) out unless it issued a new one; clients keep the old one.
            if (rotateRefreshToken) {
                refreshToken = newToken();
                body.put("refresh_token", refreshToken).put("token_type", "Bearer");
            }
        }
        if (legacyTokenFields) {
            body.put("organizer_key", String.valueOf(organizer.key()))
                    .put("account_key", String.valueOf(organizer.accountKey()))
                    .put("account_type", "")
                    .put("firstName", organizer.firstName())
                    .put("lastName", organizer.lastName())
                    .put("email", organizer.email())
                    .put("version", "3");
        }
        return SimResponse.json(200, body);
    }

    private SimResponse adminMe(SimRequest req) {
        if (!adminMeAvailable) {
            throw GoToWire.error(401, "Unauthorized", "The token is not allowed to use the admin API");
        }
        Organizer o = state.organizer();
        return SimResponse.json(200, GoToWire.object().put("key", String.valueOf(o.key()))
                .put("accountKey", String.valueOf(o.accountKey())).put("email", o.email())
                .put("firstName", o.firstName()).put("lastName", o.lastName()));
    }

    private SimResponse scimMe(SimRequest req) {
        Organizer o = state.organizer();
        ObjectNode body = GoToWire.object();
        body.putArray("schemas").add("urn:scim:schemas:core:1.0");
        body.put("id", String.valueOf(o.key())).put("userName", o.email()).put("displayName", o.name()).put("active", true);
        body.putObject("name").put("givenName", o.firstName()).put("familyName", o.lastName());
        body.putArray("emails").addObject().put("value", o.email()).put("type", "work").put("primary", true);
        return SimResponse.json(200, body);
    }

    /** client_secret_basic as GoTo documents it, or client_secret_post, which its metadata also lists. */
    private boolean clientAuthenticated(SimRequest req, Map<String, String> form) {
        String header = req.header("Authorization").orElse("");
        if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return false;
            }
            return decoded.equals(clientId + ":" + clientSecret);
        }
        return clientId.equals(form.get("client_id")) && clientSecret.equals(form.get("client_secret"));
    }

    private boolean hasLiveToken(SimRequest req) {
        String header = req.header("Authorization").orElse("");
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        String token = header.substring(7).trim();
        Instant expiry = accessTokens.get(token);
        if (expiry != null && !state.now().isBefore(expiry)) {
            accessTokens.remove(token);
            return false;
        }
        return expiry != null;
    }

    private String issueAccessToken() {
        String token = "eyJraWQiOiJnb3RvLXNpbSJ9." + newToken();
        accessTokens.put(token, state.now().plus(lifetime));
        return token;
    }

    private String newToken() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static SimResponse oauthError(int status, String error, String description) {
        return SimResponse.json(status, GoToWire.object().put("error", error).put("error_description", description));
    }
}
