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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.MauticSimulator;
import io.gotomautic.bridge.sandbox.MauticWebhooks;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 5,000 signed form submissions at once: every one acknowledged, then drained through the rate limiter with the
 * GoTo simulator enforcing the same limit, so a single call over it would be answered 429. None lost, none doubled.
 * How fast is measured by bench/ (bash bench/run.sh inbound burst), not here.
 */
class InboundBurstTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();
    static final int SUBMISSIONS = 5000;

    @Test
    void fiveThousandSubmissionsAreAllAcknowledgedAndRegisteredWithinTheRateLimit() throws Exception {
        try (GoToSimulator goTo = GoToSimulator.start(0, "client", "secret", "refresh").rateLimit(100, Duration.ofSeconds(1));
             MauticSimulator mautic = MauticSimulator.start(0, "api", "pass")) {
            long key = goTo.state().webinars().add(GoToWebinars.webinar("Launch day")
                    .times(TimeRange.of(Instant.now().plus(Duration.ofDays(2)), Duration.ofHours(1)))).key();
            Map<String, String> s = new HashMap<>(DB.settings());
            s.putAll(Map.of("goto.api-url", goTo.baseUrl(), "goto.auth-url", goTo.baseUrl(), "goto.client-id", "client",
                    "goto.client-secret", "secret", "goto.refresh-token", "refresh", "mautic.url", mautic.baseUrl(),
                    "mautic.username", "api", "mautic.password", "pass", "mautic.webhook-secret", "hook-secret"));
            s.putAll(Map.of("goto.rate-limit", "6000/60s", "goto.burst-limit", "100/1s", "bridge.timeline.utm", "false",
                    "bridge.timeline.notes", "false", "bridge.push.interval", "500ms"));
            try (Bridge bridge = TestBridge.start(s)) {
                URI url = URI.create("http://127.0.0.1:" + bridge.camelContext().resolvePropertyPlaceholders("{{bridge.http.port}}")
                        + "/webhooks/mautic");
                HttpClient http = HttpClient.newHttpClient();
                ExecutorService senders = Executors.newFixedThreadPool(16);
                List<Future<Integer>> answers = new ArrayList<>();
                for (int i = 0; i < SUBMISSIONS; i++) {
                    String body = submission(i, key);
                    answers.add(senders.submit(() -> http.send(HttpRequest.newBuilder(url).header("Content-Type", "application/json")
                            .header("Webhook-Signature", MauticWebhooks.sign(body, "hook-secret"))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode()));
                }
                for (Future<Integer> a : answers) {
                    assertThat(a.get()).isEqualTo(200);
                }
                senders.shutdown();
                assertThat(count("SELECT count(*) FROM inbox")).isEqualTo(SUBMISSIONS);

                Awaitility.await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1)).until(() ->
                        count("SELECT count(*) FROM inbox WHERE status = 'pending'") == 0);
                assertThat(goTo.state().webinars().registrants(key)).hasSize(SUBMISSIONS);
                assertThat(goTo.calls().throttled()).as("calls GoTo answered 429").isZero();
                assertThat(count("SELECT count(*) FROM inbox WHERE status = 'done'")).isEqualTo(SUBMISSIONS);
                assertThat(count("SELECT count(*) FROM registration")).isEqualTo(SUBMISSIONS);
                assertThat(count("SELECT count(*) FROM dead_letter")).isZero();
                assertThat(goTo.calls().count("POST /G2W/rest/v2/organizers/{organizerKey}/webinars/{webinarKey}/registrants"))
                        .isEqualTo(SUBMISSIONS);
            }
        }
    }

    /** One Mautic form_on_submit delivery, as the simulator's webhooks shape it. */
    private static String submission(int i, long key) {
        return "{\"mautic.form_on_submit\":[{\"submission\":{\"id\":" + (i + 1) + ",\"form\":{\"id\":1,\"name\":\"Sign-up\","
                + "\"alias\":\"gotowebinar\"},\"lead\":{\"id\":" + (i + 1) + "},\"dateSubmitted\":\"2026-12-01T10:00:00+00:00\","
                + "\"results\":{\"email\":\"burst" + i + "@example.com\",\"firstname\":\"Burst\",\"lastname\":\"No " + i
                + "\",\"goto_webinar\":\"" + key + "\"}},\"timestamp\":\"2026-12-01T10:00:00+00:00\"}]}";
    }

    private static long count(String sql) throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
