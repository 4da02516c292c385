package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.sandbox.GoToState.Session;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.GoToWebinars.Registrant;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Polling as the safety net: the webinar schedule ticks every second, but while GoTo's webhooks are active the
 * account is polled only when bridge.poll.webinar.with-webhooks has passed or a session of a webinar has just ended
 * (the first of a series too, not only its last), which brings the attendance minutes the join left open; with the
 * webhooks failing, every tick polls again.
 */
class PollCadenceTest extends InboundTestBase {

    static final String LISTING = "GET /G2W/rest/v2/organizers/{organizerKey}/webinars";
    private final int port = TestBridge.freePort();

    @Override
    Map<String, String> more() {
        Map<String, String> s = new HashMap<>(realTime(port));
        s.put("bridge.poll.webinar", "1s");
        s.put("bridge.poll.webinar.with-webhooks", "1h");
        return s;
    }

    private long polls() {
        return goTo.calls().count(LISTING);
    }

    @Test
    void withWebhooksTheWebinarPollWaitsForASessionsEndAndWithThemFailingItTicksAgain() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(DB.strings("SELECT state FROM goto_webhook WHERE account = 'default'")).containsExactly("active");
            assertThat(DB.strings("SELECT outcome FROM sync_cursor WHERE product = 'webinar'")).containsExactly("ok");
        });
        // a series whose first session is under way and ends in eight seconds, its second tomorrow; one registrant
        // joins (the webhook: attended, no minutes)
        GoToWebinars webinars = goTo.state().webinars();
        Instant began = Instant.now().minus(Duration.ofMinutes(20));
        // whole seconds, as GoTo's times are
        Instant ends = Instant.now().plus(Duration.ofSeconds(8)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        long talk = webinars.add(GoToWebinars.webinar("Short series").times(new TimeRange(began, ends),
                TimeRange.of(began.plus(Duration.ofDays(1)), Duration.ofHours(1)))).key();
        Registrant ada = webinars.addRegistrant(talk, "Ada", "Byron", "ada@example.com");
        Session live = webinars.addSession(talk, new TimeRange(began, ends));
        webinars.recordAttendance(live.key(), ada.key(), TimeRange.of(began.plus(Duration.ofMinutes(1)), Duration.ofMinutes(12)));
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(DB.strings("SELECT state || ' ' || minutes_attended FROM registration WHERE email = 'ada@example.com'"))
                        .containsExactly("attended 0"));
        long before = polls();

        // the first tick after the session's end polls, and the minutes arrive
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(DB.strings("SELECT state || ' ' || minutes_attended FROM registration WHERE email = 'ada@example.com'"))
                        .containsExactly("attended 12"));
        assertThat(DB.strings("SELECT count(*) FROM sync_cursor WHERE product = 'webinar' AND started_at >= ?::timestamptz",
                ends.toString())).as("the poll that brought them began after the end").containsExactly("1");
        assertThat(polls() - before).as("polls from the join until the minutes came, the schedule ticking every second")
                .isEqualTo(1);

        // the webhooks fail: every tick is due again, at once
        try (var c = DB.connect(); var st = c.createStatement()) {
            st.execute("UPDATE goto_webhook SET state = 'failing', message = 'GoTo answered 500'");
        }
        long failing = polls();
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> polls() >= failing + 3);
    }
}
