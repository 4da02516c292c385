package io.gotomautic.bridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.gotomautic.bridge.sandbox.MauticTestClient.Answer;

/** Auth, rate limit, faults and call counts of the Mautic simulator. */
class MauticSimulatorTest {

    private MauticSimulator sim;
    private MauticTestClient api;

    @BeforeEach
    void start() {
        sim = MauticSimulator.start(0, "api", "s3cret");
        api = MauticTestClient.basic(sim, "api", "s3cret");
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void basicAuthWithTheRightPasswordIsServed() {
        Answer a = api.get("/api/contacts");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.header("Mautic-Version")).hasValue("5.1.1");
        assertThat(a.body()).isEqualTo("{\"total\":\"0\",\"contacts\":{}}");
    }

    @Test
    void aWrongPasswordOrNoCredentialsAnswer401AccessDenied() {
        Answer wrong = MauticTestClient.basic(sim, "api", "nope").get("/api/contacts");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.error().path("code").asInt()).isEqualTo(401);
        assertThat(wrong.error().path("type").asText()).isEqualTo("access_denied");
        assertThat(wrong.error().path("message").asText()).isEqualTo("Authorization denied, invalid credentials.");

        Answer none = MauticTestClient.anonymous(sim).get("/api/contacts");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.error().path("message").asText()).isEqualTo("API authorization denied.");

        sim.basicAuthDeniedMessage("API authorization denied.");
        assertThat(MauticTestClient.basic(sim, "api", "nope").get("/api/contacts").error().path("message").asText())
                .isEqualTo("API authorization denied.");
    }

    @Test
    void theApiAndBasicAuthSwitchesAnswer403() {
        sim.apiEnabled(false);
        Answer disabled = api.get("/api/contacts");
        assertThat(disabled.status()).isEqualTo(403);
        assertThat(disabled.error().path("type").asText()).isEqualTo("api_disabled");
        assertThat(disabled.error().path("message").asText()).startsWith("API disabled. You need to enable the API");

        sim.apiEnabled(true).basicAuthEnabled(false);
        Answer basicOff = api.get("/api/contacts");
        assertThat(basicOff.status()).isEqualTo(403);
        assertThat(basicOff.error().path("type").asText()).isEqualTo("access_denied");
        assertThat(basicOff.error().path("message").asText()).startsWith("Basic Auth disabled.");
    }

    @Test
    void clientCredentialsGiveABearerTokenThatWorksUntilItExpires() throws InterruptedException {
        sim.oauthClient("1_abc", "shh");
        Answer token = MauticTestClient.anonymous(sim).postForm("/oauth/v2/token",
                "client_id=1_abc&client_secret=shh&grant_type=client_credentials");
        assertThat(token.status()).isEqualTo(200);
        assertThat(token.json().path("token_type").asText()).isEqualTo("bearer");
        assertThat(token.json().path("expires_in").asInt()).isEqualTo(3600);
        assertThat(token.json().has("refresh_token")).isFalse();
        MauticTestClient bearer = MauticTestClient.bearer(sim, token.json().path("access_token").asText());
        assertThat(bearer.get("/api/contacts").status()).isEqualTo(200);

        sim.expireAllTokens();
        Answer expired = bearer.get("/api/contacts");
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.error().path("type").asText()).isEqualTo("invalid_grant");
        assertThat(expired.error().path("message").asText()).isEqualTo("The access token provided has expired.");

        sim.tokenLifetime(Duration.ofMillis(300));
        Answer shortLived = MauticTestClient.anonymous(sim).postForm("/oauth/v2/token",
                "client_id=1_abc&client_secret=shh&grant_type=client_credentials");
        MauticTestClient soon = MauticTestClient.bearer(sim, shortLived.json().path("access_token").asText());
        assertThat(soon.get("/api/contacts").status()).isEqualTo(200);
        Thread.sleep(400);
        assertThat(soon.get("/api/contacts").error().path("message").asText()).isEqualTo("The access token provided has expired.");
    }

    @Test
    void badClientsGrantsAndTokensAreRefusedWithTheContractsBodies() {
        sim.oauthClient("1_abc", "shh");
        Answer badClient = MauticTestClient.anonymous(sim).postForm("/oauth/v2/token",
                "client_id=1_abc&client_secret=wrong&grant_type=client_credentials");
        assertThat(badClient.status()).isEqualTo(400);
        assertThat(badClient.body())
                .isEqualTo("{\"errors\":[{\"message\":\"The client credentials are invalid\",\"code\":400,\"type\":\"invalid_client\"}]}");

        Answer noGrant = MauticTestClient.anonymous(sim).postForm("/oauth/v2/token", "client_id=1_abc&client_secret=shh");
        assertThat(noGrant.status()).isEqualTo(400);
        assertThat(noGrant.error().path("type").asText()).isEqualTo("invalid_request");

        Answer refresh = MauticTestClient.anonymous(sim).postForm("/oauth/v2/token",
                "client_id=1_abc&client_secret=shh&grant_type=refresh_token&refresh_token=x");
        assertThat(refresh.error().path("type").asText()).isEqualTo("unauthorized_client");

        Answer invalid = MauticTestClient.bearer(sim, "made-up").get("/api/contacts");
        assertThat(invalid.status()).isEqualTo(401);
        assertThat(invalid.body())
                .isEqualTo("{\"errors\":[{\"message\":\"The access token provided is invalid.\",\"code\":401,\"type\":\"invalid_grant\"}]}");
    }

    @Test
    void theRateLimitAnswers429WithMauticsBodyAndRetryAfter() {
        sim.rateLimit(2, Duration.ofMinutes(1));
        assertThat(api.get("/api/contacts").status()).isEqualTo(200);
        assertThat(api.get("/api/segments").status()).isEqualTo(200);
        Answer limited = api.get("/api/contacts");
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.body()).isEqualTo(
                "{\"errors\":[{\"code\":429,\"message\":\"You exceeded the rate limit of 2 API calls per hour.\",\"details\":[]}]}");
        assertThat(limited.header("Retry-After")).isPresent();
        assertThat(sim.calls().throttled()).isEqualTo(1);
        assertThat(MauticTestClient.anonymous(sim).postForm("/oauth/v2/token", "grant_type=client_credentials").status())
                .as("the limit covers /api only").isEqualTo(400);
    }

    @Test
    void latencyDelaysEveryCall() {
        sim.faults().latency(Duration.ofMillis(250));
        long t0 = System.nanoTime();
        assertThat(api.get("/api/contacts").status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
    }

    @Test
    void aStatusFaultFailsTheNextCallsThenStops() {
        sim.faults().all().status(500).times(2);
        Answer first = api.get("/api/contacts");
        assertThat(first.status()).isEqualTo(500);
        assertThat(first.error().path("code").asInt()).isEqualTo(500);
        assertThat(first.error().has("details")).isTrue();
        assertThat(api.get("/api/contacts").status()).isEqualTo(500);
        assertThat(api.get("/api/contacts").status()).isEqualTo(200);
    }

    @Test
    void a429FaultCarriesRetryAfter() {
        sim.faults().all().status(429).retryAfter(7).times(1);
        Answer a = api.get("/api/contacts");
        assertThat(a.status()).isEqualTo(429);
        assertThat(a.header("Retry-After")).hasValue("7");
        assertThat(a.error().path("message").asText()).startsWith("You exceeded the rate limit");
    }

    @Test
    void aHangMakesAClientWithAShorterTimeoutTimeOut() {
        sim.faults().all().hang(Duration.ofSeconds(2)).times(1);
        MauticTestClient impatient = api.withTimeout(Duration.ofMillis(300));
        assertThatThrownBy(() -> impatient.trySend("GET", "/api/contacts", null, null)).isInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void aMalformedFaultCutsTheBody() {
        sim.faults().all().malformed().times(1);
        Answer a = api.get("/api/contacts");
        assertThat(a.status()).isEqualTo(200);
        assertThatThrownBy(a::json).isInstanceOf(AssertionError.class);
        assertThat(api.get("/api/contacts").json().path("total").asText()).isEqualTo("0");
    }

    @Test
    void aFaultOnOnePathLeavesTheOthersAlone() {
        sim.faults().on("^/api/segments").status(503);
        assertThat(api.get("/api/segments").status()).isEqualTo(503);
        assertThat(api.get("/api/contacts").status()).isEqualTo(200);
    }

    @Test
    void callsAreCountedPerEndpointTemplate() {
        long a = sim.state().upsertContact(Map.of("email", "a@example.com")).id();
        long b = sim.state().upsertContact(Map.of("email", "b@example.com")).id();
        api.get("/api/contacts/" + a);
        api.get("/api/contacts/" + b);
        api.post("/api/contacts/new", Map.of("email", "c@example.com"));
        assertThat(sim.calls().count("GET /api/contacts/{id}")).isEqualTo(2);
        assertThat(sim.calls().count("POST /api/contacts/new")).isEqualTo(1);
        assertThat(sim.calls().total()).isEqualTo(3);
    }

    @Test
    void unknownPathsAndIdsAnswerMautics404() {
        Answer unknownId = api.get("/api/contacts/999");
        assertThat(unknownId.status()).isEqualTo(404);
        JsonNode e = unknownId.error();
        assertThat(e.path("message").asText()).isEqualTo("Item was not found.");
        assertThat(e.path("details").isArray()).isTrue();
        assertThat(e.has("type") && e.path("type").isNull()).isTrue();
        assertThat(api.get("/api/nothing").status()).isEqualTo(404);
    }

    @Test
    void aBrowserSubmitsAFormWithoutApiCredentials() {
        MauticDemo.seed(sim);
        long form = sim.state().forms().stream().filter(f -> f.alias().equals(MauticDemo.FORM_ALIAS)).findFirst().orElseThrow().id();
        MauticTestClient browser = MauticTestClient.anonymous(sim);
        Answer ajax = browser.send("POST", "/form/submit?ajax=1", "application/x-www-form-urlencoded", "mauticform%5BformId%5D=" + form
                + "&mauticform%5Bemail%5D=visitor%40example.com&mauticform%5Bfirstname%5D=Vi&mauticform%5Breturn%5D=https%3A%2F%2Fsite");
        assertThat(ajax.status()).isEqualTo(200);
        assertThat(ajax.json().path("success").asInt()).isEqualTo(1);
        assertThat(ajax.json().path("results").path("email").asText()).isEqualTo("visitor@example.com");
        assertThat(ajax.json().path("formName").asText()).isEqualTo(MauticDemo.FORM_ALIAS);
        assertThat(sim.state().submissions()).singleElement().satisfies(x -> assertThat(x.results()).containsEntry("firstname", "Vi"));
        assertThat(sim.state().contactByEmail("visitor@example.com")).isPresent();

        Answer page = browser.send("POST", "/form/submit", "application/x-www-form-urlencoded", "mauticform%5BformId%5D=" + form
                + "&mauticform%5Bemail%5D=second%40example.com&mauticform%5Breturn%5D=https%3A%2F%2Fsite%2Fthanks");
        assertThat(page.status()).isEqualTo(302);
        assertThat(page.header("Location")).hasValueSatisfying(l -> assertThat(l).startsWith("https://site/thanks?mauticMessage="));

        Answer unknown = browser.send("POST", "/form/submit?ajax=1", "application/x-www-form-urlencoded", "mauticform%5BformId%5D=999");
        assertThat(unknown.json().path("success").asInt()).isZero();
        assertThat(sim.state().submissions()).hasSize(2);
    }
}
