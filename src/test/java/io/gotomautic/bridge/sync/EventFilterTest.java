package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * bridge.pull.webinar.filter on the running service: the events it leaves out are not pulled and are counted apart,
 * a registration naming one becomes a dead letter saying why without a GoTo call, and a predicate that does not
 * parse stops the start, naming the setting; bridge.pull.training.filter, over the event's other fields, for its own
 * product.
 */
class EventFilterTest extends InboundTestBase {

    static final String FILTER = "${body[title]} not contains '[internal]'";

    @Override
    Map<String, String> more() {
        return Map.of("bridge.pull.webinar.filter", FILTER, "bridge.poll.webinar", "1s",
                // another product's filter, over the other fields of the event
                "bridge.pull.training.filter", "${body[title]} startsWith 'Public' && ${body[organizerKey]} != null"
                        + " && ${body[startsAt]} regex '\\d{4}-\\d\\d-\\d\\dT.*Z' && ${body[endsAt]} != null",
                "bridge.poll.training", "1s");
    }

    @Test
    void anEventTheFilterLeavesOutIsNotPulledAndNobodyIsRegisteredForIt() throws Exception {
        long internal = goTo.state().webinars().add(GoToWebinars.webinar("[internal] Staff update")
                .times(TimeRange.of(starts, Duration.ofHours(1)))).key();
        goTo.state().webinars().addRegistrant(internal, "Staff", "Member", "staff@example.com");
        goTo.state().webinars().addRegistrant(webinar, "Ada", "Lovelace", "ada@example.com");

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> DB.strings(
                "SELECT coalesce(message, '') FROM sync_cursor WHERE product = 'webinar' AND scope = ''").stream()
                .anyMatch(m -> m.contains("1 registrants") && m.contains("1 events left out by the filter step (bridge.pull.webinar.filter)")));
        assertThat(DB.strings("SELECT lower(email) FROM registration")).containsExactly("ada@example.com");
        assertThat(DB.strings("SELECT event_key FROM event")).doesNotContain(String.valueOf(internal));

        assertThat(campaign("campaign-token", "application/x-www-form-urlencoded",
                "action=register-webinar&email=eve%40example.com&event_key=" + internal).statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !deadLetters("inbox").isEmpty());
        assertThat(deadLetters("inbox")).contains("webinar " + internal + " ([internal] Staff update) is left out by"
                + " bridge.pull.webinar.filter (" + FILTER + "): nobody is registered for it");
        assertThat(goTo.state().webinars().registrants(internal)).extracting(r -> r.email()).containsExactly("staff@example.com");
        assertThat(goTo.calls().count("POST /G2W/rest/v2/organizers/{organizerKey}/webinars/{webinarKey}/registrants")).isZero();
    }

    @Test
    void eachProductHasItsOwnFilterOverTheEventsFields() throws Exception {
        var trainings = goTo.state().trainings();
        long open = trainings.add("Public workshop", "", "UTC", TimeRange.of(starts, Duration.ofHours(2))).key();
        long team = trainings.add("Team onboarding", "", "UTC", TimeRange.of(starts, Duration.ofHours(2))).key();
        trainings.addRegistrant(open, "Ada", "Lovelace", "ada@example.com");
        trainings.addRegistrant(team, "Staff", "Member", "staff@example.com");

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> DB.strings(
                "SELECT coalesce(message, '') FROM sync_cursor WHERE product = 'training' AND scope = ''").stream()
                .anyMatch(m -> m.contains("1 events left out by the filter step (bridge.pull.training.filter)")));
        assertThat(DB.strings("SELECT product || ' ' || event_key || ' ' || lower(email) FROM registration WHERE product = 'training'"))
                .containsExactly("training " + open + " ada@example.com");
    }

    @Test
    void aFilterThatIsNotAPredicateStopsTheStartNamingTheSetting() {
        Map<String, String> s = new HashMap<>(DB.settings());
        s.putAll(TestBridge.goTo(goTo));
        s.put("bridge.pull.training.filter", "${body[title] == 'x'");
        assertThatThrownBy(() -> TestBridge.start(s)).hasStackTraceContaining("bridge.pull.training.filter")
                .hasStackTraceContaining("is not a Simple predicate over the event");
    }
}
