package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.gotomautic.bridge.gotohooks.GoToWebhookReceiver;
import io.gotomautic.bridge.http.Hmac;
import io.gotomautic.bridge.sandbox.MauticDemo;
import io.gotomautic.bridge.store.SecretBox;
import io.gotomautic.bridge.store.StoredSecrets;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /webhooks/goto} as GoTo calls it: the callback check, signed deliveries stored once per eventKey before the
 * answer, bad input answered with what is wrong, and a registrant.added recorded as registered and pushed to Mautic.
 */
class GoToWebhookReceiveTest extends InboundTestBase {

    private static final String SECRET = "f1679e36-webhook-secret";

    @BeforeEach
    void secret() throws Exception {
        new StoredSecrets(bridge.database().dataSource(), new SecretBox(null)).putIfAbsent(GoToWebhookReceiver.SECRET, SECRET);
    }

    @Test
    void aSignedRegistrantAddedIsStoredOnceAndReachesMauticAsRegistered() throws Exception {
        assertThat(send("GET", "", null, null).statusCode()).as("GoTo's check of the callback").isEqualTo(200);

        String eventKey = UUID.randomUUID().toString();
        String added = registrantAdded(eventKey, "kay@example.com");
        HttpResponse<String> first = send("POST", "?account=default", added, sign(added));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("{\"stored\":1,\"duplicates\":0}");
        assertThat(send("POST", "?account=default", added, sign(added)).body()).as("at least once: a redelivery is stored once")
                .isEqualTo("{\"stored\":0,\"duplicates\":1}");

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(state.contactByEmail("kay@example.com")).isPresent();
            assertThat(DB.strings("SELECT status FROM inbox WHERE source = 'goto-webhook'")).containsExactly("done");
            assertThat(DB.strings("SELECT status FROM outbox WHERE payload ->> 'email' = 'kay@example.com'")).containsExactly("delivered");
        });
        assertThat(DB.strings("SELECT payload ->> 'type' || ' ' || (payload ->> 'source') || ' ' || (payload ->> 'account') || ' '"
                + " || (payload ->> 'joinUrl') FROM outbox WHERE payload ->> 'email' = 'kay@example.com'"))
                .containsExactly("registered webhook default https://global.gotowebinar.com/join/" + webinar + "/555");
        assertThat(state.contactByEmail("kay@example.com").orElseThrow().field("goto_join_url"))
                .isEqualTo("https://global.gotowebinar.com/join/" + webinar + "/555");
    }

    @Test
    void aRegistrantAddedTheBridgeCausedItselfChangesNothing() throws Exception {
        mautic.submitForm(MauticDemo.FORM_ALIAS, Map.of("email", "bob@example.com", "goto_webinar", String.valueOf(webinar)));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                DB.strings("SELECT status FROM outbox WHERE payload ->> 'email' = 'bob@example.com'")).containsExactly("delivered"));

        // GoTo tells of the registration the bridge made: recorded already, nothing new
        String echo = registrantAdded(UUID.randomUUID().toString(), "bob@example.com");
        assertThat(send("POST", "?account=default", echo, sign(echo)).statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                DB.strings("SELECT status FROM inbox WHERE source = 'goto-webhook'")).containsExactly("done"));
        assertThat(DB.strings("SELECT payload ->> 'source' FROM outbox WHERE payload ->> 'email' = 'bob@example.com'"))
                .as("the registration the bridge made, and no other").singleElement().isIn("form", "contact");
    }

    @Test
    void badInputIsRefusedWithWhatIsWrongAndLosesNothingElse() throws Exception {
        String body = registrantAdded(UUID.randomUUID().toString(), "eve@example.com");
        assertThat(send("POST", "?account=default", body, null).body()).contains("missing X-Webhook-Signature header");
        assertThat(send("POST", "?account=default", body, sign(body + " ")).statusCode()).isEqualTo(401);
        assertThat(send("POST", "?account=default", "{not json", sign("{not json")).statusCode()).isEqualTo(400);
        String huge = "[" + (body + ",").repeat(2_000_000 / body.length() + 1) + body + "]";
        assertThat(send("POST", "?account=default", huge, sign(huge)).statusCode()).as("over camel.server.max-body-size").isEqualTo(413);
        assertThat(DB.strings("SELECT count(*) FROM inbox WHERE source = 'goto-webhook'")).as("nothing stored").containsExactly("0");

        // an event the bridge does not apply is stored as done; one for an unknown account becomes a dead letter
        String survey = "{\"eventName\":\"survey.submitted\",\"eventVersion\":\"1.0.0\",\"product\":\"g2w\",\"eventKey\":\""
                + UUID.randomUUID() + "\",\"webinarKey\":" + webinar + "}";
        assertThat(send("POST", "?account=default", survey, sign(survey)).statusCode()).isEqualTo(200);
        String stranger = registrantAdded(UUID.randomUUID().toString(), "zed@example.com");
        var unknown = send("POST", "?account=nobody@example.com", stranger, sign(stranger));
        assertThat(unknown.statusCode()).as("stored, not applied").isEqualTo(202);
        assertThat(unknown.body()).contains("unknown to the bridge");
        String fine = registrantAdded(UUID.randomUUID().toString(), "fine@example.com");
        assertThat(send("POST", "?account=default", fine, sign(fine)).statusCode()).isEqualTo(200);

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(state.contactByEmail("fine@example.com")).as("the others go on").isPresent();
            assertThat(deadLetters("inbox")).contains("a GoTo webhook for the account nobody@example.com, which the bridge does not know");
        });
        assertThat(DB.strings("SELECT status FROM inbox WHERE payload LIKE '%survey.submitted%'")).containsExactly("done");
        assertThat(state.contactByEmail("zed@example.com")).isEmpty();
    }

    private String registrantAdded(String eventKey, String email) {
        return "{\"eventName\":\"registrant.added\",\"eventVersion\":\"1.0.0\",\"product\":\"g2w\",\"eventKey\":\"" + eventKey
                + "\",\"timestamp\":\"2026-12-02T09:00:00Z\",\"webinarKey\":" + webinar + ",\"webinarTitle\":\"Spring launch\","
                + "\"registrantKey\":555,\"firstName\":\"Kay\",\"lastName\":\"McNulty\",\"email\":\"" + email + "\","
                + "\"joinUrl\":\"https://global.gotowebinar.com/join/" + webinar + "/555\",\"status\":\"APPROVED\",\"responses\":[]}";
    }

    private static String sign(String body) {
        return Hmac.base64("HmacSHA256", SECRET.getBytes(StandardCharsets.UTF_8), body.getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> send(String method, String query, String body, String signature) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + bridge.camelContext().resolvePropertyPlaceholders("{{bridge.http.port}}") + "/webhooks/goto" + query))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (signature != null) {
            b.header("X-Webhook-Signature", signature);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
