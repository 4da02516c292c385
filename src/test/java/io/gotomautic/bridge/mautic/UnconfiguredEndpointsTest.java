package io.gotomautic.bridge.mautic;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With {@code bridge.inbound-token} and {@code mautic.webhook-secret} empty, the inbound routes do not start; started
 * by hand anyway (JMX, a route edit), they still refuse every request, an empty token or signature included.
 */
class UnconfiguredEndpointsTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static Bridge bridge;

    @BeforeAll
    static void start() throws Exception {
        bridge = TestBridge.start(DB.settings());
        for (String route : new String[] {"campaign-hook", "mautic-webhook", "console", "console-replay"}) {
            assertThat(bridge.camelContext().getRouteController().getRouteStatus(route)).isEqualTo(ServiceStatus.Stopped);
            bridge.camelContext().getRouteController().startRoute(route);
        }
    }

    @AfterAll
    static void stop() {
        bridge.close();
    }

    private static HttpResponse<String> post(String path, String header, String value, String contentType, String body)
            throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + bridge.camelContext().resolvePropertyPlaceholders("{{bridge.http.port}}") + path))
                .header("Content-Type", contentType).header(header, value).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long inbox() throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM inbox")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every value of the header is refused with 503 and the message, and nothing is stored. */
    private static void refused(String path, String header, String contentType, String body, String message) throws Exception {
        for (String value : new String[] {"", "anything"}) {
            HttpResponse<String> r = post(path, header, value, contentType, body);
            assertThat(r.statusCode()).as("%s \"%s\"", header, value).isEqualTo(503);
            assertThat(r.body()).isEqualTo("{\"error\":\"" + message + "\"}");
        }
        assertThat(inbox()).isZero();
    }

    @Test
    void theCampaignHookStartedByHandRefusesEveryCallWhileTheTokenIsEmpty() throws Exception {
        refused("/hooks/campaign", "X-Bridge-Token", "application/x-www-form-urlencoded",
                "action=register-webinar&email=e%40example.com&event_key=1234",
                "POST /hooks/campaign is switched off: bridge.inbound-token is empty");
    }

    @Test
    void theConsoleStartedByHandIsNeverOpenWithoutItsCredentials() throws Exception {
        String port = bridge.camelContext().resolvePropertyPlaceholders("{{bridge.http.port}}");
        for (String empty : new String[] {"Basic Og==", "Basic " + java.util.Base64.getEncoder().encodeToString("admin:".getBytes())}) {
            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin"))
                    .header("Authorization", empty).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(503);
            assertThat(page.body()).contains("The admin console is off: bridge.admin.username and bridge.admin.password are empty.");
        }
        HttpResponse<String> replay = post("/admin/replay", "Authorization", "Basic Og==", "application/x-www-form-urlencoded", "id=1");
        assertThat(replay.statusCode()).isEqualTo(503);
    }

    @Test
    void theWebhookStartedByHandRefusesEveryDeliveryWhileTheSecretIsEmpty() throws Exception {
        refused("/webhooks/mautic", "Webhook-Signature", "application/json", "{\"mautic.lead_post_save_update\":[{\"contact\":{\"id\":7}}]}",
                "POST /webhooks/mautic is switched off: mautic.webhook-secret is empty");
    }
}
