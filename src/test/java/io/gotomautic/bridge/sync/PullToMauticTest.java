package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.MauticState;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The pull sync end to end (see {@link PullTestBase}): contacts, fields, tags, segments and the timeline, and the
 * failures on the way.
 */
class PullToMauticTest extends PullTestBase {

    private static String day(Instant t) {
        return t.atOffset(ZoneOffset.UTC).toLocalDate().toString();
    }

    private long members(String segment) {
        return state.segmentByName(segment).map(s -> state.segmentMembers(s.id()).size()).orElse(0);
    }

    private long listCalls() {
        return goTo.calls().count("GET /G2W/rest/v2/organizers/{organizerKey}/webinars");
    }

    @Test
    void registrantsAndAttendeesBecomeContactsInManagedSegmentsWithFieldsTagsAndTimeline() throws Exception {
        Instant upcoming = now.plus(Duration.ofDays(7));
        long next = goTo.state().webinars().add(GoToWebinars.webinar("Product Launch")
                .times(TimeRange.of(upcoming, Duration.ofHours(1)))).key();
        var ada = goTo.state().webinars().addRegistrant(next, "Ada", "Lovelace", "Ada.Lovelace@Example.com");
        goTo.state().webinars().addRegistrant(next, "Zoë", "Ångström", "zoe@example.com");

        Instant held = now.minus(Duration.ofDays(2));
        long past = goTo.state().webinars().add(GoToWebinars.webinar("Deep Dive")
                .times(TimeRange.of(held, Duration.ofHours(1)))).key();
        var came = goTo.state().webinars().addRegistrant(past, "Came", "Along", "came@example.com");
        goTo.state().webinars().addRegistrant(past, "Stayed", "Away", "away@example.com");
        var session = goTo.state().webinars().addSession(past, TimeRange.of(held, Duration.ofHours(1)));
        goTo.state().webinars().recordAttendance(session.key(), came.key(), TimeRange.of(held, Duration.ofMinutes(42)));
        // someone Mautic already knows by name keeps that name
        state.upsertContact(Map.of("email", "zoe@example.com", "firstname", "Zoe", "lastname", "Known"));

        try (Bridge bridge = bridge(Map.of("bridge.cancel-after", "1s"))) {
            String launch = "GoToWebinar · Product Launch · " + day(upcoming) + " · ";
            String dive = "GoToWebinar · Deep Dive · " + day(held) + " · ";
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(members(launch + "registered")).isEqualTo(2);
                assertThat(members(dive + "registered")).isEqualTo(2);
                assertThat(members(dive + "attended")).isEqualTo(1);
                assertThat(members(dive + "no-show")).isEqualTo(1);
                assertThat(state.utmRows(state.contactByEmail("away@example.com").orElseThrow().id())).hasSize(1);
                assertThat(pending()).isZero();
            });

            var adaContact = state.contactByEmail("ada.lovelace@example.com").orElseThrow();
            assertThat(state.contacts().stream().filter(c -> c.email().equalsIgnoreCase("ada.lovelace@example.com"))).hasSize(1);
            assertThat(adaContact.field("firstname")).isEqualTo("Ada");
            assertThat(adaContact.field("goto_registrant_key")).isEqualTo(String.valueOf(ada.key()));
            assertThat(adaContact.field("goto_join_url")).isEqualTo(ada.joinUrl());
            assertThat(adaContact.field("goto_last_event")).isEqualTo("GoToWebinar · Product Launch · " + day(upcoming));
            assertThat(adaContact.tags()).contains("goto-webinar-registered-" + next);
            assertThat(state.notes(adaContact.id())).singleElement().satisfies(n -> assertThat(n.text()).contains(ada.joinUrl()));
            assertThat(state.contactByEmail("zoe@example.com").orElseThrow().field("lastname")).as("not overwritten").isEqualTo("Known");

