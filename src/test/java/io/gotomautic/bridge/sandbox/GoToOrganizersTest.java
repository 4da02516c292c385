package io.gotomautic.bridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.gotomautic.bridge.sandbox.GoToSimulatorTest.Api;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;

/** Several organizers at one simulated GoTo: each grant, token, world and rate limit is one organizer's. */
class GoToOrganizersTest {

    private static final String REDIRECT = "http://127.0.0.1:1/connect/goto/callback";

    private Api api;
    private GoToAccount ada;
    private GoToAccount grace;

    @BeforeEach
    void start() {
        api = new Api();
        ada = api.sim.firstOrganizer();
        grace = api.sim.addOrganizer("grace@example.com", "Grace", "Hopper");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void eachOrganizerSeesOnlyTheirOwnWebinarsThroughTheirOwnRefreshToken() {
        upcoming(ada, "Ada's analytical engines");
        upcoming(grace, "Grace's compilers");
        upcoming(grace, "Grace's COBOL clinic");
        Api.Reply refreshed = api.refresh(grace.refreshToken());
        String graceToken = refreshed.json().path("access_token").asText();

        assertThat(refreshed.json().path("principal").asText()).isEqualTo("grace@example.com");
        assertThat(subjects(api.accessToken, ada)).containsExactly("Ada's analytical engines");
        assertThat(subjects(graceToken, grace)).containsExactlyInAnyOrder("Grace's compilers", "Grace's COBOL clinic");

        long adasWebinar = ada.state().webinars().all().get(0).key();
        assertThat(getAs(graceToken, "/G2W/rest/v2/organizers/" + grace.organizer().key() + "/webinars/" + adasWebinar)
                .status()).as("another organizer's webinar under one's own key").isEqualTo(404);
        assertThat(grace.refreshToken()).isNotEqualTo(ada.refreshToken());
        assertThat(grace.personalAccessToken()).isNotEqualTo(ada.personalAccessToken());
    }

    @Test
    void keysAreUniqueAcrossOrganizers() {
        assertThat(grace.organizer().key()).isNotEqualTo(ada.organizer().key());
        assertThat(grace.organizer().accountKey()).isNotEqualTo(ada.organizer().accountKey());
        List<Long> keys = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            keys.add(upcoming(ada, "Ada " + i).key());
            keys.add(upcoming(grace, "Grace " + i).key());
        }
        assertThat(keys).doesNotHaveDuplicates().doesNotContain(ada.organizer().key(), grace.organizer().key());
    }

    @Test
    void aPathWithAnotherOrganizersKeyIsRefusedWith403() {
        upcoming(ada, "Ada's analytical engines");
        String graceToken = accessTokenOf(grace);
        String from = GoToWire.time(api.state().now());
        String to = GoToWire.time(api.state().now().plus(Duration.ofDays(30)));

        Api.Reply g2w = getAs(graceToken, "/G2W/rest/v2/organizers/" + ada.organizer().key()
                + "/webinars?fromTime=" + from + "&toTime=" + to);
        Api.Reply g2t = getAs(graceToken, "/G2T/rest/organizers/" + ada.organizer().key() + "/trainings");

        assertThat(g2w.status()).isEqualTo(403);
        assertThat(g2w.json().path("errorCode").asText()).isEqualTo("Forbidden");
        assertThat(g2w.json().path("description").asText()).contains(String.valueOf(ada.organizer().key()));
        assertThat(g2t.status()).isEqualTo(403);
        assertThat(getAs(graceToken, "/G2T/rest/organizers/" + grace.organizer().key() + "/trainings").status())
                .isEqualTo(200);
        assertThat(api.get(api.webinarsBetween(0, 30)).status()).as("Ada's own token on her key").isEqualTo(200);
    }

