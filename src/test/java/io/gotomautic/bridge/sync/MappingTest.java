package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * Shaping what reaches Mautic without code, end to end through the routes: mapped contact fields (GoTo fields and
 * answers, fetched once per registrant within their budget, and Simple expressions), segment and tag names from
 * templates, the states that get segments, and segments renamed rather than orphaned.
 */
class MappingTest extends PullTestBase {

    static final String DETAIL = "GET /G2W/rest/v2/organizers/{organizerKey}/webinars/{webinarKey}/registrants/{registrantKey}";

    private static String day(Instant t) {
        return t.atOffset(ZoneOffset.UTC).toLocalDate().toString();
    }

    private long webinar(String title, Instant start) {
        return goTo.state().webinars().add(GoToWebinars.webinar(title).question("Company name", false)
                .times(TimeRange.of(start, Duration.ofHours(1)))).key();
    }

    private void register(long webinar, String first, String email, String company, String jobTitle) {
        long question = goTo.state().webinars().webinar(webinar).orElseThrow().questions().get(0).questionKey();
        goTo.state().webinars().register(webinar, new GoToWebinars.NewRegistrant(first, "Tester", email, goTo.state().now(),
                Map.of("jobTitle", jobTitle, "organization", company + " (GoTo)"), List.of(new GoToWebinars.Response(question, company))));
    }

    private MauticState.Contact contact(String email) {
        return state.contactByEmail(email).orElseThrow();
    }

    /** The contact's field, or null while Mautic has no such contact. */
    private String field(String email, String alias) {
        return state.contactByEmail(email).map(c -> c.field(alias)).orElse(null);
    }

