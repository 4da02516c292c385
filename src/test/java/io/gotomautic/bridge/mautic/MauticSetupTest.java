package io.gotomautic.bridge.mautic;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.http.HttpTransport;
import io.gotomautic.bridge.ops.Meters;
import io.gotomautic.bridge.sandbox.MauticSimulator;
import io.gotomautic.bridge.sandbox.MauticState;
import io.gotomautic.bridge.store.Database;
import io.gotomautic.bridge.store.SecretBox;
import io.gotomautic.bridge.store.StoredSecrets;
import org.apache.camel.impl.DefaultCamelContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code setup mautic} against the Mautic simulator and real PostgreSQL: the webhook made, then left alone, then mended;
 * a missing permission said in one line; and the service then taking the webhook's signed deliveries with the secret
 * the setup generated.
 */
class MauticSetupTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    MauticSimulator mautic;
    DefaultCamelContext camel;
    Database database;
    int port;

    @BeforeEach
    void start() throws Exception {
        mautic = MauticSimulator.start(0, "api", "pass");
        DB.empty();
        port = TestBridge.freePort();
        camel = new DefaultCamelContext();
        camel.start();
        database = Database.open(settings("pass"));
    }

    @AfterEach
    void stop() {
        database.close();
        camel.stop();
        mautic.close();
    }

    private Settings settings(String password) {
        Map<String, String> s = new HashMap<>(DB.settings());
        s.put("bridge.http.port", String.valueOf(port));
        s.put("bridge.public-url", "http://127.0.0.1:" + port);
        s.put("bridge.secret-key", "setup-test-key");
        s.put("mautic.url", mautic.baseUrl());
        s.put("mautic.username", "api");
        s.put("mautic.password", password);
        s.put("bridge.inbound-token", "campaign-token");
        s.put("bridge.mautic.map.goto_job_title", "jobTitle");
        return TestBridge.settings(s);
    }

    private MauticSetup.Report setup(String password) throws Exception {
        Settings s = settings(password);
        MauticClient client = MauticClient.of(s, new HttpTransport(camel, "mautic", Duration.ofSeconds(10), new Meters()));
        return new MauticSetup(client, new StoredSecrets(database.dataSource(), new SecretBox("setup-test-key")),
                ContactMapping.of(s, camel), s.publicUrl(), "", true).run();
    }

    @Test
    void theWebhookIsMadeThenLeftAsItIsThenMendedAndTheServiceTakesItsDeliveries() throws Exception {
        MauticSetup.Report first = setup("pass");
        assertThat(first.ok()).as(String.join("\n", first.lines())).isTrue();
        String url = "http://127.0.0.1:" + port + "/webhooks/mautic";
        assertThat(first.lines()).anyMatch(l -> l.startsWith("created Mautic webhook #") && l.contains(url))
                .anyMatch(l -> l.contains("generated one and stored it"))
                .anyMatch(l -> l.startsWith("created contact fields goto_last_event, goto_join_url, goto_registrant_key, goto_attended_minutes, goto_job_title"))
                .anyMatch(l -> l.contains("action = register-webinar, event_key = {contactfield=goto_webinar}"));
        List<MauticState.Hook> hooks = mautic.state().hooks();
        assertThat(hooks).singleElement().satisfies(h -> {
            assertThat(h.url()).isEqualTo(url);
            assertThat(h.triggers()).containsExactlyInAnyOrder("mautic.form_on_submit", "mautic.lead_post_save_new",
                    "mautic.lead_post_save_update");
        });
        String stored = DB.strings("SELECT value FROM stored_secret WHERE name = 'mautic.webhook-secret'").get(0);
        assertThat(stored).startsWith("gcm:").doesNotContain(hooks.get(0).secret());
        assertThat(new StoredSecrets(database.dataSource(), new SecretBox("setup-test-key")).get("mautic.webhook-secret"))
                .contains(hooks.get(0).secret());

        MauticSetup.Report again = setup("pass");
        assertThat(again.lines()).anyMatch(l -> l.endsWith("is as it should be"))
                .anyMatch(l -> l.equals("contact fields: all the bridge fills are there"))
                .noneMatch(l -> l.startsWith("created") || l.startsWith("updated") || l.contains("generated"));
        assertThat(mautic.state().hooks()).hasSize(1);

        MauticState.Hook h = mautic.state().hooks().get(0);
        mautic.state().editHook(new MauticState.Hook(h.id(), h.name(), h.description(), h.url(), h.secret(),
                List.of("mautic.form_on_submit"), h.eventsOrderbyDir(), false));
        MauticSetup.Report mended = setup("pass");
        assertThat(mended.lines()).anyMatch(l -> l.startsWith("updated Mautic webhook #" + h.id()) && l.endsWith("triggers, published"));
        assertThat(mautic.state().hooks().get(0).published()).isTrue();
        assertThat(mautic.state().hooks().get(0).triggers()).hasSize(3);

        // the service, mautic.webhook-secret still empty, checks the deliveries with the stored secret
        database.close();
        Map<String, String> service = new HashMap<>(DB.settings());
        service.put("bridge.http.port", String.valueOf(port));
        service.put("bridge.secret-key", "setup-test-key");
        service.put("mautic.url", mautic.baseUrl());
        service.put("mautic.username", "api");
        service.put("mautic.password", "pass");
        try (Bridge bridge = TestBridge.start(service)) {
            HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(mautic.baseUrl()
                    + "/api/contacts/new")).header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    "api:pass".getBytes(StandardCharsets.UTF_8))).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"new.person@example.com\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).isEqualTo(201);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !DB.strings(
                    "SELECT id FROM inbox WHERE source = 'mautic-webhook'").isEmpty());
        } finally {
            database = Database.open(settings("pass"));
        }
    }

    @Test
    void aMissingPermissionOrRefusedCredentialsAreSaidInOneLineAndChangeNothing() throws Exception {
        mautic.permission("POST", "/api/hooks/new", false);
        MauticSetup.Report report = setup("pass");
        assertThat(report.ok()).isFalse();
        assertThat(report.lines()).contains("missing permission webhook:webhooks:create: in Settings › Roles › API, grant Webhooks: Create");
        assertThat(mautic.state().hooks()).isEmpty();

        MauticSetup.Report refused = setup("wrong");
        assertThat(refused.ok()).isFalse();
        assertThat(refused.lines().get(0)).startsWith("Mautic does not accept the bridge's credentials");
    }
}
