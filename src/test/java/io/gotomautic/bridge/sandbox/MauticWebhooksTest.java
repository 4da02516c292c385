package io.gotomautic.bridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.gotomautic.bridge.sandbox.MauticTestClient.Answer;

/** Webhooks the Mautic simulator sends, checked by a small receiver that keeps the raw bytes. */
class MauticWebhooksTest {

    private static final String SECRET = "wh-secret";

    /** One request the receiver got. */
    record Received(Headers headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() throws IOException {
            return MauticTestClient.JSON.readTree(body);
        }
    }

    private MauticSimulator sim;
    private MauticTestClient api;
    private HttpServer receiver;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private volatile int answer = 200;

    @BeforeEach
    void start() throws IOException {
        sim = MauticSimulator.start(0, "api", "pw");
        api = MauticTestClient.basic(sim, "api", "pw");
        listen(0);
    }

    private void listen(int port) throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        receiver.createContext("/", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                received.add(new Received(exchange.getRequestHeaders(), in.readAllBytes()));
                exchange.sendResponseHeaders(answer, -1);
            }
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        sim.close();
        receiver.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/mautic/webhook";
    }

    private Received next() throws InterruptedException {
        Received r = received.poll(5, TimeUnit.SECONDS);
        assertThat(r).as("a webhook arrived").isNotNull();
        return r;
    }

    private static String hmac(byte[] body, String secret) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    @Test
    void theSignatureCoversTheRawPhpStyleBody() throws Exception {
        sim.registerHook(url(), SECRET, "mautic.lead_post_save_new");
        api.post("/api/contacts/new", Map.of("email", "jose@example.com", "firstname", "José", "website", "https://example.com/jose"));
        Received r = next();
        assertThat(r.headers().getFirst("Content-Type")).isEqualTo("application/json");
        assertThat(r.headers().getFirst("X-Origin-Base-URL")).isEqualTo(sim.baseUrl());
        assertThat(r.headers().getFirst("Webhook-Signature")).isEqualTo(hmac(r.body(), SECRET));
        assertThat(r.text()).contains("https:\\/\\/example.com\\/jose").contains("Jos\\u00e9").doesNotContain("é");

        JsonNode contact = r.json().path("mautic.lead_post_save_new").path(0).path("contact");
        assertThat(contact.path("fields").path("core").path("firstname").path("value").asText()).isEqualTo("José");
        assertThat(contact.path("fields").has("all")).as("webhooks carry no fields.all").isFalse();
        assertThat(r.json().path("mautic.lead_post_save_new").path(0).path("timestamp").asText()).endsWith("+00:00");
        byte[] reserialized = MauticTestClient.JSON.writeValueAsBytes(r.json());
        assertThat(hmac(reserialized, SECRET)).as("re-serializing breaks the signature").isNotEqualTo(hmac(r.body(), SECRET));
    }

    @Test
    void apiSavesEchoAsNewThenUpdateAndANoChangeSaveSendsNothing() throws Exception {
        sim.registerHook(url(), SECRET, "mautic.lead_post_save_new", "mautic.lead_post_save_update");
        long id = api.post("/api/contacts/new", Map.of("email", "echo@example.com", "firstname", "Eve"))
                .json().path("contact").path("id").asLong();
        assertThat(next().json().has("mautic.lead_post_save_new")).isTrue();

        api.patch("/api/contacts/" + id + "/edit", Map.of("city", "Linz"));
        JsonNode update = next().json();
        assertThat(update.path("mautic.lead_post_save_update").path(0).path("contact").path("id").asLong()).isEqualTo(id);

        api.patch("/api/contacts/" + id + "/edit", Map.of("city", "Linz"));
        api.post("/api/contacts/new", Map.of("email", "echo@example.com", "firstname", "Eve"));
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).as("no webhook without changes").isNull();
        assertThat(sim.deliveries()).extracting(d -> d.eventTypes().get(0))
                .containsExactly("mautic.lead_post_save_new", "mautic.lead_post_save_update");
    }

    @Test
    void anAnonymousContactFiresNothingUntilItIsIdentified() throws Exception {
        sim.registerHook(url(), SECRET, "mautic.lead_post_save_new", "mautic.lead_post_save_update");
        long id = api.post("/api/contacts/new", Map.of("city", "Bern")).json().path("contact").path("id").asLong();
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
        api.patch("/api/contacts/" + id + "/edit", Map.of("email", "anon@example.com"));
        assertThat(next().json().has("mautic.lead_post_save_new")).as("first identification").isTrue();
    }

    @Test
    void aFormSubmissionMergesTheContactAndFiresFormOnSubmit() throws Exception {
        MauticDemo.seed(sim);
        sim.registerHook(url(), SECRET, "mautic.form_on_submit");
        MauticState.FormSubmission done = sim.submitForm("gotowebinar", Map.of("email", "ADA.lovelace@example.com",
                "firstname", "Ada", "goto_webinar", "wb_8812", "not_a_field", "x"));
        assertThat(done.save().created()).as("merged into the seeded contact").isFalse();
        MauticState.Contact ada = sim.state().contactByEmail("ada.lovelace@example.com").orElseThrow();
        assertThat(ada.field("goto_webinar")).isEqualTo("wb_8812");
        assertThat(sim.state().contacts()).hasSize(3);

        Received r = next();
        assertThat(r.headers().getFirst("Webhook-Signature")).isEqualTo(hmac(r.body(), SECRET));
        JsonNode event = r.json().path("mautic.form_on_submit").path(0);
        JsonNode submission = event.path("submission");
        assertThat(event.path("timestamp").isTextual()).isTrue();
        assertThat(submission.path("form").path("alias").asText()).isEqualTo("gotowebinar");
        assertThat(submission.path("results").path("goto_webinar").asText()).isEqualTo("wb_8812");
        assertThat(submission.path("results").has("not_a_field")).isFalse();
        assertThat(submission.path("lead").path("id").asLong()).isEqualTo(ada.id());
        assertThat(submission.path("lead").path("fields").path("core").path("email").path("value").asText())
                .as("the submitted spelling is saved").isEqualTo("ADA.lovelace@example.com");
        assertThat(submission.path("lead").path("fields").has("all")).isFalse();
        for (String key : List.of("id", "ipAddress", "trackingId", "dateSubmitted", "referer", "page")) {
            assertThat(submission.has(key)).as(key).isTrue();
        }
    }

    @Test
    void hooksRegisteredThroughTheApiReceiveEvents() throws Exception {
        Answer bad = api.post("/api/hooks/new", Map.of("name", "n", "webhookUrl", url()));
        assertThat(bad.status()).isEqualTo(400);
        Answer created = api.post("/api/hooks/new", Map.of("name", "bridge", "webhookUrl", url(), "secret", SECRET,
                "triggers", List.of("mautic.lead_post_save_new"), "isPublished", true));
        assertThat(created.status()).isEqualTo(201);
        JsonNode hook = created.json().path("hook");
        assertThat(hook.path("triggers").path(0).asText()).isEqualTo("mautic.lead_post_save_new");
        assertThat(api.get("/api/hooks").json().path("hooks").path(hook.path("id").asText()).path("webhookUrl").asText())
                .isEqualTo(url());
        Answer generated = api.post("/api/hooks/new", Map.of("name", "no secret", "webhookUrl", url(),
                "triggers", List.of("mautic.form_on_submit")));
        assertThat(generated.json().path("hook").path("secret").asText()).isNotBlank();

        api.post("/api/contacts/new", Map.of("email", "hooked@example.com"));
        Received r = next();
        assertThat(r.headers().getFirst("Webhook-Signature")).isEqualTo(hmac(r.body(), SECRET));
    }

    @Test
    void theTestPayloadHasAnObjectPerEventAndATopLevelTimestamp() throws Exception {
        assertThat(sim.sendTestPayload(url(), SECRET)).isEqualTo(200);
        Received r = next();
        JsonNode body = r.json();
        assertThat(body.path("mautic.form_on_submit").isObject()).isTrue();
        assertThat(body.path("mautic.form_on_submit").path("submission").path("results").path("email").asText())
                .isEqualTo("sample@example.com");
        assertThat(body.path("timestamp").isTextual()).isTrue();
        assertThat(r.headers().getFirst("Webhook-Signature")).isEqualTo(hmac(r.body(), SECRET));
    }

    @Test
    void queueModeSendsAtMostTenEventsPerRequest() throws Exception {
        sim.webhookQueueMode(true).registerHook(url(), SECRET, "mautic.lead_post_save_new");
        List<Map<String, Object>> contacts = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            contacts.add(Map.of("email", "q" + i + "@example.com"));
        }
        api.post("/api/contacts/batch/new", contacts);
        assertThat(received).isEmpty();
        assertThat(sim.queuedWebhookEvents()).isEqualTo(23);

        assertThat(sim.processWebhookQueue()).isEqualTo(3);
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sizes.add(next().json().path("mautic.lead_post_save_new").size());
        }
        assertThat(sizes).containsExactly(10, 10, 3);
        assertThat(sim.queuedWebhookEvents()).isZero();
    }

    @Test
    void deliveriesRecordTheReceiversStatusAndAreNotRetried() throws Exception {
        answer = 500;
        sim.registerHook(url(), SECRET, "mautic.lead_post_save_new");
        api.post("/api/contacts/new", Map.of("email", "lost@example.com"));
        next();
        assertThat(sim.deliveries()).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo(500);
            assertThat(d.url()).isEqualTo(url());
            assertThat(d.eventTypes()).containsExactly("mautic.lead_post_save_new");
        });

        sim.webhookQueueMode(true);
        api.post("/api/contacts/new", Map.of("email", "lost2@example.com"));
        assertThat(sim.processWebhookQueue()).isEqualTo(1);
        assertThat(sim.queuedWebhookEvents()).as("a non-2xx answer loses the events").isZero();
        assertThat(sim.processWebhookQueue()).isZero();
    }

    @Test
    void aTransportFailureKeepsQueuedEventsAnd410UnpublishesTheHook() throws Exception {
        sim.webhookQueueMode(true);
        MauticState.Hook hook = sim.registerHook(url(), SECRET, "mautic.lead_post_save_new");
        api.post("/api/contacts/new", Map.of("email", "kept@example.com"));
        int port = receiver.getAddress().getPort();
        receiver.stop(0);
        sim.processWebhookQueue();
        assertThat(sim.deliveries()).singleElement().extracting(MauticWebhooks.Delivery::status).isEqualTo(0);
        assertThat(sim.queuedWebhookEvents()).as("kept for the next run").isEqualTo(1);

        answer = 410;
        listen(port);
        sim.processWebhookQueue();
        next();
        assertThat(sim.state().hook(hook.id()).orElseThrow().published()).isFalse();
        api.post("/api/contacts/new", Map.of("email", "after@example.com"));
        assertThat(sim.queuedWebhookEvents()).as("an unpublished hook gets nothing").isZero();
    }
}