            var cameContact = state.contactByEmail("came@example.com").orElseThrow();
            assertThat(cameContact.field("goto_attended_minutes")).isEqualTo("42");
            assertThat(cameContact.tags()).contains("goto-webinar-registered-" + past, "goto-webinar-attended-" + past);
            assertThat(state.utmRows(cameContact.id())).singleElement().satisfies(u -> {
                assertThat(u.utmSource()).isEqualTo("GoToWebinar");
                assertThat(u.utmMedium()).isEqualTo("attended");
                assertThat(u.utmCampaign()).isEqualTo("Deep Dive");
                assertThat(u.utmContent()).isEqualTo("42");
            });
            assertThat(state.contactByEmail("away@example.com").orElseThrow().tags()).contains("goto-webinar-noshow-" + past);
            for (String alias : new String[] {"goto_last_event", "goto_join_url", "goto_registrant_key", "goto_attended_minutes"}) {
                assertThat(state.field(alias)).as(alias).isPresent();
            }
            // forms list the upcoming webinars: the select field goto_webinar
            Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(state.field("goto_webinar"))
                    .hasValueSatisfying(f -> assertThat(f.options()).containsExactly(
                            new MauticState.Option("Product Launch (" + day(upcoming) + ")", String.valueOf(next)))));

            // idle: further polls find nothing new and make no call to Mautic
            long mauticCalls = mautic.calls().total();
            var before = mautic.calls().snapshot();
            List<String> changes = DB.strings("SELECT count(*) FROM outbox");
            long polls = listCalls();
            // a third cycle's listing: the two before it are done (one poll of a product at a time)
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> listCalls() >= polls + 3);
            assertThat(DB.strings("SELECT count(*) FROM outbox")).as("no change found, so nothing to push").isEqualTo(changes);
            assertThat(mautic.calls().total()).as("Mautic calls in two idle cycles: %s then %s", before, mautic.calls().snapshot())
                    .isEqualTo(mauticCalls);

            // a cancellation (gone from the listing for bridge.cancel-after) moves the person from registered to cancelled
            goTo.state().webinars().cancelRegistrant(ada.key());
            Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(members(launch + "registered")).isEqualTo(1);
                assertThat(members(launch + "cancelled")).isEqualTo(1);
            });
            assertThat(state.contact(adaContact.id()).orElseThrow().tags())
                    .contains("goto-webinar-cancelled-" + next).doesNotContain("goto-webinar-registered-" + next);
        }
    }

    @Test
    void trainingsMeetingsAndAssistSessionsReachMauticThroughTheirRoutes() throws Exception {
        TimeRange part = TimeRange.of(now.minus(Duration.ofDays(1)), Duration.ofHours(2));
        var training = goTo.state().trainings().add("Admin course", "", "UTC", part);
        var trainee = goTo.state().trainings().addRegistrant(training.key(), "Tess", "Trainee", "tess@example.com");
        goTo.state().trainings().addRegistrant(training.key(), "Abe", "Absent", "abe@example.com");
        var held = goTo.state().trainings().addSession(training.key(), part);
        goTo.state().trainings().recordAttendance(held.key(), trainee.key(), TimeRange.of(part.start(), Duration.ofMinutes(90)));
        TimeRange call = TimeRange.of(now.minus(Duration.ofHours(5)), Duration.ofHours(1));
        var meeting = goTo.state().meetings().add("Partner call", call);
        goTo.state().meetings().addAttendee(meeting.meetingId(), "Pat Partner", "pat@example.com",
                TimeRange.of(call.start(), Duration.ofMinutes(50)));
        goTo.state().assistSessions().addPast("Cora Customer", "cora@example.com",
                TimeRange.of(now.minus(Duration.ofHours(3)), Duration.ofMinutes(15)),
                io.gotomautic.bridge.sandbox.GoToAssistSessions.Status.COMPLETE, "fixed");
        Map<String, String> polls = Map.of("bridge.poll.training", "1s", "bridge.poll.meeting", "1s", "bridge.poll.assist", "1s");
        try (Bridge bridge = bridge(polls)) {
            String course = "GoToTraining · Admin course · " + day(part.start()) + " · ";
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(members(course + "registered")).isEqualTo(2);
                assertThat(members(course + "attended")).isEqualTo(1);
                assertThat(members(course + "no-show")).isEqualTo(1);
                assertThat(members("GoToMeeting · Partner call · " + day(call.start()) + " · attended")).isEqualTo(1);
                assertThat(state.segments().stream().filter(sg -> sg.name().startsWith("GoToAssist · ")
                        && sg.name().endsWith(" · attended"))).singleElement().satisfies(sg ->
                        assertThat(state.segmentMembers(sg.id())).containsExactly(state.contactByEmail("cora@example.com").orElseThrow().id()));
            });
            assertThat(state.contactByEmail("tess@example.com").orElseThrow().field("goto_attended_minutes")).isEqualTo("90");
            assertThat(state.contactByEmail("pat@example.com").orElseThrow().tags()).contains("goto-meeting-attended-" + meeting.meetingId())
                    .noneMatch(t -> t.contains("registered"));
        }
    }

    @Test
    void oneFailingEventIsLoggedAndRetriedWhileTheOthersSync() throws Exception {
        Instant soon = now.plus(Duration.ofDays(4));
        long bad = goTo.state().webinars().add(GoToWebinars.webinar("Broken").times(TimeRange.of(soon, Duration.ofHours(1)))).key();
        long good = goTo.state().webinars().add(GoToWebinars.webinar("Fine").times(TimeRange.of(soon, Duration.ofHours(1)))).key();
        goTo.state().webinars().addRegistrant(bad, "B", "B", "b@example.com");
        goTo.state().webinars().addRegistrant(good, "G", "G", "g@example.com");
        goTo.faults().on("/webinars/" + bad + "/registrants").status(500);
        try (Bridge bridge = bridge(Map.of())) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(state.contactByEmail("g@example.com")).isPresent();
                assertThat(cursor()).startsWith("partial|2 events (1 failed)");
            });
            assertThat(state.contactByEmail("b@example.com")).isEmpty();

            goTo.faults().clear();
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(state.contactByEmail("b@example.com")).isPresent();
                assertThat(cursor()).startsWith("ok|");
            });
        }
    }

    @Test
    void aContactMauticRefusesIsADeadLetterWithItsReasonAndTheOthersLand() throws Exception {
        long key = goTo.state().webinars().add(GoToWebinars.webinar("Open day")
                .times(TimeRange.of(now.plus(Duration.ofDays(2)), Duration.ofHours(1)))).key();
        goTo.state().webinars().addRegistrant(key, "No", "Dot", "nodot@localhost");
        goTo.state().webinars().addRegistrant(key, "Yes", "Dot", "yes@example.com");
        try (Bridge bridge = bridge(Map.of())) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(state.contactByEmail("yes@example.com")).isPresent();
                assertThat(deadLetters()).isEqualTo("Mautic did not save contact nodot@localhost (HTTP 400): email: A valid email is required.");
                assertThat(pending()).isZero();
            });
        }
    }

    @Test
    void a429StormAndAnExpiredTokenAreRiddenOut() throws Exception {
        long key = goTo.state().webinars().add(GoToWebinars.webinar("Busy")
                .times(TimeRange.of(now.plus(Duration.ofDays(1)), Duration.ofHours(1)))).key();
        goTo.state().webinars().addRegistrant(key, "R", "R", "r@example.com");
        goTo.faults().on("/registrants").status(429).retryAfter(1).times(3);
        try (Bridge bridge = bridge(Map.of())) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> state.contactByEmail("r@example.com").isPresent());
            assertThat(goTo.calls().throttled()).isEqualTo(3);

            goTo.expireAllTokens();
            goTo.state().webinars().addRegistrant(key, "S", "S", "s@example.com");
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> state.contactByEmail("s@example.com").isPresent());
            assertThat(goTo.calls().count("POST /oauth/token")).as("first token and one refresh").isEqualTo(2);
        }
    }

    private static String cursor() throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT outcome || '|' || message FROM sync_cursor WHERE product = 'webinar'")) {
            return rs.next() ? String.valueOf(rs.getString(1)) : "";
        }
    }

    @Test
    void whileMauticIsDownTheChangesStayQueuedAndDrainWhenItIsBack() throws Exception {
        Instant upcoming = now.plus(Duration.ofDays(3));
        long key = goTo.state().webinars().add(GoToWebinars.webinar("Office Hours")
                .times(TimeRange.of(upcoming, Duration.ofHours(1)))).key();
        for (int i = 0; i < 3; i++) {
            goTo.state().webinars().addRegistrant(key, "P" + i, "Q", "p" + i + "@example.com");
        }
        mautic.faults().on("^/api/").status(503);
        try (Bridge bridge = bridge(Map.of())) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> pending() == 3 && mautic.calls().total() > 0);
            assertThat(state.contacts()).isEmpty();

            mautic.faults().clear();
            String registered = "GoToWebinar · Office Hours · " + day(upcoming) + " · registered";
            Awaitility.await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
                assertThat(members(registered)).isEqualTo(3);
                assertThat(pending()).isZero();
            });
            assertThat(state.contacts()).hasSize(3);
        }
    }

    @Test
    void aManagedSegmentDeletedInMauticIsCreatedAgainAndOneUnpublishedByHandTurnsTheChangesIntoDeadLetters() throws Exception {
        Instant upcoming = now.plus(Duration.ofDays(3));
        long key = goTo.state().webinars().add(GoToWebinars.webinar("Town Hall").times(TimeRange.of(upcoming, Duration.ofHours(1)))).key();
        goTo.state().webinars().addRegistrant(key, "P", "Zero", "p0@example.com");
        String registered = "GoToWebinar · Town Hall · " + day(upcoming) + " · registered";
        try (Bridge bridge = bridge(Map.of())) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> members(registered) == 1);
            long deleted = state.segmentByName(registered).orElseThrow().id();
            state.deleteSegment(deleted);

            goTo.state().webinars().addRegistrant(key, "P", "One", "p1@example.com");
            Awaitility.await().ignoreExceptions().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                var again = state.segmentByName(registered).orElseThrow();
                assertThat(again.id()).isNotEqualTo(deleted);
                assertThat(state.segmentMembers(again.id())).containsExactly(state.contactByEmail("p1@example.com").orElseThrow().id());
            });
            assertThat(deadLetters()).isEmpty();

            long segment = state.segmentByName(registered).orElseThrow().id();
            state.publishSegment(segment, false);
            goTo.state().webinars().addRegistrant(key, "P", "Two", "p2@example.com");
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deadLetters())
                    .contains("Mautic refused the push: Mautic POST /api/segments/" + segment + "/contacts/add failed: HTTP 403"));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pending() == 0);

            // published again and replayed: the change lands
            state.publishSegment(segment, true);
            assertThat(new io.gotomautic.bridge.store.DeadLetters(bridge.database().dataSource()).replay(null)).hasSize(1);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> members(registered) == 2);
        }
    }

    private static String deadLetters() throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT coalesce(string_agg(reason, ' | '), '') FROM dead_letter WHERE replayed_at IS NULL")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
