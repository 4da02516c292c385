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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.MauticState.EmailSend;
import io.gotomautic.bridge.sandbox.MauticState.FormField;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Configured forms (fixed event, own field names, registration questions, confirmation email) and the campaign
 * link actions: the emails Mautic sends carry the person's own join link, the organizer's start link never.
 */
class InboundLinksTest extends InboundTestBase {

    long questioned;
    long role;
    long signupForm;
    long unmappedForm;

    @Override
    Map<String, String> more() {
        questioned = goTo.state().webinars().add(GoToWebinars.webinar("Deep dive").times(TimeRange.of(starts, Duration.ofHours(1)))
                .question("Your role", true, "Developer", "Manager").question("Anything to ask?", false)).key();
        var questions = goTo.state().webinars().webinar(questioned).orElseThrow().questions();
        role = questions.get(0).questionKey();
        signupForm = state.addForm("Deep dive signup", "deepdive", true, List.of(field("work_email"), field("given"), field("family"),
                field("job"), field("ask"))).id();
        unmappedForm = state.addForm("Quick signup", "quick", true, List.of(field("email"))).id();
        Map<String, String> s = new HashMap<>();
        s.put("bridge.forms.deepdive.product", "webinar");
        s.put("bridge.forms.deepdive.event-key", String.valueOf(questioned));
        s.put("bridge.forms.deepdive.email-field", "work_email");
        s.put("bridge.forms.deepdive.firstname-field", "given");
        s.put("bridge.forms.deepdive.lastname-field", "family");
        s.put("bridge.forms.deepdive.question." + role, "job");
        s.put("bridge.forms.deepdive.question." + questions.get(1).questionKey(), "ask");
        s.put("bridge.forms.deepdive.email-id", String.valueOf(email("Webinar confirmation")));
        // by id: the same webinar, its required question left unmapped
        s.put("bridge.forms." + unmappedForm + ".product", "webinar");
        s.put("bridge.forms." + unmappedForm + ".event-key", String.valueOf(questioned));
        s.put("bridge.organizer-email", "host@example.com");
        return s;
    }

    private static FormField field(String alias) {
        return new FormField(0, alias, alias, "text", 0, false, null, null, null, null);
    }

    private long email(String name) {
        return state.emailByName(name).orElseThrow().id();
    }

    private EmailSend onlySend(long emailId, long contactId) {
        return state.emailSends(emailId).stream().filter(s -> s.contactId() == contactId).reduce((a, b) -> {
            throw new AssertionError("sent twice to contact " + contactId);
        }).orElseThrow(() -> new AssertionError("no email " + emailId + " to contact " + contactId));
    }

