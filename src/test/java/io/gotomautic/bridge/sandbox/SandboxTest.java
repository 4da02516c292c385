package io.gotomautic.bridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.connect.ConnectTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox's GoTo: the configured refresh token is the first organizer's, and Connect connects the second at once. */
class SandboxTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path data;
    private Sandbox sandbox;

    @BeforeEach
    void start() throws Exception {
        DB.empty();
        sandbox = Sandbox.start(TestBridge.settings(Map.of("sandbox.goto-port", "0", "sandbox.mautic-port", "0",
                "bridge.db.embedded-dir", data.toString())));
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void theConfiguredRefreshTokenIsTheFirstOrganizersAndAuthorizingGivesTheSecondWithoutAConsentPage() throws Exception {
        GoToSimulator goTo = sandbox.goTo();

        JsonNode configured = token("grant_type=refresh_token&refresh_token=" + sandbox.settings().get("goto.refresh-token"));
        HttpResponse<String> authorize = HTTP.send(HttpRequest.newBuilder(URI.create(goTo.baseUrl()
                + "/oauth/authorize?client_id=sandbox&response_type=code&state=s1&redirect_uri=http://127.0.0.1:1/cb")).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, String> back = new LinkedHashMap<>();
        SimRequest.parseQuery(URI.create(authorize.headers().firstValue("Location").orElseThrow()).getRawQuery())
                .forEach((k, v) -> back.put(k, v.get(0)));
        JsonNode connected = token("grant_type=authorization_code&redirect_uri=http://127.0.0.1:1/cb&code=" + back.get("code"));

        assertThat(configured.path("principal").asText()).isEqualTo(goTo.state().organizer().email());
        assertThat(authorize.statusCode()).isEqualTo(302);
        assertThat(back).containsEntry("state", "s1");
        assertThat(connected.path("principal").asText()).isEqualTo(GoToDemo.SECOND_ORGANIZER_EMAIL);
        assertThat(goTo.state().webinars().all()).noneMatch(w -> w.subject().startsWith("Grace's"));
        assertThat(sandbox.secondOrganizer().state().webinars().all()).hasSize(2)
                .allSatisfy(w -> assertThat(w.subject()).startsWith("Grace's"))
                .allSatisfy(w -> assertThat(w.start()).isAfter(goTo.state().now()))
                .allSatisfy(w -> assertThat(sandbox.secondOrganizer().state().webinars().registrants(w.key())).isNotEmpty());
    }

    @Test
    void aNewcomerWhoClicksConnectConnectsTheSecondOrganizerWithoutAConsentPageAndHerWebinarsArrive() throws Exception {
        // the sandbox's polls, made quick: the newcomer watches the second account's webinars arrive
        try (Bridge bridge = Bridge.start(sandbox.settings().with(DB.settings()).with(Map.of("bridge.poll.webinar", "1s")))) {
            // where the newcomer opens the console, so the browser's cookie comes back with GoTo's redirect
            String base = sandbox.settings().publicUrl();
            ConnectTest.Browser browser = new ConnectTest.Browser();

            HttpResponse<String> toGoTo = browser.get(base + "/connect/goto");
            HttpResponse<String> backFromGoTo = browser.get(toGoTo.headers().firstValue("Location").orElseThrow());
            assertThat(backFromGoTo.statusCode()).as("GoTo sends the browser straight back").isEqualTo(302);
            HttpResponse<String> done = browser.get(backFromGoTo.headers().firstValue("Location").orElseThrow());

            assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
            assertThat(done.body()).contains("GoTo account connected").contains(GoToDemo.SECOND_ORGANIZER_EMAIL);
            assertThat(DB.strings("SELECT name || ' ' || organizer_key FROM goto_account"))
                    .containsExactly(GoToDemo.SECOND_ORGANIZER_EMAIL + " " + sandbox.secondOrganizer().organizer().key());

            // polled beside the first organizer's, and in Mautic: the registrants of both of Grace's webinars
            Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(DB.strings("SELECT title FROM event WHERE account = '" + GoToDemo.SECOND_ORGANIZER_EMAIL + "' ORDER BY title"))
                        .containsExactly("Grace's compilers for marketers", "Grace's debugging clinic");
                assertThat(DB.strings("SELECT count(*) FROM outbox WHERE payload ->> 'account' = '" + GoToDemo.SECOND_ORGANIZER_EMAIL
                        + "' AND payload ->> 'type' = 'registered' AND status = 'delivered'")).containsExactly("14");
            });
            assertThat(DB.strings("SELECT count(*) FROM event WHERE account = 'default'")).doesNotContain("0");
        }
    }

    private JsonNode token(String form) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(sandbox.goTo().baseUrl() + "/oauth/token"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (Sandbox.CREDENTIAL + ":" + Sandbox.CREDENTIAL).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
