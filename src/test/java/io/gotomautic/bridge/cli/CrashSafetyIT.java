package io.gotomautic.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.MauticDemo;
import io.gotomautic.bridge.sandbox.MauticSimulator;
import io.gotomautic.bridge.sandbox.MauticState;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The service killed (SIGKILL) in the middle of its work and started again: every change in Mautic exactly once,
 * every acknowledged form submission registered once.
 */
class CrashSafetyIT {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @TempDir
    Path work;

    /** Every service a test started: a test that fails before its kill must not leave one running. */
    private final List<Process> started = new java.util.ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @BeforeEach
    void emptyDatabase() throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
        }
    }

    @Test
    void killedMidPushAndRestartedEveryChangeLandsExactlyOnce() throws Exception {
        int people = 300;
        try (GoToSimulator goTo = GoToSimulator.start(0, "client", "secret", "refresh").rateLimit(0, Duration.ofSeconds(1));
             MauticSimulator mautic = MauticSimulator.start(0, "api", "pass")) {
            long key = goTo.state().webinars().add(GoToWebinars.webinar("Crash course")
                    .times(TimeRange.of(Instant.now().plus(Duration.ofDays(3)), Duration.ofHours(1)))).key();
            for (int i = 0; i < people; i++) {
                goTo.state().webinars().addRegistrant(key, "P" + i, "Q", "person" + i + "@example.com");
            }
            // slow enough that the per-contact timeline calls are in full swing when the process is killed
            mautic.faults().latency(Duration.ofMillis(15));
            MauticState state = mautic.state();

            Process first = start(goTo, mautic);
            Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> utmRows(state) >= people / 3);
            first.destroyForcibly();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long before = utmRows(state);
            assertThat(before).as("killed mid-push").isLessThan(people);

            Process second = start(goTo, mautic);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> pending() == 0 && utmRows(state) >= people);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }

            assertThat(state.contacts()).hasSize(people);
            long segment = state.segments().stream().filter(s -> s.name().startsWith("GoToWebinar · Crash course"))
                    .findFirst().orElseThrow().id();
            assertThat(state.segmentMembers(segment)).hasSize(people);
            for (MauticState.Contact c : state.contacts()) {
                assertThat(state.utmRows(c.id())).as("UTM rows of " + c.email()).hasSize(1);
                assertThat(state.notes(c.id())).as("notes of " + c.email()).hasSize(1);
            }
        }
    }

    @Test
    void killedBetweenAcknowledgingSubmissionsAndRegisteringThemNoneIsLostAndNoneRegisteredTwice() throws Exception {
        int people = 40;
        try (GoToSimulator goTo = GoToSimulator.start(0, "client", "secret", "refresh");
             MauticSimulator mautic = MauticSimulator.start(0, "api", "pass")) {
            MauticDemo.seed(mautic);
            long key = goTo.state().webinars().add(GoToWebinars.webinar("Sign-up rush")
                    .times(TimeRange.of(Instant.now().plus(Duration.ofDays(3)), Duration.ofHours(1)))).key();
            // slow registrations, so the kill comes with most submissions acknowledged but not yet registered
            goTo.faults().latency(Duration.ofMillis(150));
            int port = TestBridge.freePort();
            mautic.registerHook("http://127.0.0.1:" + port + "/webhooks/mautic", "hook-secret", "mautic.form_on_submit");

            Process first = start(goTo, mautic, port);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> served(port));
            for (int i = 0; i < people; i++) {
                mautic.submitForm(MauticDemo.FORM_ALIAS, Map.of("email", "rush" + i + "@example.com", "firstname", "R" + i,
                        MauticDemo.SELECT_FIELD, String.valueOf(key)));
            }
            assertThat(mautic.deliveries()).hasSize(people).allSatisfy(d -> assertThat(d.status()).isEqualTo(200));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> goTo.state().webinars().registrants(key).size() >= 5);
            first.destroyForcibly();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(goTo.state().webinars().registrants(key).size()).as("killed mid-drain").isLessThan(people);

            Process second = start(goTo, mautic, port);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> count("SELECT count(*) FROM inbox WHERE status = 'pending'") == 0
                        && count("SELECT count(*) FROM outbox WHERE status = 'pending'") == 0);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
            assertThat(goTo.state().webinars().registrants(key)).hasSize(people);
            assertThat(count("SELECT count(*) FROM registration")).isEqualTo(people);
            assertThat(count("SELECT count(*) FROM dead_letter")).isZero();
            // one registration may have been in flight at the kill: its retry met GoTo's 409 and used the registrant
            String post = "POST /G2W/rest/v2/organizers/{organizerKey}/webinars/{webinarKey}/registrants";
            assertThat(goTo.calls().count(post)).isBetween((long) people, people + 1L);
            for (int i = 0; i < people; i++) {
                String email = "rush" + i + "@example.com";
                assertThat(mautic.state().contactByEmail(email)).as(email).hasValueSatisfying(c ->
                        assertThat(c.field("goto_join_url")).startsWith("https://"));
            }
        }
    }

    /**
     * A side effect GoTo or Mautic cannot deduplicate, with the service killed at each step: before the GoTo call (its
     * token call hangs), after GoTo created the session but before the bridge heard of it (the answer held), and after
     * Mautic sent the email but before the outbox row was marked. After the restart: one session, one email.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"meeting before the GoTo call", "meeting after the GoTo call", "assist after the GoTo call",
            "email after the Mautic send"})
    void killedAtEachStepOfACreateTheSessionAndItsEmailHappenOnce(String step) throws Exception {
        try (GoToSimulator goTo = GoToSimulator.start(0, "client", "secret", "refresh");
             MauticSimulator mautic = MauticSimulator.start(0, "api", "pass")) {
            MauticDemo.seed(mautic);
            MauticState state = mautic.state();
            boolean assist = step.startsWith("assist");
            long contact = state.upsertContact(Map.of("email", "ada@example.com", "firstname", "Ada")).id();
            long emailId = state.emailByName("Your meeting link").orElseThrow().id();
            java.util.function.LongSupplier sessions = () -> assist ? goTo.state().assistSessions().all().size()
                    : goTo.state().meetings().all().size();
            java.util.function.LongSupplier sends = () -> state.emailSends(emailId).stream().filter(s -> s.contactId() == contact).count();
            Duration held = Duration.ofMinutes(5);
            if (step.endsWith("before the GoTo call")) {
                goTo.faults().on("/oauth/token").hang(held);
            } else if (step.endsWith("after the GoTo call")) {
                goTo.faults().on(assist ? "^/G2A/rest/v1/sessions$" : "^/G2M/rest/meetings$").holdAnswer(held);
            } else {
                mautic.faults().on("/api/emails/\\d+/contact/\\d+/send").holdAnswer(held);
            }
            int port = TestBridge.freePort();
            Process first = start(goTo, mautic, port);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> served(port));
            assertThat(campaign(port, "action=" + (assist ? "assist-link" : "meeting-link") + "&contact_id=" + contact
                    + "&email=ada%40example.com&firstname=Ada&email_id=" + emailId)).isEqualTo(200);
            if (step.endsWith("before the GoTo call")) {
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> goTo.calls().count("POST /oauth/token") >= 1);
            } else if (step.endsWith("after the GoTo call")) {
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> sessions.getAsLong() == 1);
            } else {
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> sends.getAsLong() == 1);
            }
            first.destroyForcibly();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            goTo.faults().clear();
            mautic.faults().clear();

            Process second = start(goTo, mautic, port);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> count("SELECT count(*) FROM inbox WHERE status = 'pending'") == 0
                        && pending() == 0 && sends.getAsLong() >= 1);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
            assertThat(sessions.getAsLong()).as("sessions in GoTo").isEqualTo(1);
            assertThat(sends.getAsLong()).as("emails to the contact").isEqualTo(1);
            String link = state.emailSends(emailId).get(0).tokens().get(assist ? "{assist_link}" : "{meeting_link}");
            if (assist) {
                assertThat(link).as("the link mailed").isEqualTo(goTo.state().assistSessions().all().get(0).customerJoinUrl());
            } else {
                var meeting = goTo.state().meetings().all().get(0);
                // a meeting found again is mailed with GoTo's documented join form, a new one with the create answer's
                assertThat(link).as("the link mailed").isIn(meeting.joinUrl(), "https://global.gotomeeting.com/join/" + meeting.meetingId());
            }
            assertThat(count("SELECT count(*) FROM dead_letter")).isZero();
            assertThat(count("SELECT count(*) FROM side_effect_intent")).as("intents left").isZero();
        }
    }

    /**
     * A registration with the service killed before its GoTo call (the token call hangs) and after GoTo registered the
     * person but before the bridge heard of it (the answer held). While the call waits, no connection of the bridge
     * sits in a transaction that holds a row lock or a snapshot: the entry was claimed and committed first. After the
     * restart: one registrant in GoTo, one registration, the join URL on the contact, one confirmation email.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"before the GoTo call", "after the GoTo call"})
    void killedAtEachStepOfARegistrationThePersonIsRegisteredOnceAndNoTransactionWaitsForGoTo(String step) throws Exception {
        try (GoToSimulator goTo = GoToSimulator.start(0, "client", "secret", "refresh");
             MauticSimulator mautic = MauticSimulator.start(0, "api", "pass")) {
            MauticDemo.seed(mautic);
            MauticState state = mautic.state();
            long key = goTo.state().webinars().add(GoToWebinars.webinar("Held answer")
                    .times(TimeRange.of(Instant.now().plus(Duration.ofDays(3)), Duration.ofHours(1)))).key();
            long contact = state.upsertContact(Map.of("email", "ada@example.com", "firstname", "Ada")).id();
            long emailId = state.emailByName("Webinar confirmation").orElseThrow().id();
            Duration held = Duration.ofMinutes(5);
            if (step.startsWith("before")) {
                goTo.faults().on("/oauth/token").hang(held);
            } else {
                goTo.faults().on("^/G2W/rest/v2/organizers/\\d+/webinars/\\d+/registrants$").holdAnswer(held);
            }
            int port = TestBridge.freePort();
            Process first = start(goTo, mautic, port);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> served(port));
            assertThat(campaign(port, "action=register-webinar&event_key=" + key + "&contact_id=" + contact
                    + "&email=ada%40example.com&firstname=Ada&email_id=" + emailId)).isEqualTo(200);
            if (step.startsWith("before")) {
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> goTo.calls().count("POST /oauth/token") >= 1);
            } else {
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> goTo.state().webinars().registrants(key).size() == 1);
            }
            // watched while the call waits: a transaction opened before the call would be older than a second here
            Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> count(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'goto-mautic-bridge/%' AND (backend_xid"
                            + " IS NOT NULL OR backend_xmin IS NOT NULL) AND xact_start < now() - interval '1 second'") == 0);
            assertThat(count("SELECT count(*) FROM inbox WHERE status = 'pending' AND claimed_by IS NOT NULL"))
                    .as("the entry claimed").isEqualTo(1);
            first.destroyForcibly();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            goTo.faults().clear();

            Process second = start(goTo, mautic, port);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> count("SELECT count(*) FROM inbox WHERE status = 'pending'") == 0
                        && pending() == 0 && !state.emailSends(emailId).isEmpty());
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
            assertThat(goTo.state().webinars().registrants(key)).as("registrants in GoTo").hasSize(1);
            assertThat(count("SELECT count(*) FROM registration")).isEqualTo(1);
            assertThat(state.emailSends(emailId)).as("confirmation emails").hasSize(1);
            assertThat(state.contactByEmail("ada@example.com")).hasValueSatisfying(c ->
                    assertThat(c.field("goto_join_url")).isEqualTo(goTo.state().webinars().registrants(key).get(0).joinUrl()));
            assertThat(count("SELECT count(*) FROM dead_letter")).isZero();
        }
    }

    private static int campaign(int port, String form) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/hooks/campaign"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-Bridge-Token", "campaign-token")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The webhook route answers (an unsigned delivery is refused with 401). */
    private static boolean served(int port) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + port + "/webhooks/mautic"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 401;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Process start(GoToSimulator goTo, MauticSimulator mautic) throws Exception {
        return start(goTo, mautic, TestBridge.freePort());
    }

    private Process start(GoToSimulator goTo, MauticSimulator mautic, int port) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", CliIT.JAR.toString())).directory(Path.of("").toAbsolutePath().toFile());
        pb.environment().putAll(Map.of("BRIDGE_DB_URL", DB.url(), "BRIDGE_HTTP_PORT", String.valueOf(port),
                "GOTO_API_URL", goTo.baseUrl(), "GOTO_AUTH_URL", goTo.baseUrl(), "GOTO_CLIENT_ID", "client",
                "GOTO_CLIENT_SECRET", "secret", "GOTO_REFRESH_TOKEN", "refresh",
                "MAUTIC_URL", mautic.baseUrl(), "MAUTIC_USERNAME", "api", "MAUTIC_PASSWORD", "pass"));
        pb.environment().put("BRIDGE_POLL_WEBINAR", "2s");
        pb.environment().put("MAUTIC_WEBHOOK_SECRET", "hook-secret");
        pb.environment().put("BRIDGE_INBOUND_TOKEN", "campaign-token");
        pb.environment().put("BRIDGE_PUSH_INTERVAL", "200ms");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("bridge.log").toFile()));
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private static long utmRows(MauticState state) {
        return state.contacts().stream().mapToLong(c -> state.utmRows(c.id()).size()).sum();
    }

    private static long pending() throws Exception {
        return count("SELECT count(*) FROM outbox WHERE status = 'pending'");
    }

    private static long count(String sql) throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
