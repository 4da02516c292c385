package io.gotomautic.bridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.gotomautic.bridge.sandbox.GoToState.TimeRange;

/** The simulator's identity side, rate limit, faults and call log, and the demo world. */
class GoToSimulatorTest {

    /** A client of a fresh simulator holding a live access token; the other GoTo tests use it too. */
    static final class Api implements AutoCloseable {
        static final String CLIENT_ID = "sandbox-client";
        static final String CLIENT_SECRET = "sandbox-secret";
        static final String REFRESH_TOKEN = "refresh-token-1";
        static final ObjectMapper JSON = new ObjectMapper();

        final GoToSimulator sim = GoToSimulator.start(0, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN);
        final HttpClient http = HttpClient.newHttpClient();
        String accessToken;

        record Reply(int status, HttpHeaders headers, String text) {
            JsonNode json() {
                try {
                    return JSON.readTree(text);
                } catch (JsonProcessingException e) {
                    throw new AssertionError("not JSON: " + text, e);
                }
            }
        }

        Api() {
            sim.rateLimit(0, Duration.ofSeconds(1));
            accessToken = refresh(REFRESH_TOKEN).json().path("access_token").asText();
        }

        GoToState state() {
            return sim.state();
        }

        long organizerKey() {
            return state().organizer().key();
        }

        Reply refresh(String refreshToken) {
            return token(CLIENT_ID, CLIENT_SECRET, "grant_type=refresh_token&refresh_token=" + enc(refreshToken));
        }

        Reply token(String clientId, String secret, String form) {
            return send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/oauth/token"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            (clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)));
        }

        Reply get(String path) {
            return send(authed(path).GET());
        }

        Reply post(String path, String json) {
            return send(authed(path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)));
        }

        Reply delete(String path) {
            return send(authed(path).DELETE());
        }

