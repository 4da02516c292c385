package io.gotomautic.bridge.connect;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.gotoapi.GoToException;
import io.gotomautic.bridge.gotoapi.TokenEndpoint;
import io.gotomautic.bridge.http.HttpTransport;
import io.gotomautic.bridge.http.HttpTransportException;
import io.gotomautic.bridge.store.GoToAccounts;
import io.gotomautic.bridge.store.Hashes;
import io.gotomautic.bridge.store.SecretBox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects a GoTo organizer's account: GoTo's OAuth authorization-code flow with PKCE (S256), begun in a browser
 * ({@code GET /connect/goto}) or by {@code connect goto}, ended by GoTo's redirect to
 * {@code {bridge.public-url}/connect/goto/callback}; or a Personal Access Token ({@code connect goto --pat}). Either way
 * the organizer is looked up ({@code /admin/rest/v1/me}) and the account stored with its refresh token, which the GoTo
 * connection then uses without a restart. Each authorization's state is random, stored hashed, bound to the browser
 * that began it (or to the CLI) and used once, within ten minutes.
 */
public class GoToConnect {

    /** Why a connection did not happen, in words for the person at the browser or the terminal. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /** The account connected. */
    public record Connected(String name, String email) {
    }

    /** The browser tag of an authorization begun by {@code connect goto}. */
    static final String CLI = "cli";
    private static final Duration STATE_LIFETIME = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(GoToConnect.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource dataSource;
    private final TokenEndpoint tokens;
    private final HttpTransport http;
    private final GoToAccounts accounts;
    private final String authUrl;
    private final String apiUrl;
    private final String redirectUri;

    /** @param publicUrl bridge.public-url (or the local address), where GoTo sends the browser back */
    public GoToConnect(DataSource dataSource, TokenEndpoint tokens, HttpTransport http, GoToAccounts accounts, String authUrl,
                       String apiUrl, String publicUrl) {
        this.dataSource = dataSource;
        this.tokens = tokens;
        this.http = http;
        this.accounts = accounts;
        this.authUrl = authUrl.replaceAll("/+$", "");
        this.apiUrl = apiUrl.replaceAll("/+$", "");
        this.redirectUri = publicUrl.replaceAll("/+$", "") + "/connect/goto/callback";
    }

    /** The OAuth client of goto.client-id and goto.client-secret at goto.auth-url. */
    public static TokenEndpoint tokenEndpoint(Settings settings, HttpTransport http) {
        return new TokenEndpoint(http, settings.get("goto.auth-url"), settings.get("goto.client-id"), settings.get("goto.client-secret"));
    }

    /** The connected accounts, their tokens sealed with bridge.secret-key. */
    public static GoToAccounts accounts(Settings settings, DataSource dataSource) {
        return new GoToAccounts(dataSource, SecretBox.of(settings));
    }

    public static GoToConnect of(Settings settings, DataSource dataSource, TokenEndpoint tokens, HttpTransport http,
                                 GoToAccounts accounts) {
        return new GoToConnect(dataSource, tokens, http, accounts, settings.get("goto.auth-url"), settings.get("goto.api-url"),
                settings.publicUrl());
    }

    /** Where a browser begins: {@code {bridge.public-url}/connect/goto}. */
    public String startUrl() {
        return redirectUri.substring(0, redirectUri.length() - "/callback".length());
    }

    public String redirectUri() {
        return redirectUri;
    }

    /** An authorization begun by {@code connect goto}: the GoTo URL to open, and its state to wait on. */
    public record Begun(String url, String state) {
    }

    public Begun beginForCli() throws SQLException {
        String state = random();
        return new Begun(begin(CLI, state), state);
    }

    /** A new authorization for a browser (the hash of its cookie): the GoTo URL to send it to. */
    public String begin(String browser) throws SQLException {
        return begin(browser, random());
    }

    private String begin(String browser, String state) throws SQLException {
        String verifier = random() + random();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement old = c.prepareStatement("DELETE FROM goto_connect WHERE created_at < now() - ?::interval")) {
                old.setString(1, STATE_LIFETIME.toSeconds() + " seconds");
                old.executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement("INSERT INTO goto_connect (state_hash, browser, verifier) VALUES (?, ?, ?)")) {
                st.setString(1, Hashes.sha256(state));
                st.setString(2, browser);
                st.setString(3, verifier);
                st.executeUpdate();
            }
        }
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", tokens.clientId());
        q.put("redirect_uri", redirectUri);
        q.put("state", state);
        q.put("code_challenge", challenge(verifier));
        q.put("code_challenge_method", "S256");
        return authUrl + "/oauth/authorize?" + query(q);
    }

    /**
     * GoTo sent the browser back: the state is checked (and used up), then the code exchanged.
     *
     * @param error GoTo's {@code error} parameter (e.g. {@code access_denied}), or null
     */
    public Connected finish(String state, String browser, String code, String error) throws Refused, SQLException {
        if (state == null || state.isBlank()) {
            throw new Refused("GoTo's answer carries no state: start again at /connect/goto.");
        }
        String verifier = claim(state, browser);
        if (error != null && !error.isBlank()) {
            throw new Refused(error.equals("access_denied") ? "You did not allow the bridge to use your GoTo account, so it"
                    + " is not connected. Start again at /connect/goto when you want to connect it."
                    : "GoTo did not authorize the bridge (" + error + "). Start again at /connect/goto.");
        }
        if (code == null || code.isBlank()) {
            throw new Refused("GoTo's answer carries no authorization code: start again at /connect/goto.");
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        form.put("code_verifier", verifier);
        return store(grant(form, "the authorization code"), "the browser");
    }

    /** Connects the organizer whose Personal Access Token this is. */
    public Connected withPersonalAccessToken(String pat) throws Refused, SQLException {
        if (pat == null || pat.isBlank()) {
            throw new Refused("no Personal Access Token given");
        }
        return store(grant(Map.of("grant_type", "personal_access_token", "pat", pat.trim()), "the Personal Access Token"),
                "a Personal Access Token");
    }

    /** Whether the CLI's authorization with this state is still open (not yet answered by GoTo). */
    public boolean open(String state) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT 1 FROM goto_connect WHERE state_hash = ?")) {
            st.setString(1, Hashes.sha256(state));
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The state's verifier, the state used up; refused when unknown, used, stale or of another browser. */
    private String claim(String state, String browser) throws Refused, SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(
                "DELETE FROM goto_connect WHERE state_hash = ? RETURNING browser, verifier, created_at > now() - ?::interval")) {
            st.setString(1, Hashes.sha256(state));
            st.setString(2, STATE_LIFETIME.toSeconds() + " seconds");
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    LOG.warn("GoTo connect: an unknown or already used state came back; nothing connected");
                    throw new Refused("This GoTo sign-in was already used, or was not begun here: nothing was connected."
                            + " Start again at /connect/goto.");
                }
                if (!rs.getBoolean(3)) {
                    throw new Refused("This GoTo sign-in took longer than " + STATE_LIFETIME.toMinutes()
                            + " minutes: start again at /connect/goto.");
                }
                String began = rs.getString(1);
                if (!began.equals(CLI) && !began.equals(browser)) {
                    LOG.warn("GoTo connect: a state came back to another browser than the one that began it; nothing connected");
                    throw new Refused("This GoTo sign-in was begun in another browser: nothing was connected. Start again at"
                            + " /connect/goto in this one.");
                }
                return rs.getString(2);
            }
        }
    }

    private JsonNode grant(Map<String, String> form, String what) throws Refused {
        TokenEndpoint.Answer answer;
        try {
            answer = tokens.grant(form);
        } catch (GoToException e) {
            throw new Refused("GoTo did not answer (" + e.getMessage() + "): try again in a moment.");
        }
        if (!answer.ok()) {
            LOG.warn("GoTo connect: GoTo refused {} (HTTP {} {})", what, answer.status(), answer.error());
            throw new Refused("GoTo refused " + what + " (HTTP " + answer.status()
                    + (answer.error().isEmpty() ? "" : " " + answer.error()) + (answer.description().isEmpty() ? "" : ": "
                    + answer.description()) + "). Start again; if it happens again, check goto.client-id and goto.client-secret,"
                    + " and that the OAuth client's redirect URI is " + redirectUri + ".");
        }
        if (answer.body().path("access_token").asText("").isEmpty() || answer.body().path("refresh_token").asText("").isEmpty()) {
            throw new Refused("GoTo's token answer lacks the access or refresh token: nothing was connected.");
        }
        return answer.body();
    }

    private Connected store(JsonNode token, String how) throws Refused, SQLException {
        JsonNode me = me(token.path("access_token").asText());
        String key = me.path("key").asText(me.path("id").asText(""));
        String email = me.path("email").asText(me.path("userName").asText(""));
        if (key.isEmpty() || email.isEmpty()) {
            throw new Refused("GoTo did not say which organizer the token is for: nothing was connected.");
        }
        String name = accounts.connect(email.toLowerCase(java.util.Locale.ROOT), key, email, token.path("refresh_token").asText());
        LOG.info("Connected GoTo account {} (organizer {}) with {}", EmailAddress.masked(name), key, how);
        return new Connected(name, email);
    }

    /** The organizer: {@code /admin/rest/v1/me}, or SCIM's {@code /identity/v1/Users/me} for tokens the admin API refuses. */
    private JsonNode me(String accessToken) throws Refused {
        for (String path : new String[] {"/admin/rest/v1/me", "/identity/v1/Users/me"}) {
            HttpTransport.Response r;
            try {
                r = http.send("GET", apiUrl + path, Map.of("Authorization", "Bearer " + accessToken, "Accept", "application/json"), null);
            } catch (HttpTransportException e) {
                throw new Refused("GoTo did not answer who the organizer is (" + e.getMessage() + "): try again in a moment.");
            }
            if (r.ok()) {
                if (r.json() == null) {
                    throw new Refused("GoTo's answer about the organizer is not JSON: try again in a moment.");
                }
                return r.json();
            }
            if (r.status() != 401 && r.status() != 403 && r.status() != 404) {
                throw new Refused("GoTo answered HTTP " + r.status() + " when asked who the organizer is: try again in a moment.");
            }
        }
        throw new Refused("GoTo does not say who the organizer of this token is (admin and identity APIs refused it).");
    }

    static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String challenge(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String query(Map<String, String> q) {
        StringBuilder s = new StringBuilder();
        q.forEach((k, v) -> s.append(s.length() == 0 ? "" : "&").append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return s.toString();
    }
}
