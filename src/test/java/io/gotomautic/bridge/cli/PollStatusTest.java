package io.gotomautic.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
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
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.store.Database;
import io.gotomautic.bridge.store.StatusReport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What {@code status} says of polls the service ran against a GoTo simulator that fails: the routes, real PostgreSQL. */
class PollStatusTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    GoToSimulator goTo;

    @BeforeEach
    void start() throws Exception {
        goTo = GoToSimulator.start(0, "client", "secret", "refresh");
        DB.empty();
    }

    @AfterEach
    void stop() {
        goTo.close();
    }

    private Settings settings() {
        Map<String, String> s = new HashMap<>(DB.settings());
        s.putAll(TestBridge.goTo(goTo));
        s.put("bridge.poll.webinar", "1s");
        s.put("bridge.http.timeout", "2s");
        return TestBridge.settings(s);
    }

    private String status(Settings settings) throws Exception {
        StringWriter text = new StringWriter();
        try (Database db = Database.attach(settings)) {
            StatusCommand.print(new PrintWriter(text), settings, db.describe(), StatusReport.read(db.dataSource()));
        }
        return text.toString();
    }

    private static boolean webinarPollFinished() throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM sync_cursor WHERE product = 'webinar' AND finished_at IS NOT NULL")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    private static boolean webinarPollStarted() throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM sync_cursor WHERE product = 'webinar'")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    @Test
    void aPollWhoseListCallFailsIsShownFailedWithTheReason() throws Exception {
        goTo.faults().on("/webinars$").status(500);
        Settings settings = settings();
        try (Bridge bridge = Bridge.start(settings)) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(PollStatusTest::webinarPollFinished);
            assertThat(status(settings)).containsPattern(
                    "webinar\\s+default\\s+\\S+\\s+failed\\s+could not list the events: GoTo GET /G2W/rest/v2/organizers/\\d+/webinars\\S* failed: HTTP 500");
        }
    }

    @Test
    void aPollWhoseListCallHangsIsRunningThenFailedWithTheTimeout() throws Exception {
        goTo.faults().on("/webinars$").hang(Duration.ofSeconds(6));
        Settings settings = settings();
        try (Bridge bridge = Bridge.start(settings)) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(PollStatusTest::webinarPollStarted);
            assertThat(status(settings)).containsPattern("webinar\\s+default\\s+\\S+\\s+running\n");
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(PollStatusTest::webinarPollFinished);
            assertThat(status(settings)).containsPattern("webinar\\s+default\\s+\\S+\\s+failed\\s+could not list the events: GoTo GET \\S+ got no answer");
        }
    }

    @Test
    void aPollInWhichOneEventFailedIsShownPartialWithThatEventsReason() throws Exception {
        Instant soon = Instant.now().plus(Duration.ofDays(2));
        goTo.state().webinars().add(GoToWebinars.webinar("Fine").times(TimeRange.of(soon, Duration.ofHours(1))));
        long broken = goTo.state().webinars().add(GoToWebinars.webinar("Broken")
                .times(TimeRange.of(soon.plus(Duration.ofDays(1)), Duration.ofHours(1)))).key();
        goTo.faults().on("/webinars/" + broken + "/registrants").malformed();
        Settings settings = settings();
        try (Bridge bridge = Bridge.start(settings)) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(PollStatusTest::webinarPollFinished);
            assertThat(status(settings)).containsPattern("webinar\\s+default\\s+\\S+\\s+partial\\s+2 events \\(1 failed\\).*; first failure: event "
                    + broken + ": GoTo GET \\S+ answered a body that is not JSON");
        }
    }
}
