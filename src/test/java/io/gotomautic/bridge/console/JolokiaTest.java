package io.gotomautic.bridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.OneShot;
import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.store.Database;
import org.apache.camel.spi.CliConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Jolokia at /observe/jolokia, which Hawtio connects to: on the bridge's own port, only with the admin credentials,
 * not for another site's page, without the JVM's diagnostic operations, and without the configuration's secrets
 * in what Camel holds; the CLI connector runs beside it for `camel get` / `camel top`.
 */
class JolokiaTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ADMIN = "Basic " + Base64.getEncoder().encodeToString("ops:s3cret-console".getBytes(StandardCharsets.UTF_8));

    Bridge bridge;

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
    }

    private Bridge start(String username, String password) throws Exception {
        Map<String, String> settings = new HashMap<>(DB.settings());
        settings.put("bridge.admin.username", username);
        settings.put("bridge.admin.password", password);
        settings.put("mautic.webhook-secret", "hook-secret-not-for-camel");
        bridge = TestBridge.start(settings);
        return bridge;
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + bridge.camelContext().resolvePropertyPlaceholders("{{bridge.http.port}}") + path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void hawtioReadsTheRoutesWithTheAdminCredentialsAndNothingWithout() throws Exception {
        start("ops", "s3cret-console");
        HttpResponse<String> none = get("/observe/jolokia/version");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue(AdminCredentials.CHALLENGE);
        String wrong = "Basic " + Base64.getEncoder().encodeToString("ops:guess".getBytes(StandardCharsets.UTF_8));
        assertThat(get("/observe/jolokia/version", "Authorization", wrong).statusCode()).isEqualTo(401);

        HttpResponse<String> version = get("/observe/jolokia/version", "Authorization", ADMIN);
        assertThat(version.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(version.body()).at("/value/agent").asText()).startsWith("2.");
        JsonNode state = JSON.readTree(get("/observe/jolokia/read/org.apache.camel:context=bridge,type=routes,name=%22health%22/State",
                "Authorization", ADMIN).body());
        assertThat(state.path("value").asText()).isEqualTo("Started");
        // the bridge's own routes beside Jolokia, on the same port
        assertThat(get("/health").statusCode()).isIn(200, 503);
    }

    @Test
    void aPageOfAnotherSiteIsRefusedEvenWithTheCredentials() throws Exception {
        start("ops", "s3cret-console");
        for (String site : new String[] {"cross-site", "same-site"}) {
            HttpResponse<String> r = get("/observe/jolokia/version", "Authorization", ADMIN, "Sec-Fetch-Site", site);
            assertThat(r.statusCode()).as(site).isEqualTo(403);
            assertThat(r.body()).contains("another site's page");
        }
        assertThat(get("/observe/jolokia/version", "Authorization", ADMIN, "Sec-Fetch-Site", "same-origin").statusCode()).isEqualTo(200);
    }

    @Test
    void theJvmsDiagnosticOperationsAreDenied() throws Exception {
        start("ops", "s3cret-console");
        JsonNode dump = JSON.readTree(get("/observe/jolokia/exec/com.sun.management:type=HotSpotDiagnostic/dumpHeap/%2Ftmp%2Fbridge.hprof/true",
                "Authorization", ADMIN).body());
        assertThat(dump.path("status").asInt()).isEqualTo(403);
        assertThat(new java.io.File("/tmp/bridge.hprof")).doesNotExist();
        JsonNode command = JSON.readTree(get("/observe/jolokia/exec/com.sun.management:type=DiagnosticCommand/vmSystemProperties",
                "Authorization", ADMIN).body());
        assertThat(command.path("status").asInt()).isEqualTo(403);
    }

    @Test
    void camelHoldsNoSecretOfTheConfigurationAndTheCliConnectorRuns() throws Exception {
        start("ops", "s3cret-console");
        // at most application.properties' own empty value
        assertThat(bridge.camelContext().getPropertiesComponent().resolveProperty("bridge.admin.password").orElse("")).isEmpty();
        assertThat(bridge.camelContext().getPropertiesComponent().resolveProperty("mautic.webhook-secret").orElse("")).isEmpty();
        assertThat(bridge.camelContext().getPropertiesComponent().resolveProperty("bridge.admin.username")).hasValue("ops");
        assertThat(bridge.camelContext().hasService(CliConnector.class)).isNotNull();
    }

    @Test
    void camelStopEndsTheWholeService() throws Exception {
        start("ops", "s3cret-console");
        // what `camel stop` does: it deletes the connector's lock file, named by the process id
        java.nio.file.Path lock = java.nio.file.Path.of(System.getProperty("user.home"), ".camel",
                String.valueOf(ProcessHandle.current().pid()));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> java.nio.file.Files.exists(lock));
        java.nio.file.Files.delete(lock);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), bridge::awaitStop);
        assertThat(bridge.camelContext().isStopped()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> bridge.database().dataSource().getConnection())
                .as("the database pool closed").isInstanceOf(java.sql.SQLException.class);
    }

    @Test
    void aOneShotCommandRunsNeitherJolokiaNorTheCliConnector() throws Exception {
        Map<String, String> settings = new HashMap<>(DB.settings());
        settings.put("bridge.admin.username", "ops");
        settings.put("bridge.admin.password", "s3cret-console");
        Settings loaded = TestBridge.settings(settings);
        try (Database database = Database.open(loaded); OneShot once = OneShot.start(loaded, database, Clock.systemUTC())) {
            assertThat(once.camelContext().hasService(CliConnector.class)).isNull();
            assertThat(once.camelContext().hasService(org.apache.camel.component.platform.http.main.ManagementHttpServer.class)).isNull();
        }
    }

    @Test
    void withoutAdminCredentialsJolokiaIsNotServed() throws Exception {
        start("", "");
        HttpResponse<String> r = get("/observe/jolokia/version", "Authorization", "Basic Og==");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("bridge.admin.username and bridge.admin.password are empty");
    }
}
