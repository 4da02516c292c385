package io.gotomautic.bridge.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.LogCapture;
import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connecting a GoTo account in the browser, end to end: the service with an OAuth client but no refresh token, the
 * GoTo simulator's consent page and token endpoint over HTTP, a browser's cookies, real PostgreSQL. Every way the
 * flow can end badly ends on a page that says so and connects nothing.
 */
public class ConnectTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();
    @RegisterExtension
    static final LogCapture LOG = new LogCapture();

    GoToSimulator goTo;
    Bridge bridge;
    String base;

    @BeforeEach
    void start() throws Exception {
        goTo = GoToSimulator.start(0, "client", "secret", "refresh-of-the-organizer");
        DB.empty();
        int port = TestBridge.freePort();
        base = "http://127.0.0.1:" + port;
        Map<String, String> s = new LinkedHashMap<>(DB.settings());
        s.put("bridge.secret-key", "a-long-random-test-key-4b1f");
        s.putAll(TestBridge.connectable(goTo, port));
        s.put("bridge.poll.webinar", "1s");
        bridge = TestBridge.start(s);
    }

    @AfterEach
    void stop() {
        bridge.close();
        goTo.close();
    }

    @Test
    void anAccountConnectedInTheBrowserIsStoredSealedAndPolledWithoutARestart() throws Exception {
        long webinar = goTo.state().webinars().add(GoToWebinars.webinar("Launch")
                .times(TimeRange.of(Instant.now().plus(Duration.ofDays(3)), Duration.ofHours(1)))).key();
        goTo.state().webinars().addRegistrant(webinar, "Ada", "Lovelace", "ada@example.com");
        // no account yet: the GoTo part is held and says how to connect one
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> DB.strings(
                "SELECT coalesce(fix, '') FROM part_state WHERE part = 'goto'").stream().anyMatch(f -> f.contains(base + "/connect/goto")));

        Browser browser = new Browser();
        HttpResponse<String> start = browser.get(base + "/connect/goto");
        assertThat(start.statusCode()).isEqualTo(302);
        URI authorize = URI.create(start.headers().firstValue("Location").orElseThrow());
        Map<String, String> q = query(authorize.getRawQuery());
        assertThat(authorize.toString()).startsWith(goTo.baseUrl() + "/oauth/authorize?");
        assertThat(q).containsEntry("response_type", "code").containsEntry("client_id", "client")
                .containsEntry("redirect_uri", base + "/connect/goto/callback").containsEntry("code_challenge_method", "S256");
        assertThat(q.get("state")).hasSizeGreaterThan(30);
        assertThat(q.get("code_challenge")).hasSize(43);
        assertThat(start.headers().firstValue("Set-Cookie").orElseThrow()).contains("HttpOnly").contains("SameSite=Lax");

        URI callback = browser.consent(authorize, "allow");
        HttpResponse<String> done = browser.get(callback.toString());
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).contains("GoTo account connected").contains(goTo.state().organizer().email());

        String stored = DB.strings("SELECT refresh_token FROM goto_account").get(0);
        assertThat(stored).startsWith("gcm:").doesNotContain("refresh-of-the-organizer");
        assertThat(DB.strings("SELECT name || ' ' || organizer_key FROM goto_account"))
                .containsExactly(goTo.state().organizer().email().toLowerCase() + " " + goTo.state().organizer().key());
        // the polls use it from now on, in the running service
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> DB.strings(
                "SELECT count(*) FROM registration WHERE lower(email) = 'ada@example.com'").get(0).equals("1"));
        assertThat(DB.strings("SELECT coalesce(fix, '') FROM part_state WHERE part = 'goto'")).containsExactly("");

        // the same answer again (a reload, or someone replaying the URL) connects nothing
        HttpResponse<String> replay = browser.get(callback.toString());
        assertThat(replay.statusCode()).isEqualTo(400);
        assertThat(replay.body()).contains("already used");
    }

    @Test
    void aDeniedConsentAWrongStateAnotherBrowserAndARefusedCodeEachEndOnAPageAndConnectNothing() throws Exception {
        {
            Browser browser = new Browser();
            URI denied = browser.consent(URI.create(browser.get(base + "/connect/goto").headers().firstValue("Location").orElseThrow()), "deny");
            HttpResponse<String> page = browser.get(denied.toString());
            assertThat(page.statusCode()).isEqualTo(400);
            assertThat(page.body()).contains("You did not allow the bridge");

            HttpResponse<String> forged = browser.get(base + "/connect/goto/callback?code=abc&state=not-one-we-sent");
            assertThat(forged.statusCode()).isEqualTo(400);
            assertThat(forged.body()).contains("not begun here");

            URI elsewhere = browser.consent(URI.create(browser.get(base + "/connect/goto").headers().firstValue("Location").orElseThrow()), "allow");
            HttpResponse<String> other = new Browser().get(elsewhere.toString());
            assertThat(other.statusCode()).isEqualTo(400);
            assertThat(other.body()).contains("begun in another browser");

            URI allowed = browser.consent(URI.create(browser.get(base + "/connect/goto").headers().firstValue("Location").orElseThrow()), "allow");
            String tampered = allowed.toString().replaceFirst("code=[^&]+", "code=forged");
            HttpResponse<String> refused = browser.get(tampered);
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("GoTo refused the authorization code (HTTP 400 invalid_grant");

            assertThat(DB.strings("SELECT count(*) FROM goto_account")).containsExactly("0");
            assertThat(String.join("\n", LOG.lines())).doesNotContain("refresh-of-the-organizer").doesNotContain("code=");
        }
    }

    @Test
    void aPersonalAccessTokenConnectsTheOrganizerAndAWrongOneIsRefused() throws Exception {
        var http = new io.gotomautic.bridge.http.HttpTransport(bridge.camelContext(), "goto", Duration.ofSeconds(10),
                new io.gotomautic.bridge.ops.Meters());
        var settings = TestBridge.settings(Map.of("goto.api-url", goTo.baseUrl(), "goto.auth-url", goTo.baseUrl(),
                "goto.client-id", "client", "goto.client-secret", "secret", "bridge.secret-key", "k"));
        var accounts = GoToConnect.accounts(settings, bridge.database().dataSource());
        GoToConnect viaPat = GoToConnect.of(settings, bridge.database().dataSource(), GoToConnect.tokenEndpoint(settings, http),
                http, accounts);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> viaPat.withPersonalAccessToken("pat-wrong"))
                .isInstanceOf(GoToConnect.Refused.class).hasMessageContaining("GoTo refused the Personal Access Token (HTTP 400 invalid_grant");
        GoToConnect.Connected c = viaPat.withPersonalAccessToken(goTo.personalAccessToken());
        assertThat(c.email()).isEqualTo(goTo.state().organizer().email());
        assertThat(accounts.credential(c.name()).orElseThrow().refreshToken()).isEqualTo(goTo.currentRefreshToken());
        assertThat(accounts.disconnect(c.name())).isTrue();
        assertThat(accounts.connected()).isEmpty();
        assertThat(DB.strings("SELECT (refresh_token IS NULL)::text || ' ' || (disconnected_at IS NOT NULL)::text FROM goto_account"))
                .containsExactly("true true");
    }

    /** A browser: its own cookies, redirects not followed (the test follows them, to look at each). */
    public static final class Browser {
        private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();

        public HttpResponse<String> get(String url) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        }

        /** GoTo's consent page, and the organizer's click on Allow or Deny: where GoTo sends the browser back. */
        public URI consent(URI authorize, String decision) throws Exception {
            HttpResponse<String> page = get(authorize.toString());
            assertThat(page.statusCode()).isEqualTo(200);
            Map<String, String> form = new LinkedHashMap<>();
            Matcher m = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">").matcher(page.body());
            while (m.find()) {
                form.put(m.group(1), m.group(2).replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"));
            }
            form.put("decision", decision);
            String body = form.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(authorize.resolve("/oauth/authorize"))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(302);
            return URI.create(answer.headers().firstValue("Location").orElseThrow());
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }
}
