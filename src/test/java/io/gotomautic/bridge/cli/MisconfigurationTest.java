package io.gotomautic.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.MauticDemo;
import io.gotomautic.bridge.sandbox.MauticSimulator;
import io.gotomautic.bridge.store.PartStates;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Dead letters are for what is wrong with one change: the running service between the simulators and PostgreSQL,
 * with a setting wrong on either side (the queue is held, /health and status say what to fix, it resumes after the
 * fix), one change Mautic refuses (only it is a dead letter), and a passing outage (/health stays UP).
 */
class MisconfigurationTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIELDS_FIX = "Mautic refuses to create contact fields (403): give the API user's role the "
            + "permission Contacts › Custom Fields: Full (Mautic's Settings › Roles)";

    GoToSimulator goTo;
    MauticSimulator mautic;
    Bridge bridge;
    final Lines log = new Lines();
    final Instant starts = Instant.now().plus(Duration.ofDays(5));

    @BeforeEach
    void start() throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
        }
        goTo = GoToSimulator.start(0, "client", "secret", "refresh");
        mautic = MauticSimulator.start(0, "api", "pass");
        log.start();
        LoggerContext logs = (LoggerContext) LogManager.getContext(false);
        logs.getConfiguration().getRootLogger().addAppender(log, null, null);
        logs.updateLoggers();
    }

    @AfterEach
    void stop() {
        LoggerContext logs = (LoggerContext) LogManager.getContext(false);
        logs.getConfiguration().getRootLogger().removeAppender(log.getName());
        logs.updateLoggers();
        if (bridge != null) {
            bridge.close();
        }
        goTo.close();
        mautic.close();
    }

    private Bridge bridge(String refreshToken) throws Exception {
        Map<String, String> s = new HashMap<>(DB.settings());
        s.putAll(Map.of("goto.api-url", goTo.baseUrl(), "goto.auth-url", goTo.baseUrl(), "goto.client-id", "client",
                "goto.client-secret", "secret", "goto.refresh-token", refreshToken, "mautic.url", mautic.baseUrl(),
                "mautic.username", "api", "mautic.password", "pass", "mautic.webhook-secret", "hook-secret"));
        s.put("bridge.poll.webinar", "1s");
        s.put("bridge.push.interval", "200ms");
        return TestBridge.start(s);
    }

    private long webinar(String title, String... emails) {
        long key = goTo.state().webinars().add(GoToWebinars.webinar(title).times(TimeRange.of(starts, Duration.ofHours(1)))).key();
        for (String email : emails) {
            goTo.state().webinars().addRegistrant(key, "First", "Last", email);
        }
        return key;
    }

    @Test
    void anApiUserWithoutTheFieldPermissionHoldsTheOutboxUntilItIsGrantedThenItDrains() throws Exception {
        mautic.permission("POST", "/api/fields/contact/new", false);
        webinar("Held launch", "ada@example.com", "bob@example.com", "cy@example.com");
        bridge = bridge("refresh");

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(count("SELECT count(*) FROM outbox WHERE payload ->> 'email' IS NOT NULL AND (status = 'pending')")).isEqualTo(3);
            assertThat(check("mautic").path("status").asText()).isEqualTo("DOWN");
        });
        // asked again while held, and still nothing counted as an attempt or dead-lettered
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> mautic.calls().count("POST /api/fields/contact/new") >= 2);
        assertThat(count("SELECT count(*) FROM dead_letter")).isZero();
        assertThat(count("SELECT count(*) FROM outbox WHERE payload ->> 'email' IS NOT NULL AND (attempts > 0 OR status <> 'pending')")).isZero();
        HttpResponse<String> health = TestBridge.get(bridge, "/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(check("mautic").path("message").asText()).isEqualTo(FIELDS_FIX);
        assertThat(status()).contains("  mautic    HELD since ").contains(FIELDS_FIX);
        assertThat(log.lines.stream().filter(l -> l.contains(FIELDS_FIX))).hasSize(1);

        mautic.permission("POST", "/api/fields/contact/new", true);
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(count("SELECT count(*) FROM outbox WHERE payload ->> 'email' IS NOT NULL AND (status = 'delivered')")).isEqualTo(3);
            assertThat(TestBridge.get(bridge, "/health").statusCode()).isEqualTo(200);
        });
        assertThat(mautic.state().contactByEmail("ada@example.com")).isPresent();
        assertThat(count("SELECT count(*) FROM dead_letter")).isZero();
        assertThat(status()).contains("  mautic    ok, last success ");
    }

    @Test
    void anApiUserWhoMayNotCreateContactsHoldsTheOutboxThoughMauticRefusesItemByItem() throws Exception {
        mautic.permission("POST", "/api/contacts/batch/new", false);
        webinar("Contactless launch", "ada@example.com", "bob@example.com");
        bridge = bridge("refresh");

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(count("SELECT count(*) FROM outbox WHERE payload ->> 'email' IS NOT NULL AND (status = 'pending')")).isEqualTo(2);
            assertThat(check("mautic").path("message").asText()).startsWith("Mautic refuses to create or edit contacts (403)");
        });
        assertThat(count("SELECT count(*) FROM dead_letter")).isZero();
        assertThat(check("mautic").path("error").asText()).doesNotContain("@");

        mautic.permission("POST", "/api/contacts/batch/new", true);
        Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> count("SELECT count(*) FROM outbox WHERE payload ->> 'email' IS NOT NULL AND (status = 'delivered')") == 2);
        assertThat(count("SELECT count(*) FROM dead_letter")).isZero();
    }

    @Test
    void aSegmentUnpublishedByHandDeadLettersOnlyTheChangesForItTheOthersAreDelivered() throws Exception {
        String day = starts.atOffset(ZoneOffset.UTC).toLocalDate().toString();
        long closed = mautic.state().addSegment("GoToWebinar · Closed launch · " + day + " · registered", null, null, true).id();
        mautic.state().publishSegment(closed, false);
        // Mautic down while the poll queues both webinars' changes, so that they go to Mautic in one batch
        mautic.faults().on("^/api/").status(503);
        webinar("Closed launch", "ada@example.com");
        webinar("Open launch", "bob@example.com", "cy@example.com");
        bridge = bridge("refresh");
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> count("SELECT count(*) FROM outbox WHERE payload ->> 'email' IS NOT NULL AND (status = 'pending')") == 3);
        mautic.faults().clear();

        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> count("SELECT count(*) FROM outbox WHERE payload ->> 'email' IS NOT NULL AND (status = 'pending')") == 0);
        assertThat(count("SELECT count(*) FROM outbox WHERE payload ->> 'email' IS NOT NULL AND (status = 'delivered')")).isEqualTo(2);
        assertThat(reasons()).singleElement().satisfies(r -> assertThat(r).contains("HTTP 403"));
        String open = "GoToWebinar · Open launch · " + day + " · registered";
        assertThat(mautic.state().segmentByName(open)).hasValueSatisfying(s -> assertThat(mautic.state().segmentMembers(s.id()))
                .hasSize(2));
        assertThat(TestBridge.get(bridge, "/health").statusCode()).isEqualTo(200);
    }

    @Test
    void aRevokedRefreshTokenHoldsTheInboxUntilANewTokenIsConfiguredAndTheServiceRestarted() throws Exception {
        MauticDemo.seed(mautic);
        long key = webinar("Inbound launch");
        bridge = bridge("refresh");
        String port = bridge.camelContext().resolvePropertyPlaceholders("{{bridge.http.port}}");
        mautic.registerHook("http://127.0.0.1:" + port + "/webhooks/mautic", "hook-secret", "mautic.form_on_submit");
        String fresh = goTo.revokeRefreshToken();
        for (String email : List.of("ada@example.com", "bob@example.com")) {
            mautic.submitForm(MauticDemo.FORM_ALIAS, Map.of("email", email, "goto_webinar", String.valueOf(key)));
        }

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(count("SELECT count(*) FROM inbox WHERE status = 'pending'")).isEqualTo(2);
            assertThat(check("goto").path("status").asText()).isEqualTo("DOWN");
        });
        assertThat(check("goto").path("message").asText()).startsWith("GoTo refuses the refresh token (400 invalid_grant")
                .endsWith("set the new goto.refresh-token and restart");
        assertThat(TestBridge.get(bridge, "/health").statusCode()).isEqualTo(503);
        assertThat(count("SELECT count(*) FROM dead_letter")).isZero();
        assertThat(count("SELECT count(*) FROM inbox WHERE attempts > 0")).isZero();
        assertThat(status()).contains("  goto:default HELD since ").contains("invalid_grant");
        assertThat(log.lines.stream().filter(l -> l.contains("GoTo refuses the refresh token"))).hasSize(1);

        bridge.close();
        bridge = bridge(fresh);
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(goTo.state().webinars().registrants(key)).hasSize(2);
            assertThat(count("SELECT count(*) FROM inbox WHERE status = 'done'")).isEqualTo(2);
            assertThat(TestBridge.get(bridge, "/health").statusCode()).isEqualTo(200);
        });
        assertThat(count("SELECT count(*) FROM dead_letter")).isZero();
    }

    @Test
    void aRevokedRefreshTokenMetByThePullAloneTurnsGoToDownWithItsFix() throws Exception {
        webinar("Pulled launch");
        bridge = bridge("refresh");
        goTo.revokeRefreshToken();

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(check("goto").path("message").asText()).startsWith("GoTo refuses the refresh token (400 invalid_grant"));
        assertThat(check("goto").path("status").asText()).isEqualTo("DOWN");
        assertThat(TestBridge.get(bridge, "/health").statusCode()).isEqualTo(503);
    }

    @Test
    void mauticDownKeepsHealthUpButShowsTheErrorAndSinceWhenThenThePushResumes() throws Exception {
        webinar("Outage launch", "ada@example.com", "bob@example.com");
        mautic.faults().on("^/api/").status(503);
        bridge = bridge("refresh");

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(check("mautic").path("error").asText()).contains("HTTP 503"));
        HttpResponse<String> health = TestBridge.get(bridge, "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode mauticCheck = check("mautic");
        assertThat(mauticCheck.path("status").asText()).isEqualTo("UP");
        assertThat(Instant.parse(mauticCheck.path("errorSince").asText())).isBefore(Instant.now());
        assertThat(status()).contains("  mautic    failing since ").contains("HTTP 503");

        mautic.faults().clear();
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(count("SELECT count(*) FROM outbox WHERE payload ->> 'email' IS NOT NULL AND (status = 'delivered')")).isEqualTo(2);
            assertThat(check("mautic").has("error")).isFalse();
        });
        assertThat(check("mautic").path("lastSuccess").asText()).isNotEmpty();
        assertThat(count("SELECT count(*) FROM dead_letter")).isZero();
    }

    @Test
    void goToServerErrorsKeepHealthUpButShowTheErrorThenClearWhenGoToAnswersAgain() throws Exception {
        webinar("Flaky launch", "ada@example.com");
        goTo.faults().on("^/G2W/").status(503);
        bridge = bridge("refresh");

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(check("goto").path("error").asText()).contains("HTTP 503"));
        assertThat(check("goto").path("status").asText()).isEqualTo("UP");
        assertThat(TestBridge.get(bridge, "/health").statusCode()).isEqualTo(200);
        assertThat(status()).contains("  goto:default failing since ").contains("HTTP 503");

        goTo.faults().clear();
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(check("goto").has("error")).isFalse());
        assertThat(check("goto").path("lastSuccess").asText()).isNotEmpty();
    }

    private JsonNode check(String part) throws Exception {
        return JSON.readTree(TestBridge.get(bridge, "/health").body()).path("checks").path(part);
    }

    /** The section of {@code status} about the parts, read from the database as the command reads it. */
    private String status() throws Exception {
        StringWriter text = new StringWriter();
        StatusCommand.printParts(new PrintWriter(text, true), PartStates.all(bridge.database().dataSource()));
        return text.toString();
    }

    private static long count(String sql) throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> reasons() throws Exception {
        List<String> reasons = new java.util.ArrayList<>();
        try (Connection c = DB.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT reason FROM dead_letter")) {
            while (rs.next()) {
                reasons.add(rs.getString(1));
            }
        }
        return reasons;
    }

    /** The service's log lines, as they are written. */
    static final class Lines extends AbstractAppender {
        final List<String> lines = new CopyOnWriteArrayList<>();

        Lines() {
            super("misconfiguration-test", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
        }
    }
}
