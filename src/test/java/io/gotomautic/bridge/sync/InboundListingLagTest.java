package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;

import io.gotomautic.bridge.sandbox.GoToWebinars;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * GoTo's registrant listings lag (up to two hours): a person the bridge registered itself, not in the listing
 * yet, stays registered, in the database and in Mautic.
 */
class InboundListingLagTest extends InboundTestBase {

    @Override
    Map<String, String> more() {
        return Map.of("bridge.poll.webinar", "1s");
    }

    @Test
    void aPersonTheBridgeRegisteredStaysRegisteredWhileGoToDoesNotListThemYet() throws Exception {
        Clock clock = Clock.systemUTC();
        goTo.state().webinars().register(webinar, GoToWebinars.NewRegistrant.of("Early", "Bird", "early@example.com",
                clock.instant().minus(Duration.ofHours(3))));
        goTo.state().webinars().listingLag(Duration.ofHours(1));

        mautic.submitForm("gotowebinar", Map.of("email", "new@example.com", "firstname", "New", "lastname", "Person",
                "goto_webinar", String.valueOf(webinar)));
        // a poll has read the listing without them
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> absent("new@example.com"));
        assertThat(DB.strings("SELECT state FROM registration WHERE email = ?", "new@example.com")).containsExactly("registered");
        String segments = "GoToWebinar · Spring launch · " + starts.atOffset(ZoneOffset.UTC).toLocalDate() + " · ";
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var contact = state.contactByEmail("new@example.com").orElseThrow();
            assertThat(contact.tags()).filteredOn(t -> t.endsWith("-" + webinar)).containsExactly("goto-webinar-registered-" + webinar);
            assertThat(state.segmentsOf(contact.id())).extracting(m -> state.segment(m.segmentId()).orElseThrow().name())
                    .containsExactly(segments + "registered");
        });

        // GoTo catches up: the listing shows them and the absence clock stops
        goTo.state().useClock(Clock.offset(clock, Duration.ofMinutes(61)));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !absent("new@example.com"));
        assertThat(DB.strings("SELECT state FROM registration WHERE email = ?", "new@example.com")).containsExactly("registered");
    }

    private static boolean absent(String email) throws Exception {
        return !DB.strings("SELECT absent_since FROM registration WHERE email = ? AND absent_since IS NOT NULL", email).isEmpty();
    }
}
