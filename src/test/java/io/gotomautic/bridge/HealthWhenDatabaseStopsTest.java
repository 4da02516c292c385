package io.gotomautic.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL server of the test's own, stopped under the running service: health turns DOWN, and a webhook
 * that cannot be stored is answered 500 with a JSON error (never 200, never the exception's text).
 */
class HealthWhenDatabaseStopsTest {

    @Test
    void healthTurnsDownWhenTheDatabaseStops() throws Exception {
        Path data = Files.createTempDirectory("bridge-pg");
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).start();
        try (Bridge bridge = TestBridge.start(Map.of("bridge.db.url", pg.getJdbcUrl("postgres", "postgres"),
                "mautic.webhook-secret", "secret"))) {
            assertThat(TestBridge.get(bridge, "/health").statusCode()).isEqualTo(200);

            pg.close();

            Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                var r = TestBridge.get(bridge, "/health");
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.body()).contains("\"status\":\"DOWN\"")
                        .contains("\"database\":{\"status\":\"DOWN\",\"message\":\"the database does not answer\"}");
            });

            String body = "{\"mautic.form_on_submit\":[{\"submission\":{\"id\":1},\"timestamp\":\"2026-12-01T10:00:00+00:00\"}]}";
            var webhook = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                            "http://127.0.0.1:" + bridge.camelContext().resolvePropertyPlaceholders("{{bridge.http.port}}") + "/webhooks/mautic"))
                    .header("Content-Type", "application/json")
                    .header("Webhook-Signature", io.gotomautic.bridge.sandbox.MauticWebhooks.sign(body, "secret"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(webhook.statusCode()).isEqualTo(500);
            assertThat(webhook.headers().firstValue("Content-Type")).contains("application/json");
            assertThat(webhook.body()).isEqualTo("{\"error\":\"the bridge could not handle the request (nothing was stored); see its log\"}");
        } finally {
            pg.close();
        }
    }
}
