package io.gotomautic.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.TestBridge;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's run command: {@code java -jar target/goto-mautic-bridge.jar --sandbox}, with no account anywhere. */
class SandboxIT {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    /** The simulated GoTo limits calls like the real one, and the bridge is syncing: wait out a 429 as a client should. */
    private static HttpResponse<String> sendPatiently(HttpRequest request) throws Exception {
        for (int attempt = 0; ; attempt++) {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 429 || attempt == 20) {
                return r;
            }
            Thread.sleep(1000L * Long.parseLong(r.headers().firstValue("Retry-After").orElse("1")));
        }
    }

    @Test
    void sandboxServesBothSimulatorsSeededAndTheBridgeAgainstThem() throws Exception {
        Files.createDirectories(work.resolve("routes"));
        try (var routes = Files.list(Path.of("routes"))) {
            for (Path f : routes.toList()) {
                Files.copy(f, work.resolve("routes").resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(Path.of("application.properties"), work.resolve("application.properties"));
        int http = TestBridge.freePort();
        int goTo = TestBridge.freePort();
        int mautic = TestBridge.freePort();
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", CliIT.JAR.toString(), "--sandbox")).directory(work.toFile());
        pb.environment().put("BRIDGE_HTTP_PORT", String.valueOf(http));
        pb.environment().put("SANDBOX_GOTO_PORT", String.valueOf(goTo));
        pb.environment().put("SANDBOX_MAUTIC_PORT", String.valueOf(mautic));
        pb.environment().put("BRIDGE_DB_EMBEDDED_PORT", String.valueOf(TestBridge.freePort()));
        pb.redirectErrorStream(true).redirectOutput(work.resolve("sandbox.log").toFile());
        Process sandbox = pb.start();
        try {
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/health")).build();
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> HTTP.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);

            String log = Files.readString(work.resolve("sandbox.log"));
            assertThat(log).contains("GoTo simulator at http://127.0.0.1:" + goTo)
                    .contains("Mautic simulator at http://127.0.0.1:" + mautic)
                    .contains("GoTo API: configured").contains("Mautic API: http://127.0.0.1:" + mautic)
                    .doesNotContain("not configured");

            // GoTo: the sandbox credentials get a token, and the organizer has webinars
            String basic = Base64.getEncoder().encodeToString("sandbox:sandbox".getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> token = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + goTo + "/oauth/token"))
                    .header("Authorization", "Basic " + basic)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&refresh_token=sandbox")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(token.statusCode()).isEqualTo(200);
            String bearer = "Bearer " + JSON.readTree(token.body()).path("access_token").asText();
            JsonNode me = JSON.readTree(sendPatiently(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + goTo + "/admin/rest/v1/me"))
                    .header("Authorization", bearer).build()).body());
            HttpResponse<String> webinars = sendPatiently(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + goTo
                            + "/G2W/rest/v2/organizers/" + me.path("key").asText()
                            + "/webinars?fromTime=2000-01-01T00:00:00Z&toTime=2100-01-01T00:00:00Z&size=200"))
                    .header("Authorization", bearer).build());
            assertThat(webinars.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(webinars.body()).path("page").path("totalElements").asInt()).isGreaterThanOrEqualTo(3);

            // the bridge's admin console, sandbox/sandbox
            HttpResponse<String> console = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/admin"))
                    .header("Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(console.statusCode()).isEqualTo(200);
            assertThat(console.body()).contains("<h2>GoTo accounts</h2>").contains("<h2>Dead letters</h2>");

            // Hawtio's way in, from the packaged jar: Jolokia with the same credentials reads the routes' MBeans
            HttpResponse<String> jolokia = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http
                    + "/observe/jolokia/read/org.apache.camel:context=bridge,type=routes,name=%22pull-webinar%22/State"))
                    .header("Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(jolokia.body()).path("value").asText()).as(jolokia.body()).isEqualTo("Started");
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/observe/jolokia/version")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            assertThat(Files.readString(work.resolve("sandbox.log"))).contains("/observe/jolokia with the same");

            // Mautic: basic auth sandbox/sandbox, the demo form and emails are there
            HttpResponse<String> emails = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mautic + "/api/emails"))
                    .header("Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(emails.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(emails.body()).path("total").asInt()).isEqualTo(3);

            // within the first poll the demo's webinars, trainings, meetings and assist sessions are in Mautic
            HttpRequest segments = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mautic + "/api/segments?limit=0"))
                    .header("Authorization", "Basic " + basic).build();
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                String names = JSON.readTree(HTTP.send(segments, HttpResponse.BodyHandlers.ofString()).body()).path("lists").toString();
                for (String product : List.of("GoToWebinar", "GoToTraining", "GoToMeeting", "GoToAssist")) {
                    assertThat(names).contains("\"name\":\"" + product + " · ");
                }
            });

            // the configured demo form (bridge.forms.gdpr.*), submitted as a browser does: registered for the webinar with
            // its questions answered, and the confirmation email goes out
            JsonNode forms = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mautic + "/api/forms"))
                    .header("Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofString()).body()).path("forms");
            String gdpr = "";
            for (JsonNode f : forms) {
                gdpr = f.path("alias").asText().equals("gdpr") ? f.path("id").asText() : gdpr;
            }
            HttpResponse<String> submitted = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mautic + "/form/submit?ajax=1"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("mauticform%5BformId%5D=" + gdpr + "&mauticform%5Bwork_email%5D=sam%40example.com"
                            + "&mauticform%5Bfirstname%5D=Sam&mauticform%5Bcompany%5D=Acme&mauticform%5Bheard%5D=LinkedIn")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(submitted.body()).contains("\"success\":1");
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(Files.readString(work.resolve("sandbox.log")))
                            .contains("Registered s***@example.com for webinar")
                            .containsPattern("Sent Mautic email \\d+ to contact \\d+ \\(webinar -?\\d+ for s\\*\\*\\*@example.com\\)"));
            assertThat(Files.readString(work.resolve("sandbox.log"))).as("email addresses are masked").doesNotContainIgnoringCase("sam@example.com");
        } finally {
            sandbox.destroy();
        }
        assertThat(sandbox.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(work.resolve("sandbox.log"))).contains("(bridge) shutdown");
    }
}
