package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.GoToTestSupport;
import io.gotomautic.bridge.TestPull;
import io.gotomautic.bridge.sandbox.GoToAssistSessions;
import io.gotomautic.bridge.sandbox.GoToAssistSessions.Status;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.GoToState.RegistrantStatus;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToTrainings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GoToTraining, GoToMeeting and GoToAssist: their pull routes of routes/ (as sync runs them) against the simulator,
 * reconciled into PostgreSQL.
 */
class ProductReconcileTest extends GoToTestSupport {

    static final ObjectMapper JSON = new ObjectMapper();

    GoToSimulator sim;
    TestPull pull;
    final Instant now = Instant.now();

    @BeforeEach
    void start() throws Exception {
        // tokens outlive the hours a test moves the simulator's clock on
        sim = GoToSimulator.start(0, "client", "secret", REFRESH_TOKEN).rateLimit(0, Duration.ofSeconds(1))
                .tokenLifetime(Duration.ofDays(1));
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE outbox, registration, event, goto_credential, goto_call");
        }
        pull = TestPull.start(database, DB.settings(), sim, REFRESH_TOKEN);
    }

    @AfterEach
    void stop() {
        pull.close();
        sim.close();
    }

    /** One poll of the product through its routes; the registrations it created or changed. */
    private int cycle(String product) throws Exception {
        return cycle(product, now);
    }

    private int cycle(String product, Instant at) throws Exception {
        return pull.cycle(product, at);
    }

    /** lower-cased email → state, with the minutes when there are any, for one product. */
    private Map<String, String> states(String product) throws SQLException {
        Map<String, String> states = new LinkedHashMap<>();
        try (Connection c = DB.connect(); PreparedStatement st = c.prepareStatement(
                "SELECT lower(email), state, minutes_attended FROM registration WHERE product = ? ORDER BY 1")) {
            st.setString(1, product);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    states.put(rs.getString(1), rs.getString(2) + (rs.getInt(3) > 0 ? "/" + rs.getInt(3) + "min" : ""));
                }
            }
        }
        return states;
    }

    private List<String> eventKeys(String product) throws SQLException {
        List<String> keys = new ArrayList<>();
        try (Connection c = DB.connect(); PreparedStatement st = c.prepareStatement(
                "SELECT DISTINCT event_key FROM registration WHERE product = ? ORDER BY event_key")) {
            st.setString(1, product);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
        }
        return keys;
    }

    private List<JsonNode> outbox() throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        try (Connection c = DB.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT payload FROM outbox WHERE payload ->> 'email' IS NOT NULL ORDER BY id")) {
            while (rs.next()) {
                rows.add(JSON.readTree(rs.getString(1)));
            }
        }
        return rows;
    }

    private JsonNode change(String email) throws Exception {
        return outbox().stream().filter(o -> o.path("email").asText().equals(email)).reduce((a, b) -> b).orElseThrow();
    }

    /** The simulator registers training registrants approved and has no approval step, so one is set waiting here. */
    private void makeWaiting(GoToTrainings.Registrant r) throws Exception {
        GoToTrainings trainingWorld = sim.state().trainings();
        Field field = GoToTrainings.class.getDeclaredField("registrants");
        field.setAccessible(true);
        synchronized (trainingWorld) {
            @SuppressWarnings("unchecked")
            Map<Long, GoToTrainings.Registrant> registrants = (Map<Long, GoToTrainings.Registrant>) field.get(trainingWorld);
            registrants.put(r.key(), new GoToTrainings.Registrant(r.key(), r.trainingKey(), r.givenName(), r.surname(),
                    r.email(), RegistrantStatus.WAITING, r.registrationDate(), r.joinUrl(), r.confirmationUrl(), false));
        }
    }

    @Test
    void trainingRegistrantsAreRegisteredWithTheirGoToDetailsButOneWaitingForApprovalIsNot() throws Exception {
        GoToTrainings.Training t = sim.state().trainings().add("Mautic basics", "", "Europe/Berlin",
                TimeRange.of(now.plus(Duration.ofDays(3)), Duration.ofHours(2)));
        GoToTrainings.Registrant ada = sim.state().trainings().addRegistrant(t.key(), "Ada", "Lovelace", "Ada@Example.com");
        makeWaiting(sim.state().trainings().addRegistrant(t.key(), "Wait", "Ing", "wait@example.com"));

        assertThat(cycle("training")).isEqualTo(1);
        assertThat(states("training")).containsExactly(Map.entry("ada@example.com", "registered"));
        JsonNode change = change("ada@example.com");
        assertThat(change.path("eventKey").asText()).isEqualTo(String.valueOf(t.key()));
        assertThat(change.path("eventTitle").asText()).isEqualTo("Mautic basics");
        assertThat(change.path("firstName").asText()).as("from givenName").isEqualTo("Ada");
        assertThat(change.path("lastName").asText()).as("from surname").isEqualTo("Lovelace");
        assertThat(change.path("registrantKey").asText()).as("19-digit key, not a double").isEqualTo(String.valueOf(ada.key()));
        assertThat(change.path("joinUrl").asText()).isEqualTo(ada.joinUrl());

        assertThat(cycle("training")).as("idle cycle").isZero();
        assertThat(outbox()).hasSize(1);
    }

    @Test
    void aPastTrainingComesFromTheReportsWithAttendanceInTheRightSessionAndItsNoShows() throws Exception {
        TimeRange first = TimeRange.of(now.minus(Duration.ofDays(3)), Duration.ofHours(1));
        TimeRange second = TimeRange.of(now.minus(Duration.ofDays(2)), Duration.ofHours(1));
        GoToTrainings.Training t = sim.state().trainings().add("Segmentation", "", "UTC", first, second);
        var ada = sim.state().trainings().addRegistrant(t.key(), "Ada", "Lovelace", "ada@example.com");
        var bob = sim.state().trainings().addRegistrant(t.key(), "Bob", "Builder", "BOB@example.com");
        sim.state().trainings().addRegistrant(t.key(), "Cy", "Absent", "cy@example.com");
        var s1 = sim.state().trainings().addSession(t.key(), first);
        var s2 = sim.state().trainings().addSession(t.key(), second);
        sim.state().trainings().recordAttendance(s1.key(), ada.key(), TimeRange.of(first.start(), Duration.ofMinutes(30)));
        sim.state().trainings().recordAttendance(s2.key(), bob.key(), TimeRange.of(second.start(), Duration.ofMinutes(20)),
                TimeRange.of(second.start().plus(Duration.ofMinutes(30)), Duration.ofMinutes(25)));

        assertThat(cycle("training")).isEqualTo(3);
        assertThat(sim.calls().count("POST /G2T/rest/reports/organizers/{organizerKey}/sessions"))
                .as("the list leaves out completed trainings").isPositive();
        assertThat(states("training")).containsExactly(Map.entry("ada@example.com", "attended/30min"),
                Map.entry("bob@example.com", "attended/45min"), Map.entry("cy@example.com", "no-show"));
        assertThat(eventKeys("training")).as("one event for both sessions").hasSize(1);
        JsonNode adaChange = change("ada@example.com");
        assertThat(adaChange.path("eventTitle").asText()).isEqualTo("Segmentation");
        assertThat(adaChange.path("secondsBySession").size()).as("nothing in the session she missed").isEqualTo(1);
        assertThat(adaChange.path("secondsBySession").path(String.valueOf(s1.key())).asLong()).isEqualTo(1800);
        assertThat(change("bob@example.com").path("secondsBySession").path(String.valueOf(s2.key())).asLong()).isEqualTo(2700);
        assertThat(change("cy@example.com").path("type").asText()).isEqualTo("no-show");

        assertThat(cycle("training")).as("idle cycle").isZero();
        assertThat(outbox()).hasSize(3);
    }

    @Test
    void aTrainingListedWhileScheduledKeepsItsKeyWhenItEndsAndLeavesTheList() throws Exception {
        TimeRange first = TimeRange.of(now.minus(Duration.ofDays(1)), Duration.ofHours(1));
        TimeRange last = TimeRange.of(now.plus(Duration.ofHours(1)), Duration.ofHours(1));
        GoToTrainings.Training t = sim.state().trainings().add("Two parts", "", "UTC", first, last);
        var ada = sim.state().trainings().addRegistrant(t.key(), "Ada", "L", "ada@example.com");
        var bob = sim.state().trainings().addRegistrant(t.key(), "Bob", "B", "bob@example.com");
        sim.state().trainings().addRegistrant(t.key(), "Cy", "C", "cy@example.com");
        var s1 = sim.state().trainings().addSession(t.key(), first);
        sim.state().trainings().recordAttendance(s1.key(), ada.key(), TimeRange.of(first.start(), Duration.ofMinutes(50)));

        cycle("training");
        assertThat(states("training")).as("no no-shows while a part is ahead").containsExactly(
                Map.entry("ada@example.com", "attended/50min"), Map.entry("bob@example.com", "registered"),
                Map.entry("cy@example.com", "registered"));

        Instant later = now.plus(Duration.ofHours(3));
        sim.state().useClock(Clock.offset(Clock.systemUTC(), Duration.ofHours(3)));
        var s2 = sim.state().trainings().addSession(t.key(), last);
        sim.state().trainings().recordAttendance(s2.key(), bob.key(), TimeRange.of(last.start(), Duration.ofMinutes(40)));

        assertThat(cycle("training", later)).isEqualTo(2);
        assertThat(states("training")).containsExactly(Map.entry("ada@example.com", "attended/50min"),
                Map.entry("bob@example.com", "attended/40min"), Map.entry("cy@example.com", "no-show"));
        assertThat(eventKeys("training")).as("still the training key, not a report-made one")
                .containsExactly(String.valueOf(t.key()));
        assertThat(cycle("training", later)).as("idle cycle").isZero();
    }

    @Test
    void aTrainingRegistrantGoneFromTheListingForCancelAfterBecomesCancelled() throws Exception {
        GoToTrainings.Training t = sim.state().trainings().add("Upcoming", "", "UTC",
                TimeRange.of(now.plus(Duration.ofDays(5)), Duration.ofHours(1)));
        var gone = sim.state().trainings().addRegistrant(t.key(), "Gone", "Soon", "gone@example.com");
        sim.state().trainings().addRegistrant(t.key(), "Stays", "Here", "stays@example.com");
        assertThat(cycle("training")).isEqualTo(2);

        sim.state().trainings().cancelRegistrant(gone.key());
        assertThat(cycle("training")).as("GoToTraining's registrant data can take two hours to change").isZero();
        assertThat(cycle("training", now.plus(Duration.ofMinutes(121)))).isEqualTo(1);
        assertThat(states("training")).containsExactly(Map.entry("gone@example.com", "cancelled"),
                Map.entry("stays@example.com", "registered"));
        JsonNode change = outbox().get(outbox().size() - 1);
        assertThat(change.path("type").asText()).isEqualTo("cancelled");
        assertThat(change.path("previous").asText()).isEqualTo("registered");
        assertThat(change.path("registrantKey").asText()).isEqualTo(String.valueOf(gone.key()));
    }

    @Test
    void meetingAttendeesAreAttendedWithTheirMinutesAndOtherMeetingsAreLeftAlone() throws Exception {
        TimeRange held = TimeRange.of(now.minus(Duration.ofHours(3)), Duration.ofHours(1));
        var m = sim.state().meetings().add("Quarterly review", held);
        sim.state().meetings().addAttendee(m.meetingId(), "Ada King Lovelace", "Ada@Example.com",
                TimeRange.of(held.start().plusSeconds(120), Duration.ofMinutes(25)));
        // left and joined again: two rows
        sim.state().meetings().addAttendee(m.meetingId(), "Bob", "bob@example.com", TimeRange.of(held.start(), Duration.ofMinutes(10)));
        sim.state().meetings().addAttendee(m.meetingId(), "Bob", "bob@example.com",
                TimeRange.of(held.start().plus(Duration.ofMinutes(40)), Duration.ofMinutes(5)));
        sim.state().meetings().addAttendee(m.meetingId(), "Caller", null, TimeRange.of(held.start(), Duration.ofMinutes(30)));
        var old = sim.state().meetings().add("Long ago", TimeRange.of(now.minus(Duration.ofDays(40)), Duration.ofHours(1)));
        sim.state().meetings().addAttendee(old.meetingId(), "Old", "old@example.com", TimeRange.of(old.time().start(), Duration.ofMinutes(30)));
        var running = sim.state().meetings().add("Still running", TimeRange.of(now.minus(Duration.ofMinutes(10)), Duration.ofHours(1)));
        sim.state().meetings().addAttendee(running.meetingId(), "Now", "now@example.com",
                TimeRange.of(running.time().start(), Duration.ofMinutes(5)));

        assertThat(cycle("meeting")).isEqualTo(2);
        assertThat(states("meeting")).containsExactly(Map.entry("ada@example.com", "attended/25min"),
                Map.entry("bob@example.com", "attended/15min"));
        assertThat(eventKeys("meeting")).containsExactly(String.valueOf(m.meetingId()));
        JsonNode ada = change("ada@example.com");
        assertThat(ada.path("eventTitle").asText()).isEqualTo("Quarterly review");
        assertThat(ada.path("firstName").asText()).isEqualTo("Ada");
        assertThat(ada.path("lastName").asText()).isEqualTo("King Lovelace");
        assertThat(ada.path("minutes").asInt()).isEqualTo(25);
        assertThat(ada.path("secondsBySession").path(String.valueOf(m.sessionId())).asLong()).as("keyed by the meeting instance")
                .isEqualTo(1500);
        assertThat(change("bob@example.com").path("secondsBySession").path(String.valueOf(m.sessionId())).asLong()).isEqualTo(900);

        assertThat(cycle("meeting")).as("idle cycle").isZero();
        assertThat(outbox()).hasSize(2);
    }

    @Test
    void theCustomerHelpedInAnAssistSessionIsAttendedAndUnfinishedSessionsAreNot() throws Exception {
        GoToAssistSessions sessions = sim.state().assistSessions();
        var helped = sessions.addPast("Grace Hopper", "grace@example.com",
                TimeRange.of(now.minus(Duration.ofHours(2)), Duration.ofMinutes(20)), Status.COMPLETE, "printer fixed");
        sessions.addPast("Left Early", "left@example.com", TimeRange.of(now.minus(Duration.ofHours(1)), Duration.ofMinutes(5)),
                Status.ABANDONED, null);
        sessions.addPast("Still Here", "busy@example.com", TimeRange.of(now.minus(Duration.ofMinutes(10)), Duration.ofHours(1)),
                Status.ACTIVE, null);
        sessions.create(new GoToAssistSessions.NewSession("Waiting Person", "waiting@example.com", "Ticket 42", null, null, null));

        assertThat(cycle("assist")).isEqualTo(1);
        // the customer joined 45 s after the start: 19:15 in the session, 20 started minutes
        assertThat(states("assist")).containsExactly(Map.entry("grace@example.com", "attended/20min"));
        JsonNode grace = change("grace@example.com");
        assertThat(grace.path("eventKey").asText()).isEqualTo(String.valueOf(helped.sessionId()));
        assertThat(grace.path("eventTitle").asText()).isEqualTo("Support session with " + sim.state().organizer().name());
        assertThat(grace.path("firstName").asText()).isEqualTo("Grace");
        assertThat(grace.path("lastName").asText()).isEqualTo("Hopper");
        assertThat(grace.path("secondsBySession").path(String.valueOf(helped.sessionId())).asLong()).isEqualTo(1155);

        assertThat(cycle("assist")).as("idle cycle").isZero();
        assertThat(outbox()).hasSize(1);
    }
}
