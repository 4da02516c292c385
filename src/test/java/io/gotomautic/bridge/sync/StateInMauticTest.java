package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.sandbox.GoToState.RegistrantStatus;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mautic shows GoTo's state, not the history of pushes: after register / cancel / register again / attend and
 * no-show, pushed change by change or all in one batch, each contact has exactly the managed tags and segment
 * memberships of where it stands; absence from GoTo's lagging listings cancels only after bridge.cancel-after.
 * The running service, the GoToWebinar and Mautic simulators over HTTP, the real PostgreSQL.
 */
class StateInMauticTest extends PullTestBase {

    GoToWebinars webinars;
    /** In its first session now: people register, cancel and attend. */
    long live;
    /** Ended half an hour ago, attendance not settled yet. */
    long ended;

    @BeforeEach
    void webinars() {
        webinars = goTo.state().webinars();
        live = webinars.add(GoToWebinars.webinar("Live").times(TimeRange.of(now.minus(Duration.ofMinutes(30)), Duration.ofHours(2)))).key();
        ended = webinars.add(GoToWebinars.webinar("Ended").times(TimeRange.of(now.minus(Duration.ofMinutes(90)), Duration.ofHours(1)))).key();
    }

    @Test
    void eachChangeInItsOwnDrainLeavesExactlyTheStatesTagsAndSegments() throws Exception {
        try (Bridge bridge = bridge(Map.of())) {
            var ann = webinars.addRegistrant(live, "Ann", "A", "ann@example.com");
            var bob = webinars.addRegistrant(ended, "Bob", "B", "bob@example.com");
            inMautic("ann@example.com", live, "registered");
            inMautic("bob@example.com", ended, "registered", "no-show");

            // GoTo reports the cancellation (a status, not an absence): at once, with bridge.cancel-after at 2h
            webinars.setStatus(ann.key(), RegistrantStatus.DENIED);
            inMautic("ann@example.com", live, "cancelled");
            webinars.setStatus(ann.key(), RegistrantStatus.APPROVED);
            inMautic("ann@example.com", live, "registered");
            var session = webinars.addSession(live, TimeRange.of(now.minus(Duration.ofMinutes(30)), Duration.ofMinutes(30)));
            webinars.recordAttendance(session.key(), ann.key(), TimeRange.of(now.minus(Duration.ofMinutes(25)), Duration.ofMinutes(20)));
            inMautic("ann@example.com", live, "registered", "attended");

            // attendance data arriving late turns a no-show into an attendee
            var held = webinars.addSession(ended, TimeRange.of(now.minus(Duration.ofMinutes(90)), Duration.ofHours(1)));
            webinars.recordAttendance(held.key(), bob.key(), TimeRange.of(now.minus(Duration.ofMinutes(80)), Duration.ofMinutes(30)));
            inMautic("bob@example.com", ended, "registered", "attended");
        }
    }

