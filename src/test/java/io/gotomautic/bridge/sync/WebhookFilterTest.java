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
 * bridge.pull.webinar.filter holds for GoTo's webhooks as for the poll: a webinar it leaves out is not stored when
 * GoTo announces it, and its registrations and joins change nothing, in the database or in Mautic; a webinar renamed
 * out of the filter is left as it was. The events it takes are worked as before.
 */
class WebhookFilterTest extends InboundTestBase {

    private final int port = TestBridge.freePort();

    @Override
    Map<String, String> more() {
        Map<String, String> settings = new HashMap<>(realTime(port));
        settings.put("bridge.pull.webinar.filter", "${body[title]} not contains '[internal]'");
        return settings;
    }

    /** Every delivery GoTo made so far is in the inbox and worked off. */
    private void delivered() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(DB.strings("SELECT count(*) FROM inbox WHERE source = 'goto-webhook' AND status = 'done'"))
                        .containsExactly(String.valueOf(goTo.webhookDeliveries().size())));
    }

    @Test
    void theWebhooksOfAWebinarTheFilterLeavesOutChangeNothing() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(DB.strings("SELECT state FROM goto_webhook WHERE account = 'default'")).containsExactly("active");
            assertThat(DB.strings("SELECT outcome FROM sync_cursor WHERE product = 'webinar'")).containsExactly("ok");
        });
        GoToWebinars webinars = goTo.state().webinars();
        long internal = webinars.add(GoToWebinars.webinar("Team sync [internal]")
                .times(TimeRange.of(Instant.now().plus(Duration.ofDays(3)), Duration.ofHours(1)))).key();
        Registrant ada = webinars.addRegistrant(internal, "Ada", "Byron", "ada@example.com");
        Registrant bob = webinars.addRegistrant(webinar, "Bob", "Stone", "bob@example.com");
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(DB.strings("SELECT state FROM registration WHERE email = 'bob@example.com'")).containsExactly("registered"));
        delivered();

        // both join: the bridge knows Bob, and reads his webinar for the filter; Ada it never recorded
        Session launch = webinars.addSession(webinar, TimeRange.of(Instant.now().minus(Duration.ofMinutes(10)), Duration.ofHours(1)));
        Session sync = webinars.addSession(internal, TimeRange.of(Instant.now().minus(Duration.ofMinutes(10)), Duration.ofHours(1)));
        webinars.recordAttendance(launch.key(), bob.key(), TimeRange.of(Instant.now().minus(Duration.ofMinutes(5)), Duration.ofMinutes(3)));
        webinars.recordAttendance(sync.key(), ada.key(), TimeRange.of(Instant.now().minus(Duration.ofMinutes(5)), Duration.ofMinutes(3)));
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(DB.strings("SELECT state FROM registration WHERE email = 'bob@example.com'")).containsExactly("attended"));
        delivered();

        assertThat(DB.strings("SELECT count(*) FROM event WHERE event_key = '" + internal + "'")).as("not stored").containsExactly("0");
        assertThat(DB.strings("SELECT count(*) FROM registration WHERE event_key = '" + internal + "'")).containsExactly("0");
        assertThat(DB.strings("SELECT count(*) FROM outbox WHERE payload ->> 'eventKey' = '" + internal + "'")).containsExactly("0");
        assertThat(state.contactByEmail("ada@example.com")).as("Ada is not in Mautic").isEmpty();
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(state.contactByEmail("bob@example.com")).isPresent());

        // renamed out of the filter: the bridge keeps it as it was, and a registration for it changes nothing
        webinars.rename(webinar, "Spring launch [internal]");
        webinars.addRegistrant(webinar, "Cy", "Young", "cy@example.com");
        delivered();
        assertThat(DB.strings("SELECT title FROM event WHERE event_key = '" + webinar + "'")).containsExactly("Spring launch");
        assertThat(DB.strings("SELECT count(*) FROM registration WHERE email = 'cy@example.com'")).containsExactly("0");
        assertThat(deadLetters("inbox")).isEmpty();
    }
}
