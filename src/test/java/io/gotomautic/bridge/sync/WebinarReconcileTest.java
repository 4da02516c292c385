package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GoToWebinar: the webinar pull routes of routes/ (as sync runs them) against the simulator, reconciled into PostgreSQL. */
class WebinarReconcileTest extends GoToTestSupport {

    static final ObjectMapper JSON = new ObjectMapper();

    GoToSimulator sim;
    TestPull pull;
    final Instant now = Instant.now();

    @BeforeEach
    void start() throws Exception {
        sim = GoToSimulator.start(0, "client", "secret", REFRESH_TOKEN).rateLimit(0, Duration.ofSeconds(1));
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

    private int cycle() throws Exception {
        return cycle(now);
    }

    /** One poll through the webinar routes at {@code at}: the registrations it created or changed. */
    private int cycle(Instant at) throws Exception {
        return pull.cycle("webinar", at);
    }

    private Map<String, String> states(long webinarKey) throws SQLException {
        Map<String, String> states = new LinkedHashMap<>();
        try (Connection c = DB.connect(); PreparedStatement st = c.prepareStatement(
                "SELECT email, state, minutes_attended FROM registration WHERE event_key = ? ORDER BY email")) {
            st.setString(1, String.valueOf(webinarKey));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    states.put(rs.getString(1), rs.getString(2) + (rs.getInt(3) > 0 ? "/" + rs.getInt(3) + "min" : ""));
                }
            }
        }
        return states;
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

    @Test
    void everyWebinarAndEveryRegistrantAcrossPagesIsStoredOnceAndAnIdleCycleWritesNothing() throws Exception {
        List<Long> keys = new ArrayList<>();
        for (int w = 0; w < 205; w++) {
            keys.add(sim.state().webinars().add(GoToWebinars.webinar("Webinar " + w)
                    .times(TimeRange.of(now.plus(Duration.ofDays(1 + w % 20)), Duration.ofHours(1)))).key());
        }
        for (int r = 0; r < 450; r++) {
            sim.state().webinars().addRegistrant(keys.get(0), "First" + r, "Last", "Person" + r + "@Example.com");
        }
        sim.state().webinars().addRegistrant(keys.get(1), "Ada", "Lovelace", "ADA@example.com");

        assertThat(cycle()).isEqualTo(451);
        assertThat(sim.calls().count("GET /G2W/rest/v2/organizers/{organizerKey}/webinars")).as("two list pages of 200").isEqualTo(2);
        assertThat(states(keys.get(0))).hasSize(450).allSatisfy((email, state) -> assertThat(state).isEqualTo("registered"));
        assertThat(outbox()).hasSize(451);
        JsonNode ada = outbox().get(450);
        assertThat(ada.path("email").asText()).isEqualTo("ada@example.com");
        assertThat(ada.path("type").asText()).isEqualTo("registered");
        assertThat(ada.path("registrantKey").asText()).isNotEmpty();
        assertThat(ada.path("joinUrl").asText()).startsWith("https://");

        assertThat(cycle()).as("idle cycle").isZero();
        assertThat(outbox()).hasSize(451);
    }

    @Test
    void attendanceAndNoShowsAreWrittenOnceTheWebinarHasEnded() throws Exception {
        Instant start = now.minus(Duration.ofHours(3));
        long key = sim.state().webinars().add(GoToWebinars.webinar("Launch")
                .times(TimeRange.of(start, Duration.ofHours(1)))).key();
        var came = sim.state().webinars().addRegistrant(key, "Came", "Along", "came@example.com");
        sim.state().webinars().addRegistrant(key, "Stayed", "Away", "away@example.com");
        var session = sim.state().webinars().addSession(key, TimeRange.of(start, Duration.ofHours(1)));
        sim.state().webinars().recordAttendance(session.key(), came.key(),
                TimeRange.of(start.plusSeconds(60), Duration.ofMinutes(20)),
                TimeRange.of(start.plus(Duration.ofMinutes(30)), Duration.ofMinutes(10)));

        cycle();
        assertThat(states(key)).containsExactly(Map.entry("away@example.com", "no-show"), Map.entry("came@example.com", "attended/30min"));
        JsonNode attended = outbox().stream().filter(o -> o.path("email").asText().equals("came@example.com")).findFirst().orElseThrow();
        assertThat(attended.path("secondsBySession").path(String.valueOf(session.key())).asLong()).isEqualTo(1800);
    }