    @Test
    void everythingInOneBatchLeavesExactlyTheStatesTagsAndSegments() throws Exception {
        try (Bridge bridge = bridge(Map.of())) {
            var dan = webinars.addRegistrant(live, "Dan", "D", "dan@example.com");
            inMautic("dan@example.com", live, "registered");

            mautic.faults().on("^/api/").status(503);
            var ann = webinars.addRegistrant(live, "Ann", "A", "ann@example.com");
            queued("ann@example.com", "registered");
            webinars.setStatus(ann.key(), RegistrantStatus.DENIED);
            webinars.setStatus(dan.key(), RegistrantStatus.DENIED);
            var eve = webinars.addRegistrant(live, "Eve", "E", "eve@example.com");
            queued("ann@example.com", "registered", "cancelled");
            webinars.setStatus(ann.key(), RegistrantStatus.APPROVED);
            webinars.setStatus(dan.key(), RegistrantStatus.APPROVED);
            queued("ann@example.com", "registered", "cancelled", "registered");
            var session = webinars.addSession(live, TimeRange.of(now.minus(Duration.ofMinutes(30)), Duration.ofMinutes(30)));
            webinars.recordAttendance(session.key(), ann.key(), TimeRange.of(now.minus(Duration.ofMinutes(25)), Duration.ofMinutes(20)));
            webinars.setStatus(eve.key(), RegistrantStatus.DENIED);
            queued("ann@example.com", "registered", "cancelled", "registered", "attended");
            queued("dan@example.com", "registered", "cancelled", "registered");
            queued("eve@example.com", "registered", "cancelled");
            assertThat(state.contactByEmail("ann@example.com")).isEmpty();

            mautic.faults().clear();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> pending() == 0);
            assertThat(tags("ann@example.com", live)).containsExactlyInAnyOrder("registered", "attended");
            assertThat(segments("ann@example.com", live)).containsExactlyInAnyOrder("registered", "attended");
            assertThat(tags("dan@example.com", live)).as("cancelled and registered again in one batch").containsExactly("registered");
            assertThat(segments("dan@example.com", live)).containsExactly("registered");
            assertThat(tags("eve@example.com", live)).containsExactly("cancelled");
            assertThat(segments("eve@example.com", live)).containsExactly("cancelled");
        }
    }

    @Test
    void aRegistrantMissingFromTheListingIsCancelledOnlyOnceMissingForCancelAfterAcrossARestart() throws Exception {
        Map<String, String> cancelAfter = Map.of("bridge.cancel-after", "4s");
        var ann = webinars.addRegistrant(live, "Ann", "A", "ann@example.com");
        webinars.addRegistrant(live, "Bob", "B", "bob@example.com");
        Instant missingSince;
        try (Bridge bridge = bridge(cancelAfter)) {
            inMautic("ann@example.com", live, "registered");
            inMautic("bob@example.com", live, "registered");

            webinars.cancelRegistrant(ann.key());
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> absentSince("ann@example.com") != null);
            missingSince = absentSince("ann@example.com");
            assertThat(registration("ann@example.com")).as("one listing without her").isEqualTo("registered");
            assertThat(tags("ann@example.com", live)).containsExactly("registered");
        }
        // the clock is in the database: the restarted service's first poll finds her missing for long enough
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(missingSince.plusSeconds(5)));
        Instant restarted = Instant.now();
        try (Bridge bridge = bridge(cancelAfter)) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> pollFinishedAfter(restarted));
            assertThat(registration("ann@example.com")).isEqualTo("cancelled");
            inMautic("ann@example.com", live, "cancelled");
            assertThat(tags("bob@example.com", live)).containsExactly("registered");
            assertThat(segments("bob@example.com", live)).containsExactly("registered");
        }
    }

    /** Waits until Mautic has the contact with exactly these managed tags and segments of the event. */
    private void inMautic(String email, long webinar, String... states) {
        Set<String> tags = Set.of(states).stream().map(s -> s.replace("-", "")).collect(Collectors.toSet());
        Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
            assertThat(tags(email, webinar)).containsExactlyInAnyOrderElementsOf(tags);
            assertThat(segments(email, webinar)).containsExactlyInAnyOrder(states);
            assertThat(pending()).isZero();
        });
    }

    /** The contact's managed tags of the webinar, e.g. [registered, noshow]. */
    private List<String> tags(String email, long webinar) {
        return state.contactByEmail(email).orElseThrow().tags().stream()
                .filter(t -> t.startsWith("goto-webinar-") && t.endsWith("-" + webinar))
                .map(t -> t.substring("goto-webinar-".length(), t.length() - ("-" + webinar).length())).toList();
    }

    /** The webinar's managed segments that hold the contact, by state, e.g. [registered, no-show]. */
    private List<String> segments(String email, long webinar) {
        String prefix = "GoToWebinar · " + webinars.webinar(webinar).orElseThrow().subject() + " · "
                + webinars.webinar(webinar).orElseThrow().start().atOffset(ZoneOffset.UTC).toLocalDate() + " · ";
        return state.segmentsOf(state.contactByEmail(email).orElseThrow().id()).stream()
                .map(m -> state.segment(m.segmentId()).orElseThrow().name())
                .filter(n -> n.startsWith(prefix)).map(n -> n.substring(prefix.length())).toList();
    }

    /** Waits until the person's changes in the outbox are these states, in order. */
    private static void queued(String email, String... states) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(DB.strings(
                "SELECT payload->>'type' FROM outbox WHERE payload->>'email' = ? ORDER BY id", email)).containsExactly(states));
    }

    private static String registration(String email) throws Exception {
        return DB.strings("SELECT state FROM registration WHERE email = ?", email).get(0);
    }

    /** When the person went missing from GoTo's listings, or null. */
    private static Instant absentSince(String email) throws Exception {
        String at = DB.strings("SELECT (extract(epoch FROM absent_since) * 1000)::bigint FROM registration WHERE email = ?", email).get(0);
        return at == null ? null : Instant.ofEpochMilli(Long.parseLong(at));
    }

    private static boolean pollFinishedAfter(Instant t) throws Exception {
        return DB.strings("SELECT finished_at > ? FROM sync_cursor WHERE product = 'webinar' AND scope = ''",
                java.sql.Timestamp.from(t)).equals(List.of("t"));
    }
}
