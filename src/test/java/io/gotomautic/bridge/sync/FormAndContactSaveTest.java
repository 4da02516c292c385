package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.gotomautic.bridge.LogCapture;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.MauticState.FormField;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A form whose event field is the contact field goto_webinar (so the forms list the events) makes Mautic send two
 * webhooks: the contact saved, with the field set, then the submission, with the answers to the webinar's
 * questions. The registration is the submission's, answers and all, whichever Mautic sends first; the contact save
 * registers nobody of its own, and leaves no dead letter when a question is required.
 */
class FormAndContactSaveTest extends InboundTestBase {

    @RegisterExtension
    static final LogCapture LOG = new LogCapture();

    private long asked;
    private long company;
    private long role;
    /** A webinar whose one question is optional: a contact save alone registers for it. */
    private long optional;

    @Override
    Map<String, String> more() {
        asked = goTo.state().webinars().add(GoToWebinars.webinar("Deep dive").question("Company name", false)
                .question("Your role", true, "Developer", "Manager").times(TimeRange.of(starts, Duration.ofHours(1)))).key();
        var questions = goTo.state().webinars().webinar(asked).orElseThrow().questions();
        company = questions.get(0).questionKey();
        role = questions.get(1).questionKey();
        state.addForm("Deep dive signup", "deepdive", true, List.of(
                contactField("email", "email"), contactField("firstname", "firstname"), contactField("goto_webinar", "goto_webinar"),
                contactField("company", "company"), new FormField(0, "role", "role", "text", 0, false, null, null, null, null)));
        optional = goTo.state().webinars().add(GoToWebinars.webinar("Open house").question("Company name", false)
                .times(TimeRange.of(starts, Duration.ofHours(1)))).key();
        long openCompany = goTo.state().webinars().webinar(optional).orElseThrow().questions().get(0).questionKey();
        return Map.of("bridge.forms.deepdive.question." + company, "company", "bridge.forms.deepdive.question." + role, "role",
                "bridge.forms.deepdive.question." + openCompany, "company");
    }

    private static FormField contactField(String alias, String contactField) {
        return new FormField(0, alias, alias, "text", 0, false, null, null, "contact", contactField);
    }

    @Test
    void theSubmissionRegistersWithItsAnswersAndTheContactSaveBeforeItRegistersNobody() throws Exception {
        mautic.submitForm("deepdive", Map.of("email", "dee@example.com", "firstname", "Dee", "goto_webinar", String.valueOf(asked),
                "company", "Cyber AG", "role", "manager"));

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(DB.strings("SELECT count(*) FROM inbox WHERE status = 'pending'")).containsExactly("0");
            assertThat(goTo.state().webinars().registrants(asked)).singleElement().satisfies(r ->
                    assertThat(r.responses()).extracting(x -> x.answer()).containsExactlyInAnyOrder("Cyber AG", "Manager"));
        });
        assertThat(mautic.deliveries()).extracting(d -> d.eventTypes().get(0)).as("Mautic's order: the contact first")
                .startsWith("mautic.lead_post_save_new", "mautic.form_on_submit");
        assertThat(goTo.calls().count("POST /G2W/rest/v2/organizers/{organizerKey}/webinars/{webinarKey}/registrants")).isEqualTo(1);
        assertThat(DB.strings("SELECT payload ->> 'source' FROM outbox WHERE payload ->> 'email' = 'dee@example.com'"))
                .containsExactly("form");
        assertThat(deadLetters("inbox")).isEmpty();
    }

    @Test
    void aSubmissionForSomeoneAContactEditRegisteredEarlierSaysItsAnswersDidNotReachGoTo() throws Exception {
        // an edit of the contact in Mautic names the webinar: no submission follows, so it registers, without answers
        long id = state.upsertContact(Map.of("email", "early@example.com", "firstname", "Early")).id();
        String auth = java.util.Base64.getEncoder().encodeToString("api:pass".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        var edit = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(mautic.baseUrl() + "/api/contacts/" + id + "/edit"))
                .header("Authorization", "Basic " + auth).header("Content-Type", "application/json")
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"goto_webinar\":\"" + optional + "\"}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(edit.statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(goTo.state().webinars().registrants(optional)).singleElement()
                        .satisfies(r -> assertThat(r.responses()).isEmpty()));

        // then the person fills in the form, answering the question
        mautic.submitForm("deepdive", Map.of("email", "early@example.com", "firstname", "Early", "goto_webinar", String.valueOf(optional),
                "company", "Late Answers Ltd"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !LOG.at("WARN", "Already registered: e***@example.com for webinar "
                + optional + " (Open house) from a form submission").isEmpty());
        assertThat(LOG.at("WARN", "GoTo keeps the answers of their first registration, so the answers given now are in Mautic's"
                + " form results only")).hasSize(1);
        assertThat(goTo.state().webinars().registrants(optional)).singleElement().satisfies(r -> assertThat(r.responses()).isEmpty());
        assertThat(deadLetters("inbox")).isEmpty();
    }
}
