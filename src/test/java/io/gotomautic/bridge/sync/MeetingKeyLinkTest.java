package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import io.gotomautic.bridge.sandbox.GoToMeetings.Meeting;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** With {@code bridge.meeting.key} every meeting-link action sends that meeting's join link; none is created. */
class MeetingKeyLinkTest extends InboundTestBase {

    Meeting standing;

    @Override
    Map<String, String> more() {
        standing = goTo.state().meetings().add("Office hours", TimeRange.of(starts, Duration.ofHours(1)));
        return Map.of("bridge.meeting.key", String.valueOf(standing.meetingId()));
    }

    @Test
    void meetingLinkSendsTheConfiguredMeeting() throws Exception {
        long contact = state.upsertContact(Map.of("email", "office@example.com")).id();
        long emailId = state.emailByName("Your meeting link").orElseThrow().id();
        assertThat(campaign("campaign-token", "application/x-www-form-urlencoded", "action=meeting-link&contact_id=" + contact
                + "&email_id=" + emailId).statusCode()).isEqualTo(200);

        Awaitility.await().ignoreExceptions().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(state.emailSends(emailId)).singleElement().satisfies(s -> {
                    assertThat(s.contactId()).isEqualTo(contact);
                    assertThat(s.tokens()).containsEntry("{meeting_link}", standing.joinUrl());
                    assertThat(String.join(" ", s.tokens().values())).doesNotContain(standing.hostUrl());
                }));
        assertThat(goTo.state().meetings().all()).containsExactly(standing);
    }
}
