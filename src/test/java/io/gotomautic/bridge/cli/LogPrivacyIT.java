package io.gotomautic.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.MauticDemo;
import io.gotomautic.bridge.sandbox.MauticSimulator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar run as an operator runs it, every part configured with secrets of its own, doing each kind of
 * work: pulling registrants, registering from a form, a form that fails, creating a meeting and an assist session
 * with their start links mailed to the organizer. Its log, as it prints it by default, carries none of the secrets,
 * none of the start links and none of the email addresses it handled.
 */
class LogPrivacyIT {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String CLIENT_SECRET = "gs-9b7d2f61e4";
    static final String REFRESH_TOKEN = "gr-51ad7e03c8";
    static final String MAUTIC_PASSWORD = "mp-3e8c0a77b2";
    static final String WEBHOOK_SECRET = "wh-6d2b90ce15";
    static final String INBOUND_TOKEN = "it-a07f3c55d9";
    static final String ORGANIZER = "organizer.host@example.org";

    @TempDir
    Path work;

    @Test
    void aRunDoingEveryKindOfWorkLogsNoSecretNoStartLinkAndNoEmailAddress() throws Exception {
        try (GoToSimulator goTo = GoToSimulator.start(0, "gm-client-4c1e", CLIENT_SECRET, REFRESH_TOKEN);
             MauticSimulator mautic = MauticSimulator.start(0, "api-user", MAUTIC_PASSWORD)) {
            // GoTo hands out a new refresh token at each refresh: the one the bridge stores must not be logged either
            goTo.rotateRefreshToken(true);
            MauticDemo.seed(mautic);
            var state = mautic.state();
            long webinar = goTo.state().webinars().add(GoToWebinars.webinar("Privacy talk")
                    .times(TimeRange.of(Instant.now().plus(Duration.ofDays(4)), Duration.ofHours(1)))).key();
            goTo.state().webinars().addRegistrant(webinar, "Pia", "Pulled", "pia.pulled@example.com");
            int port = TestBridge.freePort();
            Process bridge = start(goTo, mautic, port);
            try {
                String base = "http://127.0.0.1:" + port;
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                        .until(() -> HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
                mautic.registerHook(base + "/webhooks/mautic", WEBHOOK_SECRET,
                        "mautic.form_on_submit", "mautic.lead_post_save_new", "mautic.lead_post_save_update");

                mautic.submitForm("gotowebinar", Map.of("email", "fiona.form@example.com", "firstname", "Fiona", "goto_webinar",
                        String.valueOf(webinar)));
                // an event GoTo does not have: a dead letter whose reason is logged
                mautic.submitForm("gotowebinar", Map.of("email", "nadia.nowhere@example.com", "goto_webinar", "4242424242"));
                long meetingContact = state.upsertContact(Map.of("email", "mel.meeting@example.com", "firstname", "Mel")).id();
                long assistContact = state.upsertContact(Map.of("email", "cai.customer@example.com", "firstname", "Cai")).id();
                long meetingEmail = state.emailByName("Your meeting link").orElseThrow().id();
                long assistEmail = state.addEmail("Support session", "Your support session", "<p>{assist_link}</p>", true).id();
                assertThat(campaign(base, "action=meeting-link&contact_id=" + meetingContact
                        + "&email=mel.meeting%40example.com&email_id=" + meetingEmail)).isEqualTo(200);
                assertThat(campaign(base, "action=assist-link&contact_id=" + assistContact
                        + "&email=cai.customer%40example.com&firstname=Cai&email_id=" + assistEmail)).isEqualTo(200);

                // everything is carried out: both sessions made, every email sent, the registrations pushed
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    assertThat(count("SELECT count(*) FROM organizer_link")).as("start links").isEqualTo(2);
                    assertThat(count("SELECT count(*) FROM inbox WHERE status = 'pending'")).as("inbox pending").isZero();
                    assertThat(count("SELECT count(*) FROM outbox WHERE status = 'pending'")).as("outbox pending").isZero();
                    assertThat(count("SELECT count(*) FROM dead_letter WHERE source = 'inbox'")).as("dead letters").isPositive();
                    assertThat(values("SELECT email FROM registration")).contains("pia.pulled@example.com", "fiona.form@example.com");
                    assertThat(state.emailSends()).as("link emails, to the contacts and the organizer").hasSize(4);
                });
            } finally {
                bridge.destroy();
                assertThat(bridge.waitFor(60, TimeUnit.SECONDS)).isTrue();
                // kept for whoever reads a failure
                Files.copy(work.resolve("bridge.log"), Path.of("target", "LogPrivacyIT-bridge.log"), StandardCopyOption.REPLACE_EXISTING);
            }

            List<String> secret = new ArrayList<>(List.of(CLIENT_SECRET, REFRESH_TOKEN, MAUTIC_PASSWORD, WEBHOOK_SECRET,
                    INBOUND_TOKEN, ORGANIZER, "nadia.nowhere@example.com", "mel.meeting@example.com", "cai.customer@example.com"));
            secret.addAll(values("SELECT start_url FROM organizer_link"));
            secret.addAll(values("SELECT email FROM registration"));
            secret.addAll(values("SELECT for_email FROM organizer_link"));
            secret.addAll(values("SELECT refresh_token FROM goto_credential"));
            assertThat(secret).hasSizeGreaterThanOrEqualTo(16);

            String log = Files.readString(work.resolve("bridge.log"));
            // the lines are there, only without what identifies a person
            assertThat(log).contains("Registered f***@example.com for webinar " + webinar)
                    .contains("Created GoTo meeting").contains("Created GoTo assist").contains("is a dead letter");
            String lower = log.toLowerCase(Locale.ROOT);
            for (String s : secret) {
                assertThat(lower).as("the log carries %s", s).doesNotContain(s.toLowerCase(Locale.ROOT));
            }
        }
    }

    private Process start(GoToSimulator goTo, MauticSimulator mautic, int port) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", CliIT.JAR.toString())).directory(Path.of("").toAbsolutePath().toFile());
        pb.environment().putAll(Map.of("BRIDGE_DB_URL", DB.url(), "BRIDGE_HTTP_PORT", String.valueOf(port),
                "GOTO_API_URL", goTo.baseUrl(), "GOTO_AUTH_URL", goTo.baseUrl(), "GOTO_CLIENT_ID", "gm-client-4c1e",
                "GOTO_CLIENT_SECRET", CLIENT_SECRET, "GOTO_REFRESH_TOKEN", REFRESH_TOKEN,
                "MAUTIC_URL", mautic.baseUrl(), "MAUTIC_USERNAME", "api-user", "MAUTIC_PASSWORD", MAUTIC_PASSWORD));
        pb.environment().putAll(Map.of("MAUTIC_WEBHOOK_SECRET", WEBHOOK_SECRET, "BRIDGE_INBOUND_TOKEN", INBOUND_TOKEN,
                "BRIDGE_ORGANIZER_EMAIL", ORGANIZER, "BRIDGE_POLL_WEBINAR", "2s", "BRIDGE_PUSH_INTERVAL", "200ms"));
        pb.redirectErrorStream(true).redirectOutput(work.resolve("bridge.log").toFile());
        return pb.start();
    }

    private static int campaign(String base, String form) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/hooks/campaign")).header("X-Bridge-Token", INBOUND_TOKEN)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static long count(String sql) throws Exception {
        return Long.parseLong(values(sql).get(0));
    }

    private static List<String> values(String sql) throws Exception {
        List<String> found = new ArrayList<>();
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                if (rs.getString(1) != null) {
                    found.add(rs.getString(1));
                }
            }
        }
        return found;
    }
}
