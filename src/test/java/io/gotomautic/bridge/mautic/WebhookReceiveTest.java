package io.gotomautic.bridge.mautic;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.LogCapture;
import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.sandbox.MauticSimulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** POST /webhooks/mautic on the running service: deliveries from the Mautic simulator and hand-made bad ones. */
class WebhookReceiveTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();
    @RegisterExtension
    static final LogCapture LOG = new LogCapture();
    static final String SECRET = "whs-7f3a91c2";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static Bridge bridge;
    static MauticSimulator mautic;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> s = new HashMap<>(DB.settings());
        s.put("mautic.webhook-secret", SECRET);
        bridge = TestBridge.start(s);
        url = "http://127.0.0.1:" + bridge.camelContext().resolvePropertyPlaceholders("{{bridge.http.port}}") + "/webhooks/mautic";
        mautic = MauticSimulator.start(0, "api", "pass");
        io.gotomautic.bridge.sandbox.MauticDemo.seed(mautic);
        mautic.registerHook(url, SECRET, "mautic.form_on_submit", "mautic.lead_post_save_new", "mautic.lead_post_save_update");
    }

    @AfterAll
    static void stop() {
        mautic.close();
        bridge.close();
        LOG.containsNoneOf(java.util.List.of(SECRET, "ada@example.com", "a@example.com", "b@example.com"));
    }

    @BeforeEach
    void empty() throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE inbox CASCADE");
        }
    }

    private static long inbox() throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM inbox WHERE source = 'mautic-webhook'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static HttpResponse<String> post(byte[] body, String signature) throws Exception {
        return post(url, body, signature);
    }

    private static HttpResponse<String> post(String url, byte[] body, String signature) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signature != null) {
            b.header("Webhook-Signature", signature);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String sign(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    @Test
    void aFormSubmissionFromMauticIsStoredAndAcknowledged() throws Exception {
        mautic.submitForm("gotowebinar", Map.of("email", "ada@example.com", "firstname", "Ada", "lastname", "Lovelace"));
        assertThat(mautic.deliveries()).last().satisfies(d -> assertThat(d.status()).isEqualTo(200));
        assertThat(inbox()).isGreaterThanOrEqualTo(1);
        try (Connection c = DB.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT payload FROM inbox WHERE delivery_key LIKE 'mautic.form_on_submit:%'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).contains("\"type\":\"mautic.form_on_submit\"").contains("ada@example.com");
        }
    }

    @Test
    void aDeliveryThatAsksForNothingIsKeptAsDoneAndOneThatRegistersWaitsForTheWorker() throws Exception {
        byte[] save = "{\"mautic.lead_post_save_update\":[{\"contact\":{\"id\":8,\"fields\":{\"core\":{\"email\":{\"value\":\"a@example.com\"}}}}}]}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] form = ("{\"mautic.form_on_submit\":[{\"submission\":{\"id\":5,\"form\":{\"id\":1,\"alias\":\"gotowebinar\"},"
                + "\"results\":{\"email\":\"b@example.com\",\"goto_webinar\":\"123\"}}}]}").getBytes(StandardCharsets.UTF_8);
        assertThat(post(save, sign(save)).statusCode()).isEqualTo(200);
        HttpResponse<String> stored = post(form, sign(form));
        assertThat(stored.statusCode()).isEqualTo(200);
        assertThat(stored.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(stored.body()).isObject()).isTrue();
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT split_part(delivery_key, ':', 1), status, done_at IS NOT NULL FROM inbox ORDER BY id")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1) + " " + rs.getString(2) + " " + rs.getBoolean(3)).isEqualTo("mautic.lead_post_save_update done true");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1) + " " + rs.getString(2) + " " + rs.getBoolean(3)).isEqualTo("mautic.form_on_submit pending false");
        }
    }

    @Test
    void theUiTestPayloadIsTakenWithoutCrashing() throws Exception {
        assertThat(mautic.sendTestPayload(url, SECRET)).isEqualTo(200);
        assertThat(inbox()).isEqualTo(1);
    }

    @Test
    void aRedeliveryIsStoredOnce() throws Exception {
        byte[] body = "{\"mautic.lead_post_save_update\":[{\"contact\":{\"id\":7},\"timestamp\":\"2026-11-23T10:00:00+00:00\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(post(body, sign(body)).body()).isEqualTo("{\"stored\":1,\"duplicates\":0}");
        assertThat(post(body, sign(body)).body()).isEqualTo("{\"stored\":0,\"duplicates\":1}");
        assertThat(inbox()).isEqualTo(1);
    }

    @Test
    void aMissingOrWrongSignatureIs401AndNothingIsStored() throws Exception {
        byte[] body = "{\"mautic.form_on_submit\":[{\"submission\":{\"id\":1}}]}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> missing = post(body, null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.body()).contains("missing Webhook-Signature");
        HttpResponse<String> wrong = post(body, sign("{}".getBytes(StandardCharsets.UTF_8)));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("does not match");
        assertThat(inbox()).isZero();
    }

    @Test
    void malformedJsonAndAnEmptyBodyAre400() throws Exception {
        byte[] broken = "{\"mautic.form_on_submit\": [".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = post(broken, sign(broken));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("not JSON");
        assertThat(post(new byte[0], sign(new byte[0])).statusCode()).isEqualTo(400);
        assertThat(inbox()).isZero();
    }

    @Test
    void anOversizedBodyIs413WithOneWarningAndNoError() throws Exception {
        byte[] huge = ("{\"mautic.form_on_submit\":[{\"x\":\"" + "a".repeat(2_000_000) + "\"}]}").getBytes(StandardCharsets.UTF_8);
        int errorsBefore = LOG.at("ERROR", "").size();
        HttpResponse<String> r = post(huge, sign(huge));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("larger than 1048576 bytes");
        assertThat(LOG.at("WARN", "max-body-size")).singleElement().asString().contains("POST /webhooks/mautic");
        assertThat(LOG.at("ERROR", "")).hasSize(errorsBefore);
        assertThat(inbox()).isZero();
    }

    @Test
    void aDeliveryIsStoredWholeOrNotAtAll() throws Exception {
        byte[] body = ("{\"mautic.lead_post_save_update\":[{\"contact\":{\"id\":31}},{\"contact\":{\"id\":32,\"note\":\"refuse-me\"}},"
                + "{\"contact\":{\"id\":33}}],\"timestamp\":\"2026-11-23T10:00:00+00:00\"}").getBytes(StandardCharsets.UTF_8);
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            // the database fails on the delivery's second event, after the first went in
            st.execute("""
                    CREATE FUNCTION refuse_marked() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.payload LIKE '%refuse-me%' THEN RAISE EXCEPTION 'refused by the test'; END IF;
                        RETURN NEW;
                    END $$;
                    CREATE TRIGGER refuse_marked BEFORE INSERT ON inbox FOR EACH ROW EXECUTE FUNCTION refuse_marked();
                    """);
        }
        try {
            HttpResponse<String> failed = post(body, sign(body));
            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(failed.body()).contains("nothing was stored");
            assertThat(inbox()).isZero();
        } finally {
            try (Connection c = DB.connect(); Statement st = c.createStatement()) {
                st.execute("DROP TRIGGER refuse_marked ON inbox; DROP FUNCTION refuse_marked()");
            }
        }
        // a redelivery (sent again by hand: Mautic does not retry) now stores every event, once
        assertThat(post(body, sign(body)).body()).isEqualTo("{\"stored\":3,\"duplicates\":0}");
        assertThat(post(body, sign(body)).body()).isEqualTo("{\"stored\":0,\"duplicates\":3}");
        assertThat(inbox()).isEqualTo(3);
    }

    @Test
    void theSignatureIsReadFromTheHeaderOnly() throws Exception {
        byte[] body = "{\"mautic.lead_post_save_update\":[{\"contact\":{\"id\":41}}]}".getBytes(StandardCharsets.UTF_8);
        String signature = java.net.URLEncoder.encode(sign(body), StandardCharsets.UTF_8);
        HttpResponse<String> inQuery = post(url + "?Webhook-Signature=" + signature, body, null);
        assertThat(inQuery.statusCode()).isEqualTo(401);
        assertThat(inQuery.body()).contains("missing Webhook-Signature header");
        assertThat(inbox()).isZero();
        assertThat(post(body, sign(body)).statusCode()).isEqualTo(200);
        assertThat(inbox()).isEqualTo(1);
    }
}
