package io.gotomautic.bridge.sandbox;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.gotomautic.bridge.sandbox.GoToState.Organizer;

/**
 * GoTo's identity side: the sign-in and consent page ({@code /oauth/authorize}), the OAuth token endpoint (refresh,
 * authorization code with PKCE, Personal Access Token), the bearer check every API call passes,
 * and the "who am I" lookups that give clients the organizer and account keys. Every grant belongs to one
 * organizer's {@link GoToAccount}, and so does every access token it gives.
 */
final class GoToIdentity {

    /** A GoTo API call, answered in the world of the organizer whose access token it carries. */
    @FunctionalInterface
    interface OrganizerHandler {
        SimResponse handle(SimRequest request, GoToState state) throws Exception;
    }

    private final String clientId;
    private final String clientSecret;
    private final List<GoToAccount> accounts = new CopyOnWriteArrayList<>();
    private volatile GoToAccount signedIn;
    private volatile boolean approveAtOnce;
    private volatile Duration lifetime = Duration.ofHours(1);
    private volatile boolean rotateRefreshToken;
    private volatile boolean legacyTokenFields;
    private volatile boolean adminMeAvailable = true;
    /** Authorization codes not yet exchanged, each once, for a few minutes. */
    private final Map<String, Code> codes = new ConcurrentHashMap<>();

    /** What an authorization code was issued for, and to whom. */
    private record Code(GoToAccount account, String redirectUri, String challenge, Instant expires) {
    }