    @Test
    void answersAndGoToFieldsFillMappedFieldsWithOneDetailCallPerRegistrant() throws Exception {
        Instant start = now.plus(Duration.ofDays(5));
        long key = webinar("Launch", start);
        register(key, "Ada", "ada@example.com", "Analytical Engines Ltd", "Engineer");
        register(key, "Bob", "bob@example.com", "Builders Inc", "Foreman");

        try (Bridge bridge = bridge(Map.of("bridge.mautic.map.company", "question:company NAME",
                "bridge.mautic.map.position", "jobTitle",
                "bridge.mautic.map.goto_first_webinar", "${body[eventTitle]} on ${body[eventStart].substring(0,10)}"))) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(field("ada@example.com", "company")).isEqualTo("Analytical Engines Ltd");
                assertThat(field("bob@example.com", "position")).isEqualTo("Foreman");
            });
            assertThat(contact("ada@example.com").field("position")).isEqualTo("Engineer");
            assertThat(contact("ada@example.com").field("goto_first_webinar")).isEqualTo("Launch on " + day(start));
            assertThat(state.field("goto_first_webinar")).as("a mapped field Mautic lacked is created").isPresent();
            assertThat(DB.strings("SELECT payload -> 'answers' -> 0 ->> 'answer' FROM outbox WHERE payload ->> 'email' = 'bob@example.com'"))
                    .as("the change carries the answers").containsExactly("Builders Inc");
            assertThat(DB.strings("SELECT payload -> 'details' ->> 'jobTitle' FROM outbox WHERE payload ->> 'email' = 'bob@example.com'"))
                    .as("and the registrant's GoTo fields").containsExactly("Foreman");

            // later polls fetch no detail again; a new registrant gets theirs, once
            long polls = goTo.calls().count("GET /G2W/rest/v2/organizers/{organizerKey}/webinars");
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(
                    () -> goTo.calls().count("GET /G2W/rest/v2/organizers/{organizerKey}/webinars") >= polls + 2);
            assertThat(goTo.calls().count(DETAIL)).isEqualTo(2);
            register(key, "Cy", "cy@example.com", "Cyber AG", "CTO");
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(state.contactByEmail("cy@example.com")).hasValueSatisfying(c -> assertThat(c.field("company")).isEqualTo("Cyber AG")));
            assertThat(goTo.calls().count(DETAIL)).isEqualTo(3);
        }
    }

    @Test
    void registrantsBeyondTheBudgetReachMauticAtOnceAndTheirMappedFieldsOnLaterPolls() throws Exception {
        long key = webinar("Big launch", now.plus(Duration.ofDays(5)));
        for (int i = 0; i < 6; i++) {
            register(key, "P" + i, "p" + i + "@example.com", "Company " + i, "Role " + i);
        }
        try (Bridge bridge = bridge(Map.of("bridge.mautic.map.company", "question:Company name", "bridge.enrich.budget", "2/4s"))) {
            Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(state.contacts().stream().filter(c -> c.email().startsWith("p"))).hasSize(6));
            assertThat(state.contacts().stream().filter(c -> c.field("company") != null).count())
                    .as("registered before all their details could be fetched").isLessThan(6);
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (int i = 0; i < 6; i++) {
                    assertThat(field("p" + i + "@example.com", "company")).isEqualTo("Company " + i);
                }
            });
            assertThat(goTo.calls().count(DETAIL)).as("each registrant's detail once").isEqualTo(6);
            assertThat(DB.strings("SELECT count(*) FROM goto_call WHERE connection = 'client/default#enrich'"
                    + " AND called_at > now() - interval '4 seconds'").get(0)).as("the budget's window").isIn("0", "1", "2");
        }
    }

    @Test
    void withoutAMappingThatNeedsThemNoDetailIsFetched() throws Exception {
        long key = webinar("Plain", now.plus(Duration.ofDays(5)));
        register(key, "Ada", "ada@example.com", "AE", "Engineer");
        try (Bridge bridge = bridge(Map.of("bridge.mautic.map.goto_title", "${body[eventTitle]}"))) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(state.contactByEmail("ada@example.com")).hasValueSatisfying(c -> assertThat(c.field("goto_title")).isEqualTo("Plain")));
            assertThat(goTo.calls().count(DETAIL)).isZero();
        }
    }

    /** GoToTraining lists every field of its registrants: a mapped one needs no call per registrant. */
    @Test
    void aTrainingRegistrantsGoToFieldsComeFromTheListingWithNoDetailCall() throws Exception {
        long key = goTo.state().trainings().add("Workshop", "", "UTC", TimeRange.of(now.plus(Duration.ofDays(3)), Duration.ofHours(2))).key();
        goTo.state().trainings().addRegistrant(key, "Ada", "Tester", "ada@example.com");
        String confirmation = goTo.state().trainings().registrants(key).get(0).confirmationUrl();
        try (Bridge bridge = bridge(Map.of("bridge.mautic.map.goto_confirmation", "confirmationUrl"))) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(field("ada@example.com", "goto_confirmation")).isEqualTo(confirmation));
            assertThat(goTo.calls().count("GET /G2T/rest/organizers/{organizerKey}/trainings/{trainingKey}/registrants/{registrantKey}"))
                    .isZero();
        }
    }

    @Test
    void segmentsAreRenamedNotOrphanedWhenTheTemplateOrTheEventTitleChanges() throws Exception {
        Instant start = now.plus(Duration.ofDays(5));
        long key = webinar("Launch", start);
        register(key, "Ada", "ada@example.com", "AE", "Engineer");
        String before = "GoToWebinar · Launch · " + day(start) + " · registered";
        long segment;
        try (Bridge bridge = bridge(Map.of())) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> state.segmentByName(before).isPresent() && pending() == 0);
            segment = state.segmentByName(before).orElseThrow().id();
        }
        int segments = state.segments().size();
        try (Bridge bridge = bridge(Map.of("bridge.mautic.segment-name", "${body[eventTitle]} (${body[type]})",
                "bridge.mautic.tag", "webinar-${body[eventKey]}-${body[stateTag]}"))) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> state.segment(segment).orElseThrow().name()
                    .equals("Launch (registered)"));
            assertThat(state.segmentMembers(segment)).containsExactly(contact("ada@example.com").id());

            goTo.state().webinars().rename(key, "Launch, part one");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> state.segment(segment).orElseThrow().name()
                    .equals("Launch, part one (registered)"));
            register(key, "Bob", "bob@example.com", "BB", "Foreman");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> state.segmentMembers(segment).size() == 2);
            assertThat(contact("bob@example.com").tags()).contains("webinar-" + key + "-registered");
        }
        assertThat(state.segments()).as("no segment made anew").hasSize(segments);
    }

    @Test
    void aTemplateOrMappingThatCannotWorkStopsTheStartNamingTheSetting() {
        assertThatThrownBy(() -> bridge(Map.of("bridge.mautic.segment-name", "${body[eventTitle].nosuchmethod()}")))
                .hasStackTraceContaining("bridge.mautic.segment-name: cannot name webinar 1234567890 (registered)");
        assertThatThrownBy(() -> bridge(Map.of("bridge.mautic.tag", "${body[stateTag]")))
                .hasStackTraceContaining("bridge.mautic.tag: is not a Simple template");
        // a field of one person: a segment is everyone's in the event and state
        assertThatThrownBy(() -> bridge(Map.of("bridge.mautic.tag", "goto-${body[email]}")))
                .hasStackTraceContaining("bridge.mautic.tag: names email, which a segment's or tag's name cannot have")
                .hasStackTraceContaining("it can use product, productName, eventKey, eventTitle, eventStart, eventDate, type, state, stateTag");
        assertThatThrownBy(() -> bridge(Map.of("bridge.mautic.segment-states", "registered, maybe")))
                .hasStackTraceContaining("bridge.mautic.segment-states: lists states among registered, attended, no-show"
                        + " and cancelled, not maybe");
        assertThatThrownBy(() -> bridge(Map.of("bridge.mautic.map.Company", "organization")))
                .hasStackTraceContaining("bridge.mautic.map.Company: names a Mautic contact field alias");
        assertThatThrownBy(() -> bridge(Map.of("bridge.mautic.map.company", "question:Company", "goto.rate-limit", "20/60s")))
                .hasStackTraceContaining("bridge.enrich.budget: 30/1m leaves nothing of goto.rate-limit");
    }

    @Test
    void aMappingFileInTheRoutesFolderAppliesAtStartAndOtherKeysThereStopTheStart(@TempDir Path routes) throws Exception {
        long key = webinar("Launch", now.plus(Duration.ofDays(5)));
        register(key, "Ada", "ada@example.com", "Analytical Engines Ltd", "Engineer");
        Files.writeString(routes.resolve("company.properties"), "bridge.mautic.map.company = question:Company name\n");
        // the routes folder's value wins over the settings'
        try (Bridge bridge = bridge(Map.of("camel.main.routes-reload-directory", routes.toString(),
                "bridge.mautic.map.company", "organization", "bridge.mautic.map.position", "jobTitle"))) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(field("ada@example.com", "company")).isEqualTo("Analytical Engines Ltd");
                assertThat(field("ada@example.com", "position")).isEqualTo("Engineer");
            });
        }
        Files.writeString(routes.resolve("rate.properties"), "goto.rate-limit = 20/60s\n");
        assertThatThrownBy(() -> bridge(Map.of("camel.main.routes-reload-directory", routes.toString())))
                .hasStackTraceContaining("rate.properties: goto.rate-limit: is not read from the routes folder, only"
                        + " bridge.mautic.map.* keys are: put it in application.properties");
    }

    @Test
    void aTemplateFailingOnOneEventsDataHoldsThePushAndSaysWhatToMend() throws Exception {
        long key = webinar("Short", now.plus(Duration.ofDays(5)));
        register(key, "Ada", "ada@example.com", "AE", "Engineer");
        // fine for the start's sample title, too short for this event's
        try (Bridge bridge = bridge(Map.of("bridge.mautic.segment-name", "${body[eventTitle].substring(0, 12)}"))) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !DB.strings(
                    "SELECT fix FROM part_state WHERE part = 'mautic' AND fix IS NOT NULL").isEmpty());
            assertThat(DB.strings("SELECT fix || ' | ' || error FROM part_state WHERE part = 'mautic'")).singleElement()
                    .satisfies(line -> assertThat(line).startsWith("mend bridge.mautic.segment-name in application.properties")
                            .contains("cannot name webinar " + key + " (registered)"));
            assertThat(pending()).as("the change waits, no dead letter").isEqualTo(1);
            assertThat(DB.strings("SELECT count(*) FROM dead_letter")).containsExactly("0");
        }
    }

    @Test
    void onlyTheListedStatesGetSegmentsAndASegmentFromBeforeIsTakenOver() throws Exception {
        Instant held = now.minus(Duration.ofDays(1));
        long key = webinar("Held", held);
        register(key, "Came", "came@example.com", "C", "C");
        register(key, "Away", "away@example.com", "A", "A");
        var session = goTo.state().webinars().addSession(key, TimeRange.of(held, Duration.ofHours(1)));
        long came = goTo.state().webinars().registrants(key).get(0).key();
        goTo.state().webinars().recordAttendance(session.key(), came, TimeRange.of(held, Duration.ofMinutes(20)));
        // a segment the bridge made before it kept its segments by event, known only by its name
        String attended = "GoToWebinar · Held · " + day(held) + " · attended";
        long old = state.addSegment(attended, null, null, true).id();
        try (var migrated = io.gotomautic.bridge.store.Database.open(io.gotomautic.bridge.TestBridge.settings(DB.settings()))) {
            DB.execute("INSERT INTO mautic_segment (name, segment_id) VALUES (?, ?)", attended, old);
        }

        try (Bridge bridge = bridge(Map.of("bridge.mautic.segment-states", "attended"))) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> state.segmentMembers(old).size() == 1 && pending() == 0);
            assertThat(state.segments()).extracting(MauticState.Segment::name).containsExactly(attended);
            assertThat(contact("away@example.com").tags()).as("tags do not depend on the segment states")
                    .contains("goto-webinar-noshow-" + key);
            assertThat(DB.strings("SELECT product || ' ' || event_key || ' ' || state FROM mautic_segment"))
                    .containsExactly("webinar " + key + " attended");
        }
    }
}
