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
import java.util.HashMap;
import java.util.Map;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.MauticDemo;
import io.gotomautic.bridge.sandbox.MauticSimulator;
import io.gotomautic.bridge.sandbox.MauticState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The running service between the GoTo and Mautic simulators, with the Mautic demo seeded, a webinar five days
 * ahead, and Mautic's webhook (form submissions, contact saves) pointed at the bridge.
 */
abstract class InboundTestBase {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    GoToSimulator goTo;
    MauticSimulator mautic;
    MauticState state;
    Bridge bridge;
    long webinar;
    Instant starts = Instant.now().plus(Duration.ofDays(5));

    /**
     * The settings of real time on {@code port}: GoTo's webhooks reach the bridge there, and after the first poll the
     * next is an hour away, so only a webhook brings what happens in GoTo meanwhile.
     */
    static Map<String, String> realTime(int port) {
        return Map.of("bridge.http.port", String.valueOf(port), "bridge.public-url", "http://127.0.0.1:" + port,
                "bridge.poll.webinar", "1h");
    }

    /** Settings a test class adds to the common ones. */
    Map<String, String> more() {
        return Map.of();
    }

    @BeforeEach
    void start() throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
        }
        goTo = GoToSimulator.start(0, "client", "secret", "refresh");
        mautic = MauticSimulator.start(0, "api", "pass");
        MauticDemo.seed(mautic);
        state = mautic.state();
        webinar = goTo.state().webinars().add(GoToWebinars.webinar("Spring launch").times(TimeRange.of(starts, Duration.ofHours(1)))).key();
        Map<String, String> s = new HashMap<>(DB.settings());
        s.putAll(Map.of("goto.api-url", goTo.baseUrl(), "goto.auth-url", goTo.baseUrl(), "goto.client-id", "client",
                "goto.client-secret", "secret", "goto.refresh-token", "refresh", "mautic.url", mautic.baseUrl(),
                "mautic.username", "api", "mautic.password", "pass", "mautic.webhook-secret", "hook-secret"));
        s.put("bridge.push.interval", "200ms");
        s.put("bridge.inbound-token", "campaign-token");
        // the simulator sends a form's contact save and its submission within milliseconds
        s.put("bridge.webhooks.contact-delay", "1s");
        s.putAll(more());
        bridge = TestBridge.start(s);
        String port = bridge.camelContext().resolvePropertyPlaceholders("{{bridge.http.port}}");
        mautic.registerHook("http://127.0.0.1:" + port + "/webhooks/mautic", "hook-secret",
                "mautic.form_on_submit", "mautic.lead_post_save_new", "mautic.lead_post_save_update");
    }

    @AfterEach
    void stop() {
        bridge.close();
        goTo.close();
        mautic.close();
    }

    HttpResponse<String> campaign(String token, String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + bridge.camelContext().resolvePropertyPlaceholders("{{bridge.http.port}}") + "/hooks/campaign"))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("X-Bridge-Token", token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String deadLetters(String source) throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(string_agg(reason, ' | '), '') FROM dead_letter WHERE source = '" + source + "'")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