    @Test
    void aRecurringWebinarCountsAttendancePerSessionAndNoShowsOnlyAfterTheLastSession() throws Exception {
        Instant first = now.minus(Duration.ofDays(2));
        Instant last = now.plus(Duration.ofDays(5));
        long key = sim.state().webinars().add(GoToWebinars.webinar("Series").times(
                TimeRange.of(first, Duration.ofHours(1)), TimeRange.of(last, Duration.ofHours(1)))).key();
        var ada = sim.state().webinars().addRegistrant(key, "Ada", "L", "ada@example.com");
        sim.state().webinars().addRegistrant(key, "Bob", "B", "bob@example.com");
        var s1 = sim.state().webinars().addSession(key, TimeRange.of(first, Duration.ofHours(1)));
        sim.state().webinars().recordAttendance(s1.key(), ada.key(), TimeRange.of(first, Duration.ofMinutes(45)));

        cycle();
        assertThat(states(key)).as("bob is not a no-show while a session is ahead")
                .containsExactly(Map.entry("ada@example.com", "attended/45min"), Map.entry("bob@example.com", "registered"));
        assertThat(cycle()).isZero();
    }

    @Test
    void aRegistrantGoneFromTheListingForCancelAfterMovesToCancelledAndNothingIsDeleted() throws Exception {
        long key = sim.state().webinars().add(GoToWebinars.webinar("Upcoming")
                .times(TimeRange.of(now.plus(Duration.ofDays(3)), Duration.ofHours(1)))).key();
        var gone = sim.state().webinars().addRegistrant(key, "Gone", "Soon", "gone@example.com");
        sim.state().webinars().addRegistrant(key, "Stays", "Here", "stays@example.com");
        cycle();

        sim.state().webinars().cancelRegistrant(gone.key());
        assertThat(cycle(now.plus(Duration.ofMinutes(1)))).as("GoTo's listings lag: one without them is no cancellation").isZero();
        assertThat(cycle(now.plus(Duration.ofMinutes(100)))).as("missing for 99 of the 120 minutes").isZero();
        assertThat(states(key)).containsEntry("gone@example.com", "registered");
        assertThat(cycle(now.plus(Duration.ofMinutes(122)))).isEqualTo(1);
        assertThat(states(key)).containsExactly(Map.entry("gone@example.com", "cancelled"), Map.entry("stays@example.com", "registered"));
        JsonNode change = outbox().get(outbox().size() - 1);
        assertThat(change.path("type").asText()).isEqualTo("cancelled");
        assertThat(change.path("previous").asText()).isEqualTo("registered");
        assertThat(change.path("joinUrl").asText()).as("detail kept from the stored row").startsWith("https://");
    }

    @Test
    void aRegistrantBackInTheListingStartsTheAbsenceClockAgainAndGoToReportingDeniedCancelsAtOnce() throws Exception {
        long key = sim.state().webinars().add(GoToWebinars.webinar("Flicker")
                .times(TimeRange.of(now.plus(Duration.ofDays(3)), Duration.ofHours(1)))).key();
        var back = sim.state().webinars().addRegistrant(key, "Back", "Again", "back@example.com");
        var denied = sim.state().webinars().addRegistrant(key, "De", "Nied", "denied@example.com");
        cycle();

        sim.state().webinars().cancelRegistrant(back.key());
        assertThat(cycle(now.plus(Duration.ofMinutes(10)))).isZero();
        sim.state().webinars().addRegistrant(key, "Back", "Again", "back@example.com");
        assertThat(cycle(now.plus(Duration.ofMinutes(20)))).as("the new registrant key").isEqualTo(1);
        sim.state().webinars().cancelRegistrant(sim.state().webinars().registrants(key).stream()
                .filter(r -> r.email().equals("back@example.com")).findFirst().orElseThrow().key());
        sim.state().webinars().setStatus(denied.key(), io.gotomautic.bridge.sandbox.GoToState.RegistrantStatus.DENIED);
        assertThat(cycle(now.plus(Duration.ofMinutes(130)))).as("denied now; back missing since minute 130, not 10").isEqualTo(1);
        assertThat(states(key)).containsExactly(Map.entry("back@example.com", "registered"), Map.entry("denied@example.com", "cancelled"));
        assertThat(cycle(now.plus(Duration.ofMinutes(249)))).isZero();
        assertThat(cycle(now.plus(Duration.ofMinutes(251)))).isEqualTo(1);
        assertThat(states(key)).containsEntry("back@example.com", "cancelled");
    }

