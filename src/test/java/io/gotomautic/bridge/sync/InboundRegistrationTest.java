package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Registration from Mautic on the running service: a form with the goto_webinar field submitted in the Mautic
 * simulator (its signed webhook), and campaign "send a webhook" calls; the person is registered in the GoTo
 * simulator and the join URL comes back to the contact.
 */
class InboundRegistrationTest extends InboundTestBase {

    @Test
    void aFormSubmissionRegistersInGoToAndTheJoinUrlComesBackToTheContact() throws Exception {
        mautic.submitForm("gotowebinar", Map.of("email", "New.Person@Example.com", "firstname", "New", "lastname", "Person",
                "goto_webinar", String.valueOf(webinar)));

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(goTo.state().webinars().registrants(webinar)).singleElement()
                        .satisfies(r -> assertThat(r.email()).isEqualTo("new.person@example.com")));
        var registrant = goTo.state().webinars().registrants(webinar).get(0);
        String segment = "GoToWebinar · Spring launch · " + starts.atOffset(ZoneOffset.UTC).toLocalDate() + " · registered";
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var contact = state.contactByEmail("new.person@example.com").orElseThrow();
            assertThat(contact.field("goto_join_url")).isEqualTo(registrant.joinUrl());
            assertThat(contact.field("goto_registrant_key")).isEqualTo(String.valueOf(registrant.key()));
            assertThat(state.segmentByName(segment)).hasValueSatisfying(sg ->
                    assertThat(state.segmentMembers(sg.id())).contains(contact.id()));
        });

        assertThat(DB.strings("SELECT payload ->> 'source' FROM outbox WHERE payload ->> 'email' = 'new.person@example.com'"))
                .containsExactly("form");
        // submitted again (or echoed back by our own contact writes): GoTo's 409 means already registered
        mautic.submitForm("gotowebinar", Map.of("email", "new.person@example.com", "goto_webinar", String.valueOf(webinar)));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> mautic.deliveries().size() >= 2
                && count("SELECT count(*) FROM inbox WHERE status = 'pending'") == 0);
        assertThat(goTo.state().webinars().registrants(webinar)).hasSize(1);
        assertThat(deadLetters("inbox")).isEmpty();

        // every registration GoTo got was the goto: step of the route inbox-task, with its own counters in JMX (the
        // first submission registered, its contact save left to it; the second met GoTo's 409, its contact save was
        // someone registered already)
        javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        var steps = jmx.queryNames(new javax.management.ObjectName("org.apache.camel:context=bridge,type=processors,*"), null).stream()
                .filter(n -> {
                    try {
                        return "inbox-task".equals(jmx.getAttribute(n, "RouteId"))
                                && String.valueOf(jmx.getAttribute(n, "Destination")).startsWith("goto://webinar/addRegistrant");
                    } catch (javax.management.JMException e) {
                        return false;
                    }
                }).toList();
        assertThat(steps).singleElement().satisfies(n -> assertThat((Long) jmx.getAttribute(n, "ExchangesCompleted"))
                .isEqualTo(goTo.calls().count("POST /G2W/rest/v2/organizers/{organizerKey}/webinars/{webinarKey}/registrants"))
                .isEqualTo(2));
    }

    @Test
    void anUnknownOrPastEventAndAMissingEmailBecomeDeadLettersWithTheirReason() throws Exception {
        long past = goTo.state().webinars().add(GoToWebinars.webinar("Last year's launch")
                .times(TimeRange.of(starts.minus(Duration.ofDays(365)), Duration.ofHours(1)))).key();
        mautic.submitForm("gotowebinar", Map.of("email", "who@example.com", "goto_webinar", "123456789"));
        mautic.submitForm("gotowebinar", Map.of("firstname", "Anonymous", "goto_webinar", String.valueOf(webinar)));
        mautic.submitForm("gotowebinar", Map.of("email", "late@example.com", "goto_webinar", String.valueOf(past)));
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(deadLetters("inbox"))
                .contains("GoTo has no webinar with key 123456789")
                .contains("webinar " + past + " (Last year's launch) ended at ")
                .contains("of form gotowebinar (field email) has no email: nobody to register or send to"));
        assertThat(goTo.state().webinars().registrants(webinar)).isEmpty();

        // the cause mended (the webinar now exists), the dead letter is replayed and the person registered
        long created = goTo.state().webinars().add(GoToWebinars.webinar("Late addition").key(123456789L)
                .times(TimeRange.of(starts, Duration.ofHours(1)))).key();
        try (Connection c = DB.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM dead_letter WHERE reason LIKE '%123456789%'")) {
            rs.next();
            assertThat(new io.gotomautic.bridge.store.DeadLetters(bridge.database().dataSource()).replay(rs.getLong(1))).hasSize(1);
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(goTo.state().webinars().registrants(created))
                .singleElement().satisfies(r -> assertThat(r.email()).isEqualTo("who@example.com")));
    }

    @Test
    void aGoToOutageOnOneWebinarHoldsBackThatPersonsLaterEntriesForItAndNoOneElse() throws Exception {
        // the start-up poll has read the registrants: the fault below meets only the registrations. The form maps
        // goto_webinar to the contact, so each submission is two inbox entries for one person and event: the contact
        // save (left to the submission), then the submission; a campaign action for the same person and webinar after it
        String list = "GET /G2W/rest/v2/organizers/{organizerKey}/webinars/{webinarKey}/registrants";
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> goTo.calls().count(list) >= 1);
        long other = goTo.state().webinars().add(GoToWebinars.webinar("Other launch")
                .times(TimeRange.of(starts.plus(Duration.ofDays(1)), Duration.ofHours(1)))).key();
        goTo.faults().on("/webinars/" + webinar + "/registrants$").status(503);
        mautic.submitForm("gotowebinar", Map.of("email", "first@example.com", "goto_webinar", String.valueOf(webinar)));
        assertThat(campaign("campaign-token", "application/x-www-form-urlencoded",
                "action=register-webinar&contact_id=3&email=first%40example.com&event_key=" + webinar).statusCode()).isEqualTo(200);
        mautic.submitForm("gotowebinar", Map.of("email", "second@example.com", "goto_webinar", String.valueOf(other)));

        // the other webinar's registration does not wait for the failing one's retries
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(goTo.state().webinars().registrants(other))
                .extracting(r -> r.email()).containsExactly("second@example.com"));
        // the failing person's next entry for the same webinar waits its turn, untried
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> attempts("first@example.com").get(1) >= 2);
        assertThat(attempts("first@example.com")).as("the contact save, the submission, the campaign action").hasSize(3)
                .element(2).isEqualTo(0);
        assertThat(goTo.state().webinars().registrants(webinar)).extracting(r -> r.email()).doesNotContain("first@example.com");

        goTo.faults().clear();
        Awaitility.await().atMost(Duration.ofSeconds(40)).until(() -> count("SELECT count(*) FROM inbox WHERE status = 'pending'") == 0);
        assertThat(goTo.state().webinars().registrants(webinar)).extracting(r -> r.email()).containsOnlyOnce("first@example.com");
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT last_error, status FROM inbox WHERE payload LIKE '%first@example.com%'"
                        + " AND delivery_key LIKE 'mautic.form_on_submit:%'")) {
            rs.next();
            assertThat(rs.getString(1)).contains("HTTP 503");
            assertThat(rs.getString(2)).isEqualTo("done");
        }
        assertThat(deadLetters("inbox")).isEmpty();
    }

    @Test
    void aGoTo503WithRetryAfterIsTriedAgainNoSoonerThanGoToAsked() throws Exception {
        String list = "GET /G2W/rest/v2/organizers/{organizerKey}/webinars/{webinarKey}/registrants";
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> goTo.calls().count(list) >= 1);
        goTo.faults().on("/webinars/" + webinar + "/registrants$").status(503).retryAfter(30).times(1);
        mautic.submitForm("gotowebinar", Map.of("email", "later@example.com", "goto_webinar", String.valueOf(webinar)));

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> attempts("later@example.com").contains(1));
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT extract(epoch FROM next_attempt_at - now()), last_error FROM inbox WHERE payload LIKE '%later@example.com%'"
                        + " AND attempts = 1")) {
            rs.next();
            // without the header the first retry would come after 2 s
            assertThat(rs.getDouble(1)).as("seconds to the retry").isBetween(20.0, 30.0);
            assertThat(rs.getString(2)).contains("HTTP 503");
        }
        assertThat(goTo.state().webinars().registrants(webinar)).extracting(r -> r.email()).doesNotContain("later@example.com");
    }

    /** The attempts of the person's pending and done inbox entries that ask for something, oldest first. */
    private static java.util.List<Integer> attempts(String email) throws Exception {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT attempts FROM inbox WHERE payload LIKE '%" + email + "%' AND order_person IS NOT NULL"
                        + " AND order_person NOT LIKE 'entry:%' ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }

    @Test
    void stoppingTheServiceLeavesTheRestOfABacklogInTheInboxForTheNextStart() throws Exception {
        goTo.faults().latency(Duration.ofMillis(300));
        for (int i = 0; i < 30; i++) {
            assertThat(campaign("campaign-token", "application/x-www-form-urlencoded", "action=register-webinar&email=queued" + i
                    + "%40example.com&event_key=" + webinar).statusCode()).isEqualTo(200);
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !goTo.state().webinars().registrants(webinar).isEmpty());
        bridge.close();

        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'done') FROM inbox"
                        // the campaign actions, not the contact saves Mautic sends back for the bridge's own writes
                        + " WHERE source = 'mautic-campaign'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("left for the next start").isPositive();
            assertThat(rs.getLong(1) + rs.getLong(2)).isEqualTo(30);
            assertThat(goTo.state().webinars().registrants(webinar)).hasSize((int) rs.getLong(2));
        }
    }

    @Test
    void aCampaignActionRegistersTheContactFormEncodedOrJson() throws Exception {
        var training = goTo.state().trainings().add("Workshop", "", "UTC", TimeRange.of(starts, Duration.ofHours(2)));
        HttpResponse<String> form = campaign("campaign-token", "application/x-www-form-urlencoded",
                "action=register-webinar&contact_id=7&email=Camp%40example.com&firstname=Cam&lastname=Paign&event_key=" + webinar);
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).isEqualTo("{\"stored\":true}");
        assertThat(form.headers().firstValue("email")).as("form fields are not echoed").isEmpty();
        HttpResponse<String> json = campaign("campaign-token", "application/json",
                "{\"action\":\"register-training\",\"contact_id\":\"8\",\"email\":\"json@example.com\",\"event_key\":\""
                        + training.key() + "\"}");
        assertThat(json.statusCode()).isEqualTo(200);

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(goTo.state().webinars().registrants(webinar)).singleElement()
                    .satisfies(r -> assertThat(r.email()).isEqualTo("camp@example.com"));
            assertThat(goTo.state().trainings().registrants(training.key())).singleElement()
                    .satisfies(r -> assertThat(r.email()).isEqualTo("json@example.com"));
            assertThat(state.contactByEmail("camp@example.com")).hasValueSatisfying(c ->
                    assertThat(c.field("goto_join_url")).isEqualTo(goTo.state().webinars().registrants(webinar).get(0).joinUrl()));
        });
        // the change the registration wrote is the documented record, telling where it came from
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT payload::text FROM outbox WHERE kind = 'registration' AND payload ->> 'email' = 'camp@example.com'")) {
            assertThat(rs.next()).isTrue();
            var change = new com.fasterxml.jackson.databind.ObjectMapper().readValue(rs.getString(1), io.gotomautic.bridge.change.Change.class);
            assertThat(change.type()).isEqualTo(io.gotomautic.bridge.change.Change.Type.REGISTERED);
            assertThat(change.source()).isEqualTo(io.gotomautic.bridge.change.Change.Source.CAMPAIGN);
            assertThat(change.eventKey()).isEqualTo(String.valueOf(webinar));
            assertThat(Instant.parse(change.eventStart())).isCloseTo(starts, org.assertj.core.api.Assertions.within(1, ChronoUnit.SECONDS));
            assertThat(change.joinUrl()).isEqualTo(goTo.state().webinars().registrants(webinar).get(0).joinUrl());
            assertThat(rs.next()).as("one change").isFalse();
        }
    }

    @Test
    void aWrongTokenIs401AndAnUnknownActionOrBadBodyIs400() throws Exception {
        String body = "action=register-webinar&email=x%40example.com&event_key=" + webinar;
        HttpResponse<String> missing = campaign(null, "application/x-www-form-urlencoded", body);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.body()).contains("missing X-Bridge-Token");
        assertThat(campaign("nope", "application/x-www-form-urlencoded", body).statusCode()).isEqualTo(401);
        HttpResponse<String> unknown = campaign("campaign-token", "application/x-www-form-urlencoded", "action=dance&email=x%40example.com");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("unknown action \\\"dance\\\"");
        assertThat(campaign("campaign-token", "application/json", "{not json").statusCode()).isEqualTo(400);
        // a delivery is stored before its answer: one refused left nothing to work on
        assertThat(count("SELECT count(*) FROM inbox")).isZero();
        assertThat(goTo.state().webinars().registrants(webinar)).isEmpty();
    }

    @Test
    void whatACampaignCallLacksIsToldAtOnceWith400AndNothingIsStored() throws Exception {
        String form = "application/x-www-form-urlencoded";
        HttpResponse<String> noEmail = campaign("campaign-token", form, "action=register-webinar&contact_id=9&event_key=" + webinar);
        assertThat(noEmail.statusCode()).isEqualTo(400);
        assertThat(noEmail.body()).contains("register-webinar for contact 9 has no email");
        HttpResponse<String> badEmail = campaign("campaign-token", form, "action=register-webinar&email=not-an-address&event_key=1");
        assertThat(badEmail.statusCode()).isEqualTo(400);
        assertThat(badEmail.body()).contains("invalid email address \\\"not-an-address\\\"");
        HttpResponse<String> noEvent = campaign("campaign-token", form, "action=register-training&contact_id=9&email=a%40example.com");
        assertThat(noEvent.statusCode()).isEqualTo(400);
        assertThat(noEvent.body()).contains("register-training for contact 9 names no event_key");
        HttpResponse<String> noEmailId = campaign("campaign-token", form, "action=meeting-link&contact_id=9&email=a%40example.com");
        assertThat(noEmailId.statusCode()).isEqualTo(400);
        assertThat(noEmailId.body()).contains("meeting-link for contact 9 names no email_id");
        try (Connection c = DB.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM inbox")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }

    @Test
    void aContactWhoseGoToWebinarFieldIsSetIsRegisteredAndOurOwnWritesDoNotLoop() throws Exception {
        long id = state.upsertContact(Map.of("email", "field@example.com", "firstname", "Fay", "lastname", "Field")).id();
        String auth = java.util.Base64.getEncoder().encodeToString("api:pass".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        HttpResponse<String> edit = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(mautic.baseUrl() + "/api/contacts/" + id + "/edit"))
                .header("Authorization", "Basic " + auth).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"goto_webinar\":\"" + webinar + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(edit.statusCode()).isEqualTo(200);

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var registrants = goTo.state().webinars().registrants(webinar);
            assertThat(registrants).hasSize(1);
            assertThat(state.contact(id).orElseThrow().field("goto_join_url")).isEqualTo(registrants.get(0).joinUrl());
        });
        // the bridge's own write of the join URL came back as lead_post_save_update: once that echo is worked off,
        // nobody was registered again
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> mautic.deliveries().stream()
                .filter(d -> d.eventTypes().contains("mautic.lead_post_save_update")).count() >= 2
                && count("SELECT count(*) FROM inbox WHERE delivery_key LIKE 'mautic.lead_post_save_update:%'") >= 2
                && count("SELECT count(*) FROM inbox WHERE status = 'pending'") == 0);
        assertThat(goTo.calls().count("POST /G2W/rest/v2/organizers/{organizerKey}/webinars/{webinarKey}/registrants")).isEqualTo(1);
        assertThat(DB.strings("SELECT payload ->> 'source' FROM outbox WHERE payload ->> 'email' = 'field@example.com'"))
                .as("the change tells it came from the contact").containsExactly("contact");
        assertThat(deadLetters("inbox")).isEmpty();

        // the person cancelled (as the pull records it); their contact edited later still names the webinar: no new
        // registration
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE registration SET state = 'cancelled'");
        }
        long saves = mautic.deliveries().size();
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(mautic.baseUrl() + "/api/contacts/" + id + "/edit"))
                .header("Authorization", "Basic " + auth).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"city\":\"Leeds\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> mautic.deliveries().size() > saves);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> count("SELECT count(*) FROM inbox WHERE status = 'pending'") == 0);
        assertThat(goTo.calls().count("POST /G2W/rest/v2/organizers/{organizerKey}/webinars/{webinarKey}/registrants")).isEqualTo(1);
    }

    private static long count(String sql) throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
