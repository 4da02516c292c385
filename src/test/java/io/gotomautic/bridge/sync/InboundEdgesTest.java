package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.gotomautic.bridge.LogCapture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The campaign hook's edges: the token comes from a header only, an identical call is one only within
 * {@code bridge.campaign.dedupe-window}, and an event key GoTo cannot have is refused before any GoTo call. None of
 * it leaves a token, a start link or an email address in the log.
 */
class InboundEdgesTest extends InboundTestBase {

    @RegisterExtension
    static final LogCapture LOG = new LogCapture();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String FORM = "application/x-www-form-urlencoded";
    /** What the log must never carry: the configured secrets, the start links created, every address handled. */
    static final List<String> PRIVATE = new ArrayList<>(List.of("campaign-token", "host@example.com"));

    @Override
    Map<String, String> more() {
        return Map.of("bridge.campaign.dedupe-window", "2s", "bridge.organizer-email", "host@example.com");
    }

    @AfterAll
    static void nothingPrivateWasLogged() {
        assertThat(LOG.lines()).anyMatch(l -> l.contains("Registered h***@example.com"));
        LOG.containsNoneOf(PRIVATE);
    }

    private HttpResponse<String> post(String pathAndQuery, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + bridge.camelContext().resolvePropertyPlaceholders("{{bridge.http.port}}") + pathAndQuery))
                .header("Content-Type", FORM).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("X-Bridge-Token", token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long count(String sql) throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void theTokenIsTakenFromTheHeaderOnlyNeverFromTheUrlOrAFormField() throws Exception {
        PRIVATE.addAll(List.of("q@example.com", "f@example.com", "h@example.com"));
        String register = "action=register-webinar&event_key=" + webinar + "&email=";
        HttpResponse<String> inQuery = post("/hooks/campaign?X-Bridge-Token=campaign-token", null, register + "q%40example.com");
        assertThat(inQuery.statusCode()).isEqualTo(401);
        assertThat(inQuery.body()).contains("missing X-Bridge-Token header");
        HttpResponse<String> inForm = post("/hooks/campaign", null, "X-Bridge-Token=campaign-token&" + register + "f%40example.com");
        assertThat(inForm.statusCode()).isEqualTo(401);
        assertThat(count("SELECT count(*) FROM inbox WHERE source = 'mautic-campaign'")).isZero();

        HttpResponse<String> inHeader = post("/hooks/campaign", "campaign-token", register + "h%40example.com");
        assertThat(inHeader.statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(goTo.state().webinars().registrants(webinar)).extracting(r -> r.email()).containsExactly("h@example.com"));
        assertThat(count("SELECT count(*) FROM inbox WHERE source = 'mautic-campaign'")).isEqualTo(1);
    }

    @Test
    void anIdenticalCallIsARetryWithinTheDedupeWindowAndANewActionAfterIt() throws Exception {
        PRIVATE.add("ada@example.com");
        long contact = state.upsertContact(Map.of("email", "ada@example.com", "firstname", "Ada", "lastname", "Lovelace")).id();
        long emailId = state.emailByName("Your meeting link").orElseThrow().id();
        String call = "action=meeting-link&contact_id=" + contact + "&email=ada%40example.com&email_id=" + emailId;
        assertThat(post("/hooks/campaign", "campaign-token", call).body()).isEqualTo("{\"stored\":true}");
        assertThat(post("/hooks/campaign", "campaign-token", call).body()).as("Mautic's retry").isEqualTo("{\"stored\":false}");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM inbox WHERE source = 'mautic-campaign' AND status = 'done'") == 1);
        assertThat(goTo.state().meetings().all()).hasSize(1);

        // next week's run of the campaign: the same call, after the window
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() ->
                post("/hooks/campaign", "campaign-token", call).body().equals("{\"stored\":true}"));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM inbox WHERE source = 'mautic-campaign' AND status = 'done'") == 2);
        assertThat(goTo.state().meetings().all()).hasSize(2);
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(state.emailSends(emailId).stream().filter(s -> s.contactId() == contact)).hasSize(2));
        try (Connection c = DB.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT start_url FROM organizer_link")) {
            while (rs.next()) {
                PRIVATE.add(rs.getString(1));
            }
        }
        assertThat(PRIVATE).hasSizeGreaterThanOrEqualTo(6);
    }

    @Test
    void anEventKeyGoToCannotHaveIs400ForACampaignAndADeadLetterForAFormWithoutAnyGoToCall() throws Exception {
        PRIVATE.add("k@example.com");
        // the first polls of every product are over: from here on nothing else calls GoTo
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                count("SELECT count(*) FROM sync_cursor WHERE scope = '' AND finished_at IS NOT NULL") == 4);
        Map<String, Long> before = goToCalls();

        for (String key : new String[] {"wb_8812", "99999999999999999999", "12.5"}) {
            HttpResponse<String> r = post("/hooks/campaign", "campaign-token", "action=register-webinar&email=k%40example.com&event_key=" + key);
            assertThat(r.statusCode()).as(key).isEqualTo(400);
            assertThat(r.body()).contains("\\\"" + key + "\\\" is not a GoTo event key");
        }
        mautic.submitForm("gotowebinar", Map.of("email", "k@example.com", "goto_webinar", "wb_8812"));
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(deadLetters("inbox"))
                .contains("\"wb_8812\" is not a GoTo event key"));
        assertThat(goToCalls()).isEqualTo(before);
    }

    private Map<String, Long> goToCalls() {
        Map<String, Long> calls = new TreeMap<>(goTo.calls().snapshot());
        calls.keySet().removeIf(k -> k.contains("/oauth/"));
        return calls;
    }
}