    @Test
    void meAndScimMeAnswerTheTokensOrganizer() {
        String graceToken = accessTokenOf(grace);

        JsonNode adaMe = getAs(api.accessToken, "/admin/rest/v1/me").json();
        JsonNode graceMe = getAs(graceToken, "/admin/rest/v1/me").json();
        JsonNode graceScim = getAs(graceToken, "/identity/v1/Users/me").json();

        assertThat(adaMe.path("email").asText()).isEqualTo(ada.organizer().email());
        assertThat(adaMe.path("key").asText()).isEqualTo(String.valueOf(ada.organizer().key()));
        assertThat(graceMe.path("email").asText()).isEqualTo("grace@example.com");
        assertThat(graceMe.path("key").asText()).isEqualTo(String.valueOf(grace.organizer().key()));
        assertThat(graceMe.path("accountKey").asText()).isEqualTo(String.valueOf(grace.organizer().accountKey()));
        assertThat(graceMe.path("lastName").asText()).isEqualTo("Hopper");
        assertThat(graceScim.path("id").asText()).isEqualTo(String.valueOf(grace.organizer().key()));
        assertThat(graceScim.path("emails").get(0).path("value").asText()).isEqualTo("grace@example.com");
    }

    @Test
    void eachPersonalAccessTokenGrantsItsOwnOrganizer() {
        Api.Reply viaGracesPat = patGrant(grace.personalAccessToken());
        Api.Reply viaAdasPat = patGrant(api.sim.personalAccessToken());

        assertThat(viaGracesPat.json().path("principal").asText()).isEqualTo("grace@example.com");
        assertThat(viaGracesPat.json().path("refresh_token").asText()).isEqualTo(grace.refreshToken());
        assertThat(getAs(viaGracesPat.json().path("access_token").asText(), "/admin/rest/v1/me").json()
                .path("email").asText()).isEqualTo("grace@example.com");
        assertThat(viaAdasPat.json().path("principal").asText()).isEqualTo(ada.organizer().email());
        assertThat(getAs(viaAdasPat.json().path("access_token").asText(), "/admin/rest/v1/me").json()
                .path("email").asText()).isEqualTo(ada.organizer().email());
        assertThat(patGrant("pat-nobodys").json().path("error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void revokingOneOrganizersGrantLeavesTheOthersWorking() {
        String graceToken = accessTokenOf(grace);
        String revoked = grace.refreshToken();

        String renewed = grace.revokeRefreshToken();

        assertThat(api.refresh(revoked).json().path("error").asText()).isEqualTo("invalid_grant");
        assertThat(getAs(graceToken, "/admin/rest/v1/me").json().path("int_err_code").asText()).isEqualTo("InvalidToken");
        assertThat(api.refresh(renewed).json().path("principal").asText()).isEqualTo("grace@example.com");
        assertThat(getAs(api.accessToken, "/admin/rest/v1/me").status()).isEqualTo(200);
        assertThat(api.refresh(Api.REFRESH_TOKEN).status()).isEqualTo(200);
    }

    @Test
    void expiringAllTokensExpiresEveryOrganizersTokens() {
        String graceToken = accessTokenOf(grace);

        api.sim.expireAllTokens();

        assertThat(getAs(api.accessToken, "/admin/rest/v1/me").status()).isEqualTo(403);
        assertThat(getAs(graceToken, "/admin/rest/v1/me").status()).isEqualTo(403);
    }

    @Test
    void theConsentPageActsForTheOrganizerSignedIn() {
        assertThat(authorizePage().text()).contains("<span id=\"organizer\">" + ada.organizer().email() + "</span>");

        api.sim.signedIn(grace);
        Api.Reply page = authorizePage();
        Api.Reply allowed = api.send(HttpRequest.newBuilder(URI.create(api.sim.baseUrl() + "/oauth/authorize"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("client_id=" + Api.CLIENT_ID + "&redirect_uri=" + Api.enc(REDIRECT)
                        + "&state=st-1&decision=allow")));

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).contains("<span id=\"organizer\">grace@example.com</span>");
        assertThat(allowed.status()).isEqualTo(302);
        Map<String, String> back = redirectQuery(allowed);
        assertThat(back).containsEntry("state", "st-1");
        Api.Reply tokens = codeGrant(back.get("code"));
        assertThat(tokens.json().path("principal").asText()).isEqualTo("grace@example.com");
        assertThat(tokens.json().path("refresh_token").asText()).isEqualTo(grace.refreshToken());
        assertThat(getAs(tokens.json().path("access_token").asText(), "/admin/rest/v1/me").json().path("key").asText())
                .isEqualTo(String.valueOf(grace.organizer().key()));
    }

    @Test
    void approvingAtOnceRedirectsStraightBackWithCodeAndState() {
        api.sim.signedIn(grace).approveAtOnce(true);

        Api.Reply r = authorizePage();

        assertThat(r.status()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location").orElseThrow()).startsWith(REDIRECT + "?code=");
        Map<String, String> back = redirectQuery(r);
        assertThat(back).containsEntry("state", "st-1").containsKey("code");
        assertThat(codeGrant(back.get("code")).json().path("principal").asText()).isEqualTo("grace@example.com");
        assertThat(api.send(HttpRequest.newBuilder(URI.create(api.sim.baseUrl() + "/oauth/authorize?client_id=stranger"
                + "&response_type=code&redirect_uri=" + Api.enc(REDIRECT))).GET()).status())
                .as("a request GoTo refuses still gets the error page").isEqualTo(400);

        api.sim.approveAtOnce(false);
        assertThat(authorizePage().status()).as("the consent page again").isEqualTo(200);
    }

    @Test
    void theRateLimitAndTheCallLogCountEachOrganizerSeparately() {
        api.sim.rateLimit(3, Duration.ofMinutes(1));
        String graceToken = accessTokenOf(grace);

        List<Integer> adaStatuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            adaStatuses.add(getAs(api.accessToken, "/G2M/rest/upcomingMeetings").status());
        }
        List<Integer> graceStatuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            graceStatuses.add(getAs(graceToken, "/G2M/rest/upcomingMeetings").status());
        }

        assertThat(adaStatuses).containsExactly(200, 200, 200, 429);
        assertThat(graceStatuses).as("Ada's exhausted allowance is not Grace's").containsExactly(200, 200, 200, 429);
        assertThat(getAs(graceToken, "/G2M/rest/upcomingMeetings").headers().firstValue("Retry-After")).isPresent();
        assertThat(api.sim.calls().throttled()).isEqualTo(3);
        assertThat(api.sim.calls().countFrom(ada)).isEqualTo(4);
        assertThat(api.sim.calls().countFrom(grace)).isEqualTo(5);
    }

    private GoToWebinars.Webinar upcoming(GoToAccount organizer, String subject) {
        return organizer.state().webinars().add(GoToWebinars.webinar(subject)
                .times(TimeRange.of(organizer.state().now().plus(Duration.ofDays(2)), Duration.ofHours(1))));
    }

    /** The subjects of the webinars in the next 30 days, as {@code token} lists them under {@code organizer}'s key. */
    private List<String> subjects(String token, GoToAccount organizer) {
        String from = GoToWire.time(organizer.state().now());
        String to = GoToWire.time(organizer.state().now().plus(Duration.ofDays(30)));
        Api.Reply r = getAs(token, "/G2W/rest/v2/organizers/" + organizer.organizer().key() + "/webinars?fromTime=" + from
                + "&toTime=" + to);
        assertThat(r.status()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        r.json().path("_embedded").path("webinars").forEach(w -> out.add(w.path("subject").asText()));
        return out;
    }

    private String accessTokenOf(GoToAccount organizer) {
        return api.refresh(organizer.refreshToken()).json().path("access_token").asText();
    }

    private Api.Reply getAs(String token, String path) {
        return api.send(HttpRequest.newBuilder(URI.create(api.sim.baseUrl() + path))
                .header("Authorization", "Bearer " + token).GET());
    }

    private Api.Reply patGrant(String pat) {
        return api.token(Api.CLIENT_ID, Api.CLIENT_SECRET, "grant_type=personal_access_token&pat=" + Api.enc(pat));
    }

    private Api.Reply codeGrant(String code) {
        return api.token(Api.CLIENT_ID, Api.CLIENT_SECRET, "grant_type=authorization_code&code=" + Api.enc(code)
                + "&redirect_uri=" + Api.enc(REDIRECT));
    }

    private Api.Reply authorizePage() {
        return api.send(HttpRequest.newBuilder(URI.create(api.sim.baseUrl() + "/oauth/authorize?client_id=" + Api.CLIENT_ID
                + "&response_type=code&state=st-1&redirect_uri=" + Api.enc(REDIRECT))).GET());
    }

    /** The query the browser is sent back to the client with. */
    private static Map<String, String> redirectQuery(Api.Reply redirect) {
        URI location = URI.create(redirect.headers().firstValue("Location").orElseThrow());
        assertThat(location.toString()).startsWith(REDIRECT + "?");
        Map<String, String> q = new LinkedHashMap<>();
        SimRequest.parseQuery(location.getRawQuery()).forEach((k, v) -> q.put(k, v.get(0)));
        return q;
    }
}