        HttpRequest.Builder authed(String path) {
            return HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).header("Authorization", "Bearer " + accessToken)
                    .header("Accept", "application/json");
        }

        Reply send(HttpRequest.Builder request) {
            try {
                HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                return new Reply(r.statusCode(), r.headers(), r.body());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** A G2W path under this organizer. */
        String g2w(String rest) {
            return "/G2W/rest/v2/organizers/" + organizerKey() + rest;
        }

        /** A G2W webinars query covering [now + fromDays, now + toDays]. */
        String webinarsBetween(int fromDays, int toDays) {
            Instant now = state().now();
            return g2w("/webinars?fromTime=" + GoToWire.time(now.plus(Duration.ofDays(fromDays)))
                    + "&toTime=" + GoToWire.time(now.plus(Duration.ofDays(toDays))));
        }

        static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            sim.close();
        }
    }

    private Api api;

    @BeforeEach
    void start() {
        api = new Api();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void aRefreshGivesAnHourLongTokenForTheOrganizerAndNoNewRefreshToken() {
        Api.Reply r = api.refresh(Api.REFRESH_TOKEN);

        assertThat(r.status()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.path("access_token").asText()).isNotBlank();
        assertThat(body.path("expires_in").asLong()).isEqualTo(3600);
        assertThat(body.path("principal").asText()).isEqualTo(api.state().organizer().email());
        assertThat(body.has("refresh_token")).isFalse();
        assertThat(body.has("organizer_key")).as("current clients get no keys in the token").isFalse();
        assertThat(api.refresh(Api.REFRESH_TOKEN).status()).as("the same refresh token keeps working").isEqualTo(200);
    }

    @Test
    void tokenEndpointErrorsAreRfc6749Style() {
        Api.Reply wrongSecret = api.token(Api.CLIENT_ID, "nope", "grant_type=refresh_token&refresh_token=" + Api.REFRESH_TOKEN);
        assertThat(wrongSecret.status()).isEqualTo(401);
        assertThat(wrongSecret.json().path("error").asText()).isEqualTo("invalid_client");
        assertThat(wrongSecret.json().path("error_description").asText()).isNotBlank();

        Api.Reply badGrant = api.token(Api.CLIENT_ID, Api.CLIENT_SECRET, "grant_type=client_credentials");
        assertThat(badGrant.status()).isEqualTo(400);
        assertThat(badGrant.json().path("error").asText()).isEqualTo("unsupported_grant_type");

        Api.Reply noGrant = api.token(Api.CLIENT_ID, Api.CLIENT_SECRET, "refresh_token=" + Api.REFRESH_TOKEN);
        assertThat(noGrant.json().path("error").asText()).isEqualTo("invalid_request");

        Api.Reply unknownToken = api.refresh("stolen");
        assertThat(unknownToken.status()).isEqualTo(400);
        assertThat(unknownToken.json().path("error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void clientSecretPostIsAcceptedToo() {
        Api.Reply r = api.send(HttpRequest.newBuilder(URI.create(api.sim.baseUrl() + "/oauth/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&refresh_token=" + Api.REFRESH_TOKEN
                        + "&client_id=" + Api.CLIENT_ID + "&client_secret=" + Api.CLIENT_SECRET)));
        assertThat(r.status()).isEqualTo(200);
    }

    @Test
    void withRotationEachRefreshIssuesANewRefreshTokenAndRetiresTheOld() {
        api.sim.rotateRefreshToken(true);

        JsonNode first = api.refresh(Api.REFRESH_TOKEN).json();

        String rotated = first.path("refresh_token").asText();
        assertThat(rotated).isNotBlank().isNotEqualTo(Api.REFRESH_TOKEN).isEqualTo(api.sim.currentRefreshToken());
        assertThat(first.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(api.refresh(Api.REFRESH_TOKEN).json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(api.refresh(rotated).status()).isEqualTo(200);
    }

    @Test
    void legacyTokenFieldsCarryTheKeysAsStrings() {
        api.sim.legacyTokenFields(true);
        JsonNode body = api.refresh(Api.REFRESH_TOKEN).json();
        assertThat(body.path("organizer_key").asText()).isEqualTo(String.valueOf(api.organizerKey()));
        assertThat(body.path("account_key").isTextual()).isTrue();
    }

    @Test
    void meGivesTheOrganizerAndAccountKeys() {
        JsonNode me = api.get("/admin/rest/v1/me").json();
        GoToState.Organizer o = api.state().organizer();
        assertThat(me.path("key").asText()).isEqualTo(String.valueOf(o.key()));
        assertThat(me.path("accountKey").asText()).isEqualTo(String.valueOf(o.accountKey()));
        assertThat(me.path("email").asText()).isEqualTo(o.email());
        assertThat(me.path("firstName").asText()).isEqualTo(o.firstName());
        assertThat(me.path("lastName").asText()).isEqualTo(o.lastName());

        JsonNode scim = api.get("/identity/v1/Users/me").json();
        assertThat(scim.path("id").asText()).isEqualTo(String.valueOf(o.key()));
        assertThat(scim.path("name").path("givenName").asText()).isEqualTo(o.firstName());
        assertThat(scim.path("emails").get(0).path("value").asText()).isEqualTo(o.email());

        api.sim.adminMeAvailable(false);
        assertThat(api.get("/admin/rest/v1/me").status()).isEqualTo(401);
        assertThat(api.get("/identity/v1/Users/me").status()).isEqualTo(200);
    }

    @Test
    void anExpiredTokenGets403InvalidTokenFromTheGateway() {
        api.sim.tokenLifetime(Duration.ofMinutes(10));
        Api.Reply fresh = api.refresh(Api.REFRESH_TOKEN);
        assertThat(fresh.json().path("expires_in").asLong()).isEqualTo(600);
        api.accessToken = fresh.json().path("access_token").asText();
        assertThat(api.get("/admin/rest/v1/me").status()).isEqualTo(200);

        api.state().useClock(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(601)));

        Api.Reply expired = api.get("/admin/rest/v1/me");
        assertThat(expired.status()).isEqualTo(403);
        assertThat(expired.json().path("int_err_code").asText()).isEqualTo("InvalidToken");
        assertThat(expired.json().path("msg").asText()).isEqualTo("Invalid token passed");
        assertThat(expired.headers().firstValue("x-amzn-errortype")).hasValue("UnauthorizedException");
    }

    @Test
    void expireAllTokensInvalidatesEveryIssuedTokenButRefreshStillWorks() {
        String other = api.refresh(Api.REFRESH_TOKEN).json().path("access_token").asText();

        api.sim.expireAllTokens();

        assertThat(api.get(api.webinarsBetween(0, 1)).status()).isEqualTo(403);
        api.accessToken = other;
        assertThat(api.get("/G2M/rest/upcomingMeetings").json().path("int_err_code").asText()).isEqualTo("InvalidToken");
        api.accessToken = api.refresh(Api.REFRESH_TOKEN).json().path("access_token").asText();
        assertThat(api.get("/G2M/rest/upcomingMeetings").status()).isEqualTo(200);
    }

    @Test
    void everyApiFamilyRefusesAMissingOrForeignBearer() {
        for (String path : List.of(api.webinarsBetween(0, 1), "/G2T/rest/organizers/" + api.organizerKey() + "/trainings",
                "/G2M/rest/upcomingMeetings", "/G2A/rest/v1/sessions/1", "/admin/rest/v1/me")) {
            Api.Reply missing = api.send(HttpRequest.newBuilder(URI.create(api.sim.baseUrl() + path)).GET());
            assertThat(missing.status()).as(path).isEqualTo(403);
            assertThat(missing.json().path("int_err_code").asText()).as(path).isEqualTo("InvalidToken");
        }
        api.accessToken = "eyJforged";
        assertThat(api.get("/G2M/rest/upcomingMeetings").status()).isEqualTo(403);
    }

    @Test
    void theRateLimitAnswers429WithRetryAfterAndCountsIt() {
        api.sim.rateLimit(3, Duration.ofSeconds(1));

        List<Integer> statuses = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            statuses.add(api.get("/G2M/rest/upcomingMeetings").status());
        }

        assertThat(statuses).containsExactly(200, 200, 200, 429);
        Api.Reply limited = api.get("/G2M/rest/upcomingMeetings");
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(api.sim.calls().throttled()).isEqualTo(2);
        assertThat(api.refresh(Api.REFRESH_TOKEN).status()).as("the token endpoint is not limited").isEqualTo(200);
    }

    @Test
    void theRealTenPerSecondLimitIsTheDefault() {
        try (GoToSimulator fresh = GoToSimulator.start(0, "c", "s", "r")) {
            Api.Reply token = api.send(HttpRequest.newBuilder(URI.create(fresh.baseUrl() + "/oauth/token"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("c:s".getBytes(StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&refresh_token=r")));
            String bearer = "Bearer " + token.json().path("access_token").asText();
            long ok = 0;
            for (int i = 0; i < 11; i++) {
                if (api.send(HttpRequest.newBuilder(URI.create(fresh.baseUrl() + "/G2M/rest/upcomingMeetings"))
                        .header("Authorization", bearer).GET()).status() == 200) {
                    ok++;
                }
            }
            assertThat(ok).isEqualTo(GoToSimulator.REAL_RATE_LIMIT_CALLS);
            assertThat(fresh.calls().throttled()).isEqualTo(1);
        }
    }

    @Test
    void latencyDelaysEveryAnswer() {
        api.sim.faults().latency(Duration.ofMillis(150));
        long t0 = System.nanoTime();
        assertThat(api.get("/G2M/rest/upcomingMeetings").status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    }

    @Test
    void aStatusFaultFailsTheNextNCallsThenRecovers() {
        api.sim.faults().all().status(500).times(2);

        Api.Reply first = api.get("/G2M/rest/upcomingMeetings");
        assertThat(first.status()).isEqualTo(500);
        assertThat(first.json().path("errorCode").asText()).isEqualTo("InternalError");
        assertThat(api.get("/G2M/rest/upcomingMeetings").status()).isEqualTo(500);
        assertThat(api.get("/G2M/rest/upcomingMeetings").status()).isEqualTo(200);
    }

    @Test
    void a429BurstCarriesRetryAfterAndCountsAsThrottled() {
        api.sim.faults().all().status(429).retryAfter(7).times(2);

        Api.Reply r = api.get("/G2M/rest/upcomingMeetings");
        api.get("/G2M/rest/upcomingMeetings");

        assertThat(r.status()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(api.sim.calls().throttled()).isEqualTo(2);
        assertThat(api.get("/G2M/rest/upcomingMeetings").status()).isEqualTo(200);
    }

    @Test
    void aHangingCallTimesTheClientOut() {
        api.sim.faults().all().hang(Duration.ofSeconds(5)).times(1);
        assertThatThrownBy(() -> api.http.send(api.authed("/G2M/rest/upcomingMeetings").timeout(Duration.ofMillis(300))
                .GET().build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void aMalformedBodyIsNotParseable() {
        api.state().meetings().add("Sync", TimeRange.of(api.state().now().plus(Duration.ofDays(1)), Duration.ofHours(1)));
        api.sim.faults().all().malformed().times(1);

        Api.Reply r = api.get("/G2M/rest/upcomingMeetings");

        assertThat(r.status()).isEqualTo(200);
        assertThatThrownBy(() -> Api.JSON.readTree(r.text())).isInstanceOf(JsonProcessingException.class);
        assertThat(api.get("/G2M/rest/upcomingMeetings").json().size()).isEqualTo(1);
    }

    @Test
    void aPathScopedFaultHitsOnlyMatchingPaths() {
        api.sim.faults().on("^/G2T/").status(503);

        assertThat(api.get("/G2T/rest/organizers/" + api.organizerKey() + "/trainings").status()).isEqualTo(503);
        assertThat(api.get("/G2M/rest/upcomingMeetings").status()).isEqualTo(200);
        assertThat(api.get(api.webinarsBetween(0, 1)).status()).isEqualTo(200);
    }

    @Test
    void callsAreCountedPerEndpointTemplate() {
        api.sim.calls().reset();
        api.get(api.webinarsBetween(0, 1));
        api.get(api.webinarsBetween(0, 2));
        api.get(api.g2w("/webinars/123/registrants"));
        api.get("/G2W/rest/v2/nowhere");

        CallLog calls = api.sim.calls();
        assertThat(calls.count("GET /G2W/rest/v2/organizers/{organizerKey}/webinars")).isEqualTo(2);
        assertThat(calls.count("GET /G2W/rest/v2/organizers/{organizerKey}/webinars/{webinarKey}/registrants")).isEqualTo(1);
        assertThat(calls.count("GET /G2W/rest/v2/nowhere")).isEqualTo(1);
        assertThat(calls.total()).isEqualTo(4);
    }

    @Test
    void anUnroutedPathAnswersLikeTheGateway() {
        Api.Reply r = api.get("/G2W/rest/v2/nowhere");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().path("errorCode").asText()).isEqualTo("NOT_FOUND");
        assertThat(r.json().path("message").asText()).contains("/G2W/rest/v2/nowhere");
    }

    @Test
    void theDemoSeedsThePromisedVariety() {
        GoToDemo.seed(api.sim);
        GoToState state = api.state();
        List<GoToWebinars.Webinar> webinars = state.webinars().all();

        GoToWebinars.Webinar series = webinars.stream().filter(w -> w.recurrenceType().equals(GoToWebinars.SERIES))
                .findFirst().orElseThrow();
        assertThat(series.times()).hasSize(3);
        assertThat(state.webinars().sessions(series.key())).hasSize(2)
                .allSatisfy(s -> assertThat(state.webinars().attendance(s.key())).isNotEmpty());
        assertThat(webinars).anySatisfy(w -> assertThat(w.questions()).anyMatch(GoToWebinars.Question::required));
        assertThat(webinars).anyMatch(w -> w.start().isAfter(state.now()));
        assertThat(webinars).anyMatch(GoToWebinars.Webinar::cancelled);
        for (GoToWebinars.Webinar w : webinars) {
            assertThat(state.webinars().registrants(w.key()).size()).as(w.subject()).isBetween(5, 30);
        }

        List<GoToWebinars.Registrant> everyone = webinars.stream()
                .flatMap(w -> state.webinars().registrants(w.key()).stream()).toList();
        assertThat(everyone).extracting(GoToWebinars.Registrant::lastName).contains("Ångström", "Żółć", "山田");
        assertThat(everyone.stream().filter(r -> r.email().equalsIgnoreCase(GoToDemo.TWICE_REGISTERED_EMAIL))
                .map(GoToWebinars.Registrant::email).distinct()).as("same person, two spellings").hasSize(2);
        assertThat(everyone).anyMatch(r -> !r.email().equals(r.email().toLowerCase()));
        assertThat(everyone).extracting(GoToWebinars.Registrant::key).anyMatch(k -> k < -1_000_000_000_000_000_000L);

        GoToWebinars.Webinar past = webinars.stream().filter(w -> w.recurrenceType().equals(GoToWebinars.SINGLE_SESSION)
                && w.end().isBefore(state.now())).findFirst().orElseThrow();
        GoToState.Session pastSession = state.webinars().sessions(past.key()).get(0);
        assertThat(state.webinars().attendance(pastSession.key()).size())
                .as("some attended, some did not").isBetween(1, state.webinars().registrants(past.key()).size() - 1);

        assertThat(state.trainings().all()).hasSize(2);
        GoToTrainings.Training pastTraining = state.trainings().all().get(0);
        assertThat(state.trainings().sessions(pastTraining.key())).isNotEmpty()
                .allSatisfy(s -> assertThat(state.trainings().attendance(s.key())).isNotEmpty());
        assertThat(state.meetings().all()).filteredOn(m -> m.time().end().isBefore(state.now())).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(m -> assertThat(state.meetings().attendees(m.meetingId())).isNotEmpty());
        assertThat(state.assistSessions().all()).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void theDemoIsTheSameOnEveryRun() {
        GoToDemo.seed(api.sim);
        try (Api other = new Api()) {
            GoToDemo.seed(other.sim);
            assertThat(other.state().webinars().all()).extracting(GoToWebinars.Webinar::key)
                    .isEqualTo(api.state().webinars().all().stream().map(GoToWebinars.Webinar::key).toList());
            assertThat(other.state().webinars().registrants(other.state().webinars().all().get(0).key()))
                    .extracting(GoToWebinars.Registrant::email)
                    .isEqualTo(api.state().webinars().registrants(api.state().webinars().all().get(0).key()).stream()
                            .map(GoToWebinars.Registrant::email).toList());
        }
    }
}