    /** The first account is the one signed in on the consent page until told otherwise. */
    GoToIdentity(String clientId, String clientSecret, GoToAccount first) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        add(first);
        this.signedIn = first;
    }

    void add(GoToAccount account) {
        accounts.add(account);
    }

    /** Every organizer at this GoTo, the first one first. */
    List<GoToAccount> accounts() {
        return List.copyOf(accounts);
    }

    void signedIn(GoToAccount account) {
        if (!accounts.contains(account)) {
            throw new IllegalArgumentException(account.organizer().email() + " is not an organizer of this simulator");
        }
        this.signedIn = account;
    }

    void approveAtOnce(boolean atOnce) {
        this.approveAtOnce = atOnce;
    }

    /**
     * GoTo's sign-in and consent page: the organizer is signed in already, and allows or denies the OAuth client —
     * or, with {@link #approveAtOnce}, consented before and is sent straight back. A request GoTo would refuse
     * (unknown client, no redirect URI, not response_type=code, PKCE other than S256) gets an error page, as GoTo
     * shows one rather than redirecting.
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
        if (approveAtOnce) {
            return approved(redirect, req.query("state").orElse(""), req.query("code_challenge").orElse(""));
        }
        StringBuilder hidden = new StringBuilder();
        for (String name : new String[] {"client_id", "redirect_uri", "state", "code_challenge"}) {
            hidden.append("<input type=\"hidden\" name=\"").append(name).append("\" value=\"")
                    .append(SimResponse.escapeHtml(req.query(name).orElse(""))).append("\">");
        }
        return SimResponse.html(200, "<!doctype html><html><head><title>GoTo sign-in</title></head><body>"
                + "<h1>Allow access to your GoTo account?</h1><p>Signed in as <span id=\"organizer\">"
                + SimResponse.escapeHtml(signedIn.organizer().email())
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
        String clientState = form.getOrDefault("state", "");
        if (!"allow".equals(form.get("decision"))) {
            return backTo(redirect, "error=access_denied", clientState);
        }
        return approved(redirect, clientState, form.getOrDefault("code_challenge", ""));
    }

    /** Back to the client with a code for the organizer signed in now. */
    private SimResponse approved(String redirect, String clientState, String challenge) {
        GoToAccount account = signedIn;
        String code = OAuthSecrets.newSecret();
        codes.put(code, new Code(account, redirect, challenge, account.state().now().plus(Duration.ofMinutes(5))));
        return backTo(redirect, "code=" + code, clientState);
    }

    private static SimResponse backTo(String redirect, String outcome, String clientState) {
        String stateParam = clientState.isEmpty() ? "" : "&state=" + URLEncoder.encode(clientState, StandardCharsets.UTF_8);
        return SimResponse.redirect(redirect + (redirect.contains("?") ? "&" : "?") + outcome + stateParam);
    }

    /** The authorization code grant: each code once, with its redirect URI, and the PKCE verifier of its challenge. */
    private SimResponse codeGrant(Map<String, String> form) {
        Code code = codes.remove(form.getOrDefault("code", ""));
        if (code == null || !code.account().state().now().isBefore(code.expires())) {
            return oauthError(400, "invalid_grant", "Invalid authorization code");
        }
        if (!code.redirectUri().equals(form.get("redirect_uri"))) {
            return oauthError(400, "invalid_grant", "redirect_uri does not match the authorization request");
        }
        if (!code.challenge().isEmpty() && !code.challenge().equals(s256(form.getOrDefault("code_verifier", "")))) {
            return oauthError(400, "invalid_grant", "PKCE verification failed");
        }
        return grantedTokens(code.account());
    }

    private SimResponse patGrant(String pat) {
        return accounts.stream().filter(a -> a.personalAccessToken().equals(pat)).findFirst().map(this::grantedTokens)
                .orElseGet(() -> oauthError(400, "invalid_grant", "Invalid personal access token"));
    }

    private SimResponse grantedTokens(GoToAccount account) {
        GoToAccount.Tokens tokens = account.grant(lifetime);
        return SimResponse.json(200, tokenBody(account, tokens).put("token_type", "Bearer")
                .put("refresh_token", tokens.refreshToken()));
    }

    private ObjectNode tokenBody(GoToAccount account, GoToAccount.Tokens tokens) {
        return GoToWire.object().put("access_token", tokens.accessToken()).put("expires_in", lifetime.toSeconds())
                .put("scope", "collab: identity:scim.me").put("principal", account.organizer().email());
    }

    private static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void routes(SimServer server) {
        server.route("GET", "/oauth/authorize", this::authorizePage)
                .route("POST", "/oauth/authorize", this::authorizeDecision)
                .route("POST", "/oauth/token", this::token)
                .route("GET", "/admin/rest/v1/me", guard(this::adminMe))
                .route("GET", "/identity/v1/Users/me", guard(this::scimMe));
    }

    /**
     * Lets the call through only with a live bearer token, to the world of the organizer it belongs to; else GoTo's
     * gateway answer, 403 not 401. A path naming another organizer than the token's is refused with 403.
     */
    SimServer.Handler guard(OrganizerHandler handler) {
        return req -> {
            Optional<GoToAccount> account = bearer(req);
            if (account.isEmpty()) {
                return SimResponse.json(403, GoToWire.object().put("int_err_code", "InvalidToken").put("msg", "Invalid token passed"))
                        .withHeader("x-amzn-errortype", "UnauthorizedException");
            }
            GoToState state = account.get().state();
            if (req.pathParams().containsKey("organizerKey")) {
                GoToWire.requireOwnOrganizer(req, state);
            }
            return handler.handle(req, state);
        };
    }

    /** The account whose live access token the call carries as its bearer. */
    Optional<GoToAccount> bearer(SimRequest req) {
        String authorization = req.header("Authorization").orElse("");
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = authorization.substring(7).trim();
        return accounts.stream().filter(a -> a.holds(token)).findFirst();
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

    void expireAll() {
        accounts.forEach(GoToAccount::expireAccessTokens);
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
        return switch (grant) {
            case "authorization_code" -> codeGrant(form);
            case "personal_access_token" -> patGrant(form.getOrDefault("pat", ""));
            case "refresh_token" -> refreshGrant(form.get("refresh_token"));
            default -> oauthError(400, "unsupported_grant_type", "Unsupported grant type: " + grant);
        };
    }

    private SimResponse refreshGrant(String presented) {
        if (presented == null || presented.isBlank()) {
            return oauthError(400, "invalid_request", "Missing refresh_token");
        }
        for (GoToAccount account : accounts) {
            Optional<GoToAccount.Tokens> tokens = account.refresh(presented, rotateRefreshToken, lifetime);
            if (tokens.isPresent()) {
                return refreshed(account, tokens.get());
            }
        }
        return oauthError(400, "invalid_grant", "Invalid refresh token");
    }

    private SimResponse refreshed(GoToAccount account, GoToAccount.Tokens tokens) {
        ObjectNode body = tokenBody(account, tokens);
        // GoTo leaves refresh_token (and token_type) out unless it issued a new one; clients keep the old one.
        if (rotateRefreshToken) {
            body.put("refresh_token", tokens.refreshToken()).put("token_type", "Bearer");
        }
        if (legacyTokenFields) {
            Organizer organizer = account.organizer();
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

    private SimResponse adminMe(SimRequest req, GoToState state) {
        if (!adminMeAvailable) {
            throw GoToWire.error(401, "Unauthorized", "The token is not allowed to use the admin API");
        }
        Organizer o = state.organizer();
        return SimResponse.json(200, GoToWire.object().put("key", String.valueOf(o.key()))
                .put("accountKey", String.valueOf(o.accountKey())).put("email", o.email())
                .put("firstName", o.firstName()).put("lastName", o.lastName()));
    }

    private SimResponse scimMe(SimRequest req, GoToState state) {
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

    private static SimResponse oauthError(int status, String error, String description) {
        return SimResponse.json(status, GoToWire.object().put("error", error).put("error_description", description));
    }
}
