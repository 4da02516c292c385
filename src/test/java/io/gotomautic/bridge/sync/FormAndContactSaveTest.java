package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.MauticState.FormField;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A form whose event field is the contact field goto_webinar (so the forms list the events) makes Mautic send two
 * webhooks: the contact saved, with the field set, then the submission, with the answers to the webinar's
 * questions. The registration is the submission's, answers and all, whichever Mautic sends first; the contact save
 * registers nobody of its own, and leaves no dead letter when a question is required.
 */
class FormAndContactSaveTest extends InboundTestBase {

    private long asked;
    private long company;
    private long role;

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
        return Map.of("bridge.forms.deepdive.question." + company, "company", "bridge.forms.deepdive.question." + role, "role");
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
}
