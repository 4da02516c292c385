package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.sandbox.GoToState.Session;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.GoToWebinars.Registrant;
import io.gotomautic.bridge.sandbox.MauticState;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * GoToWebinar's other webhooks, with no poll for an hour after the first: a join makes the registrant attended in
 * Mautic at once, in whatever order the join and the registration arrive and however often; a webinar created,
 * renamed or deleted in GoTo is stored, in the forms' select options, and a deleted one cancelled as the poll would.
 */
class WebhookEventsTest extends InboundTestBase {

    private final int port = TestBridge.freePort();

    @Override
    Map<String, String> more() {
        return realTime(port);
    }

    /** Subscribed, and the first (and only) poll done. */
    private void subscribed() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(DB.strings("SELECT state FROM goto_webhook WHERE account = 'default'")).containsExactly("active");
            assertThat(DB.strings("SELECT outcome FROM sync_cursor WHERE product = 'webinar'")).containsExactly("ok");
        });
    }

    /** Every webhook delivery stored so far is worked off. */
    private static void inboxWorked() {
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(DB.strings("SELECT count(*) FROM inbox WHERE source = 'goto-webhook' AND status = 'pending'"))
                        .containsExactly("0"));
    }

    private List<String> segments(String email) {
        return state.contactByEmail(email).map(c -> state.segmentsOf(c.id()).stream()
                .map(m -> state.segment(m.segmentId()).orElseThrow().name()).sorted().toList()).orElse(List.of());
    }

    private List<String> options() {
        return state.field("goto_webinar").map(f -> f.options().stream().map(MauticState.Option::label).toList()).orElse(List.of());
    }

    @Test
    void aJoinMakesTheRegistrantAttendedAtOnceEvenWhenItComesBeforeTheirRegistration() throws Exception {
        subscribed();
        goTo.webhookReorder(true);
        GoToWebinars webinars = goTo.state().webinars();
        Registrant ada = webinars.addRegistrant(webinar, "Ada", "Byron", "ada@example.com");
        Session live = webinars.addSession(webinar, TimeRange.of(Instant.now().minus(Duration.ofMinutes(10)), Duration.ofHours(1)));
        webinars.recordAttendance(live.key(), ada.key(), TimeRange.of(Instant.now().minus(Duration.ofMinutes(5)), Duration.ofMinutes(3)));
        // newest first: the join, then the registration
        assertThat(goTo.flushWebhooks()).isEqualTo(2);

        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(segments("ada@example.com")).anySatisfy(name -> assertThat(name).endsWith("· attended")));
        inboxWorked();
        assertThat(DB.strings("SELECT state || ' ' || minutes_attended FROM registration WHERE email = 'ada@example.com'"))
                .as("attended, the minutes left to the poll after the session").containsExactly("attended 0");
        assertThat(DB.strings("SELECT (payload ->> 'type') || ' ' || (payload ->> 'source') FROM outbox"
                + " WHERE payload ->> 'email' = 'ada@example.com' ORDER BY id"))
                .as("the registration that came after the join changed nothing").containsExactly("attended webhook");

        // the same join again, and a second join of hers, change nothing more
        goTo.webhookReorder(false).webhookDuplicates(true);
        webinars.recordAttendance(live.key(), ada.key(), TimeRange.of(Instant.now().minus(Duration.ofMinutes(1)), Duration.ofMinutes(1)));
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(DB.strings("SELECT count(*) FROM inbox WHERE source = 'goto-webhook'")).containsExactly("3"));
        inboxWorked();
        assertThat(DB.strings("SELECT count(*) FROM outbox WHERE payload ->> 'email' = 'ada@example.com'")).containsExactly("1");
        assertThat(deadLetters("inbox")).isEmpty();
    }

    @Test
    void aWebinarCreatedRenamedAndDeletedInGoToIsStoredOfferedAndCancelled() throws Exception {
        subscribed();
        GoToWebinars webinars = goTo.state().webinars();
        Instant at = Instant.now().plus(Duration.ofDays(9));
        long created = webinars.add(GoToWebinars.webinar("Summer school").times(TimeRange.of(at, Duration.ofHours(2)))).key();
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(DB.strings("SELECT title FROM event WHERE event_key = '" + created + "'")).containsExactly("Summer school");
            assertThat(options()).anySatisfy(o -> assertThat(o).startsWith("Summer school"));
        });

        // renamed twice, the deliveries reordered: the older news comes last, and the bridge still ends as GoTo has it
        goTo.webhookReorder(true);
        webinars.rename(created, "Summer school 2");
        webinars.rename(created, "Summer school, final");
        assertThat(goTo.flushWebhooks()).isEqualTo(2);
        inboxWorked();
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(DB.strings("SELECT title FROM event WHERE event_key = '" + created + "'")).containsExactly("Summer school, final");
            assertThat(options()).anySatisfy(o -> assertThat(o).startsWith("Summer school, final"))
                    .noneSatisfy(o -> assertThat(o).startsWith("Summer school 2"));
        });
        assertThat(DB.strings("SELECT payload ->> 'type' FROM outbox WHERE payload ->> 'eventKey' = '" + created + "'"
                + " AND payload ->> 'source' = 'webhook' ORDER BY id")).containsExactly("event-created", "event-changed");

        goTo.webhookReorder(false);
        webinars.cancel(created);
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(DB.strings("SELECT count(*) FROM event WHERE event_key = '" + created + "' AND cancelled_at IS NOT NULL"))
                    .containsExactly("1");
            assertThat(options()).noneSatisfy(o -> assertThat(o).startsWith("Summer school"));
        });
        assertThat(DB.strings("SELECT payload ->> 'type' FROM outbox WHERE payload ->> 'eventKey' = '" + created + "'"
                + " ORDER BY id DESC LIMIT 1")).containsExactly("event-cancelled");
        assertThat(deadLetters("inbox")).isEmpty();
    }
}