    /** One poll through the webinar routes; its summary. */
    private String poll() throws Exception {
        return pull.poll("webinar", now).summary();
    }

    private static List<String> eventChanges() throws SQLException {
        return DB.strings("SELECT (payload ->> 'type') || ' ' || (payload ->> 'eventTitle') FROM outbox"
                + " WHERE payload ->> 'email' IS NULL ORDER BY id");
    }

    @Test
    void theEventItselfIsAChangeWhenItAppearsChangesAndIsCancelledInGoTo() throws Exception {
        long key = sim.state().webinars().add(GoToWebinars.webinar("Launch")
                .times(TimeRange.of(now.plus(Duration.ofDays(2)), Duration.ofHours(1)))).key();
        long held = sim.state().webinars().add(GoToWebinars.webinar("Held yesterday")
                .times(TimeRange.of(now.minus(Duration.ofDays(1)), Duration.ofHours(1)))).key();
        poll();
        assertThat(eventChanges()).containsExactlyInAnyOrder("event-created Launch", "event-created Held yesterday");
        poll();
        assertThat(eventChanges()).as("an idle cycle: nothing").hasSize(2);

        sim.state().webinars().rename(key, "Launch, part one");
        poll();
        assertThat(eventChanges()).hasSize(3).last().isEqualTo("event-changed Launch, part one");

        sim.state().webinars().cancel(key);
        sim.state().webinars().cancel(held);
        assertThat(poll()).contains("1 upcoming events no longer in GoTo, cancelled");
        assertThat(eventChanges()).as("one that was held is not cancelled by leaving the listing").hasSize(4)
                .last().isEqualTo("event-cancelled Launch, part one");
        poll();
        assertThat(eventChanges()).as("cancelled once").hasSize(4);
        assertThat(DB.strings("SELECT payload ->> 'eventKey' FROM outbox WHERE payload ->> 'type' = 'event-cancelled'"))
                .containsExactly(String.valueOf(key));
    }

    @Test
    void anEventEndedLongAgoIsReconciledOnceMoreThenNoLongerPolled() throws Exception {
        Instant held = now.minus(Duration.ofHours(5));
        long old = sim.state().webinars().add(GoToWebinars.webinar("Long over").times(TimeRange.of(held, Duration.ofHours(1)))).key();
        sim.state().webinars().addRegistrant(old, "Was", "There", "was@example.com");
        long upcoming = sim.state().webinars().add(GoToWebinars.webinar("Ahead")
                .times(TimeRange.of(now.plus(Duration.ofDays(2)), Duration.ofHours(1)))).key();
        sim.state().webinars().addRegistrant(upcoming, "Will", "Be", "will@example.com");
        poll();
        assertThat(states(old)).containsExactly(Map.entry("was@example.com", "no-show"));
        long calls = sim.calls().total();

        PullCycle.Poll idle = pull.poll("webinar", now);
        assertThat(idle.changes()).isEmpty();
        assertThat(sim.calls().total() - calls).as("idle cycle: the list page and one call for the active event").isEqualTo(2);
        assertThat(idle.summary()).contains("1 events (0 failed)").contains("0 new and 0 changed");
        assertThat(DB.strings("SELECT event_key FROM event WHERE settled_at IS NULL")).containsExactly(String.valueOf(upcoming));
    }

    @Test
    void someoneWaitingForApprovalIsNotRegisteredUntilApproved() throws Exception {
        long key = sim.state().webinars().add(GoToWebinars.webinar("Approval").manualApproval()
                .times(TimeRange.of(now.plus(Duration.ofDays(3)), Duration.ofHours(1)))).key();
        var waiting = sim.state().webinars().addRegistrant(key, "Wait", "Ing", "wait@example.com");
        assertThat(cycle()).isZero();

        sim.state().webinars().setStatus(waiting.key(), io.gotomautic.bridge.sandbox.GoToState.RegistrantStatus.APPROVED);
        assertThat(cycle()).isEqualTo(1);
        assertThat(states(key)).containsExactly(Map.entry("wait@example.com", "registered"));
    }
}
