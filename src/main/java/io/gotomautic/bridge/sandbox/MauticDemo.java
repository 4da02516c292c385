package io.gotomautic.bridge.sandbox;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.gotomautic.bridge.sandbox.MauticState.FormField;

/**
 * A small Mautic to try the bridge against: the webinar signup form, the three emails the bridge sends
 * with GoTo links as tokens, a follow-up campaign, a segment and a few contacts. The same every time.
 */
public final class MauticDemo {

    public static final String FORM_ALIAS = "gotowebinar";
    /** A form for one webinar with registration questions, configured in the sandbox by bridge.forms.gdpr.*. */
    public static final String QUESTIONS_FORM_ALIAS = "gdpr";
    public static final String SELECT_FIELD = "goto_webinar";

    private MauticDemo() {
    }

    public static void seed(MauticSimulator sim) {
        MauticState state = sim.state();
        // the bridge fills the options (PATCH properties.list); the form's select shows them by syncing with it
        state.addField("GoTo webinar", SELECT_FIELD, "select", "core", json(Map.of("list", List.of())));
        state.addForm("GoTo webinar signup", FORM_ALIAS, true, List.of(
                formField("Email", "email", "email", true, json(Map.of()), "email"),
                formField("First name", "firstname", "text", false, json(Map.of()), "firstname"),
                formField("Last name", "lastname", "text", false, json(Map.of()), "lastname"),
                formField("Webinar", SELECT_FIELD, "select", true,
                        json(MauticViews.map("syncList", 1, "multiple", 0, "list", Map.of("list", List.of()))), SELECT_FIELD),
                new FormField(0, "Submit", "submit", "button", 0, false, null, json(Map.of()), null, null)));

        state.addForm("GDPR webinar signup", QUESTIONS_FORM_ALIAS, true, List.of(
                formField("Work email", "work_email", "email", true, json(Map.of()), "email"),
                formField("First name", "firstname", "text", false, json(Map.of()), "firstname"),
                formField("Last name", "lastname", "text", false, json(Map.of()), "lastname"),
                formField("Company", "company", "text", true, json(Map.of()), "company"),
                new FormField(0, "How did you hear about us?", "heard", "select", 0, false, null, json(Map.of("list",
                        Map.of("list", List.of("Newsletter", "LinkedIn", "A colleague", "Other")))), null, null),
                new FormField(0, "Submit", "submit", "button", 0, false, null, json(Map.of()), null, null)));

        state.addEmail("Webinar confirmation", "You are registered: {contactfield=firstname}",
                "<p>Hello {contactfield=firstname},</p><p>Join the webinar here: {webinar_link}</p>{webinar_button}", true);
        state.addEmail("Your meeting link", "Your meeting link",
                "<p>Hello {contactfield=firstname},</p><p>Your meeting: {meeting_link}</p>{meeting_button}", true);
        state.addEmail("Training access", "Your training access",
                "<p>Hello {contactfield=firstname},</p><p>Start the training here: {training_link}</p>{training_button}", true);
        state.addCampaign("Webinar follow-up", "Follows up on webinar attendance", true);
        state.addSegment("Webinar registrants", null, "Contacts who registered for a GoTo webinar", true);

        state.upsertContact(Map.of("email", "Ada.Lovelace@Example.com", "firstname", "Ada", "lastname", "Lovelace",
                "company", "Analytical Engines"));
        state.upsertContact(Map.of("email", "zoe.angstrom@example.org", "firstname", "Zoë", "lastname", "Ångström",
                "city", "Malmö"));
        state.upsertContact(Map.of("email", "grace@example.com", "firstname", "Grace", "lastname", "Hopper",
                "tags", List.of("newsletter")));
    }

    private static FormField formField(String label, String alias, String type, boolean required, JsonNode properties,
                                       String contactField) {
        return new FormField(0, label, alias, type, 0, required, null, properties, "contact", contactField);
    }

    private static JsonNode json(Object value) {
        return SimServer.JSON.valueToTree(value);
    }
}