    @Test
    void aConfiguredFormRegistersForItsEventAnswersTheQuestionsAndSendsTheConfirmation() throws Exception {
        mautic.submitForm("deepdive", Map.of("work_email", "Dee@Example.com", "given", "Dee", "family", "Diver",
                "job", "manager", "ask", "Will there be a recording?"));

        Awaitility.await().ignoreExceptions().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(goTo.state().webinars().registrants(questioned)).singleElement().satisfies(r -> {
                    assertThat(r.email()).isEqualTo("dee@example.com");
                    assertThat(r.firstName()).isEqualTo("Dee");
                    assertThat(r.lastName()).isEqualTo("Diver");
                    assertThat(r.responses()).extracting(x -> x.answer()).containsExactlyInAnyOrder("Manager", "Will there be a recording?");
                }));
        String join = goTo.state().webinars().registrants(questioned).get(0).joinUrl();
        // the form maps no contact field: the bridge's write-back makes the contact
        long contact = Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> state.contactByEmail("dee@example.com")
                .map(c -> c.id()).orElse(0L), id -> id > 0);
        Awaitility.await().ignoreExceptions().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            EmailSend send = onlySend(email("Webinar confirmation"), contact);
            assertThat(send.tokens()).containsEntry("{webinar_link}", join);
            assertThat(send.tokens().get("{webinar_button}")).startsWith("<a href=\"" + join + "\"").contains("Join the webinar");
            assertThat(state.contact(contact).orElseThrow().field("goto_join_url")).isEqualTo(join);
        });
    }

    @Test
    void aRequiredQuestionNoFieldAnswersIsADeadLetterNamingIt() throws Exception {
        mautic.submitForm("quick", Map.of("email", "quick@example.com"));
        Awaitility.await().ignoreExceptions().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(deadLetters("inbox"))
                .contains("webinar " + questioned + " (Deep dive) requires an answer to its question \"Your role\" (question key "
                        + role + ")")
                .contains("bridge.forms.<form>.question." + role));
        assertThat(goTo.state().webinars().registrants(questioned)).isEmpty();
        assertThat(metrics()).contains("bridge_dead_letters{source=\"inbox\"} 1.0");
    }

    @Test
    void meetingLinkCreatesAMeetingAndMailsTheJoinLinkTheStartLinkGoesToTheOrganizerOnly() throws Exception {
        long contact = state.upsertContact(Map.of("email", "ada@example.com", "firstname", "Ada", "lastname", "Lovelace")).id();
        long emailId = email("Your meeting link");
        assertThat(campaign("campaign-token", "application/x-www-form-urlencoded", "action=meeting-link&contact_id=" + contact
                + "&email=ada%40example.com&firstname=Ada&lastname=Lovelace&email_id=" + emailId).statusCode()).isEqualTo(200);

        Awaitility.await().ignoreExceptions().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(goTo.state().meetings().all()).singleElement().satisfies(m -> assertThat(m.subject()).matches("Meeting with Ada Lovelace \\(ref inbox-\\d+-[0-9a-f]{6}\\)")));
        var meeting = goTo.state().meetings().all().get(0);
        long host = Awaitility.await().ignoreExceptions().atMost(Duration.ofSeconds(20)).until(() -> state.contactByEmail("host@example.com")
                .map(c -> c.id()).orElse(0L), id -> id > 0);
        Awaitility.await().ignoreExceptions().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            EmailSend toContact = onlySend(emailId, contact);
            assertThat(toContact.tokens()).containsEntry("{meeting_link}", meeting.joinUrl());
            assertThat(toContact.tokens().get("{meeting_button}")).contains("href=\"" + meeting.joinUrl() + "\"").contains("Join the meeting");
            assertThat(String.join(" ", toContact.tokens().values())).doesNotContain(meeting.hostUrl());
            EmailSend toHost = onlySend(emailId, host);
            assertThat(toHost.tokens()).containsEntry("{meeting_link}", meeting.hostUrl());
            assertThat(toHost.tokens().get("{meeting_button}")).contains("Start the meeting");
        });
        assertThat(organizerLinks()).containsExactly("meeting " + meeting.meetingId() + " " + meeting.hostUrl() + " ada@example.com");
        assertThat(io.gotomautic.bridge.store.StatusReport.read(bridge.database().dataSource()).recentOrganizerLinks())
                .singleElement().satisfies(l -> {
                    assertThat(l.sessionKey()).isEqualTo(String.valueOf(meeting.meetingId()));
                    assertThat(l.startUrl()).isEqualTo(meeting.hostUrl());
                });
    }

    @Test
    void trainingLinkRegistersAndMailsThePersonsOwnTrainingLink() throws Exception {
        var training = goTo.state().trainings().add("Workshop", "", "UTC", TimeRange.of(starts, Duration.ofHours(2)));
        long contact = state.upsertContact(Map.of("email", "tom@example.com")).id();
        long emailId = email("Training access");
        String call = "action=training-link&contact_id=" + contact + "&email=tom%40example.com&firstname=Tom&event_key="
                + training.key() + "&email_id=" + emailId;
        assertThat(campaign("campaign-token", "application/x-www-form-urlencoded", call).statusCode()).isEqualTo(200);

        Awaitility.await().ignoreExceptions().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var registrant = goTo.state().trainings().registrants(training.key()).get(0);
            assertThat(onlySend(emailId, contact).tokens()).containsEntry("{training_link}", registrant.joinUrl());
        });
        assertThat(organizerLinks()).isEmpty();

        // asked again (a second campaign step): GoTo's 409 gives the same registrant, and the same link goes out
        assertThat(campaign("campaign-token", "application/x-www-form-urlencoded", call.replace("firstname=Tom", "firstname=Thomas"))
                .statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> state.emailSends(emailId).size() == 2);
        var registrants = goTo.state().trainings().registrants(training.key());
        assertThat(registrants).hasSize(1);
        assertThat(state.emailSends(emailId)).allSatisfy(s -> assertThat(s.tokens()).containsEntry("{training_link}", registrants.get(0).joinUrl()));
    }

    @Test
    void assistLinkCreatesASessionAndMailsTheCustomerJoinLink() throws Exception {
        // GoTo may leave the customer's link out of the create answer: the bridge reads it from the session record
        goTo.assistCreateReturnsCustomerJoinUrl(false);
        long contact = state.upsertContact(Map.of("email", "cust@example.com", "firstname", "Cus")).id();
        long emailId = state.addEmail("Support session", "Your support session", "<p>{assist_link}</p>{assist_button}", true).id();
        assertThat(campaign("campaign-token", "application/json", "{\"action\":\"assist-link\",\"contact_id\":\"" + contact
                + "\",\"email\":\"cust@example.com\",\"firstname\":\"Cus\",\"email_id\":\"" + emailId + "\"}").statusCode()).isEqualTo(200);

        Awaitility.await().ignoreExceptions().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var session = goTo.state().assistSessions().all().get(0);
            assertThat(session.request().customerEmail()).isEqualTo("cust@example.com");
            EmailSend send = onlySend(emailId, contact);
            assertThat(send.tokens()).containsEntry("{assist_link}", session.customerJoinUrl());
            assertThat(String.join(" ", send.tokens().values())).doesNotContain(session.launchUrl());
            assertThat(organizerLinks()).containsExactly("assist " + session.sessionToken() + " " + session.launchUrl() + " cust@example.com");
        });
    }

    @Test
    void mauticDownDuringTheWriteBackDelaysItAndNothingIsLostOrSentTwice() throws Exception {
        long contact = state.upsertContact(Map.of("email", "late@example.com")).id();
        long emailId = email("Webinar confirmation");
        mautic.faults().all().status(503);
        assertThat(campaign("campaign-token", "application/x-www-form-urlencoded", "action=register-webinar&contact_id=" + contact
                + "&email=late%40example.com&event_key=" + webinar + "&email_id=" + emailId).statusCode()).isEqualTo(200);
        Awaitility.await().ignoreExceptions().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(goTo.state().webinars().registrants(webinar)).hasSize(1));
        // Mautic down holds the whole outbox, as the part's state says, and counts no attempt toward a dead letter
        Awaitility.await().ignoreExceptions().atMost(Duration.ofSeconds(20)).until(() -> mauticError().contains("HTTP 503")
                && !DB.strings("SELECT 1 FROM outbox WHERE status = 'pending'").isEmpty());
        assertThat(state.emailSends()).isEmpty();
        assertThat(DB.strings("SELECT max(attempts) FROM outbox WHERE status = 'pending'")).containsExactly("0");

        mautic.faults().clear();
        String join = goTo.state().webinars().registrants(webinar).get(0).joinUrl();
        Awaitility.await().ignoreExceptions().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(state.contact(contact).orElseThrow().field("goto_join_url")).isEqualTo(join);
            assertThat(onlySend(emailId, contact).tokens()).containsEntry("{webinar_link}", join);
        });
        // the queue drained: nothing left that could send it again
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> DB.strings("SELECT 1 FROM outbox WHERE status = 'pending'").isEmpty());
        assertThat(state.emailSends(emailId)).hasSize(1);
        assertThat(deadLetters("outbox")).isEmpty();
    }

    @Test
    void anEmailToAContactMauticDoesNotHaveIsADeadLetterAndCounted() throws Exception {
        long emailId = email("Your meeting link");
        assertThat(campaign("campaign-token", "application/x-www-form-urlencoded",
                "action=meeting-link&contact_id=424242&email=gone%40example.com&email_id=" + emailId).statusCode()).isEqualTo(200);
        Awaitility.await().ignoreExceptions().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(deadLetters("outbox"))
                .contains("email " + emailId + " (meeting ").contains("was not sent: Mautic POST /api/emails/" + emailId
                        + "/contact/424242/send failed: HTTP 404").contains("the contact or the email does not exist in Mautic"));
        assertThat(metrics()).contains("bridge_dead_letters{source=\"outbox\"} 1.0");
    }

    private List<String> organizerLinks() throws Exception {
        List<String> links = new java.util.ArrayList<>();
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT product || ' ' || session_key || ' ' || start_url || ' ' || for_email FROM organizer_link ORDER BY id")) {
            while (rs.next()) {
                links.add(rs.getString(1));
            }
        }
        return links;
    }

    private static String mauticError() throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT coalesce(string_agg(error, ' | '), '') FROM part_state WHERE part = 'mautic'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private String metrics() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + bridge.camelContext().resolvePropertyPlaceholders("{{bridge.http.port}}") + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
