package io.gotomautic.bridge.sync;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.change.Change;
import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.config.FormRules;

/**
 * What one inbox entry asks for, read from a campaign call, a form submission or a contact save: register a person
 * for a webinar or training (optionally sending an email with the join link), or create a meeting or assist session
 * and email its link. Reading it checks everything that can be told without GoTo, so a campaign call is refused at
 * once (400) and a stored entry that cannot be carried out becomes a dead letter with the same reason.
 */
public record InboundRequest(Action action, Change.Source source, String product, String eventKey, String email, String firstName,
                             String lastName, Long contactId, Long emailId, Map<String, String> answers, String subject,
                             String origin) {

    public enum Action { REGISTER, MEETING_LINK, ASSIST_LINK }

    /** An entry no retry can carry out; the message says why, for the caller or the dead letter. */
    public static class Invalid extends RuntimeException {
        public Invalid(String message) {
            super(message);
        }
    }

    /** What a campaign action does, and for which product. */
    private record Kind(Action action, String product) {
    }

    private static final Map<String, Kind> ACTIONS = Map.of("register-webinar", new Kind(Action.REGISTER, "webinar"),
            "register-training", new Kind(Action.REGISTER, "training"), "training-link", new Kind(Action.REGISTER, "training"),
            "meeting-link", new Kind(Action.MEETING_LINK, "meeting"), "assist-link", new Kind(Action.ASSIST_LINK, "assist"));
    private static final String[][] EVENT_FIELDS = {{"goto_webinar", "webinar"}, {"goto_training", "training"}};

    /** The requests of one stored inbox payload; empty when it asks for nothing (another event type, a form without an event). */
    public static List<InboundRequest> of(JsonNode event, FormRules forms) {
        String type = event.path("type").asText();
        if (type.equals("campaign")) {
            Map<String, String> params = new LinkedHashMap<>();
            event.fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText("")));
            return List.of(campaign(params));
        }
        if (type.equals("mautic.form_on_submit")) {
            return form(event.path("submission"), forms).map(List::of).orElse(List.of());
        }
        if (type.equals("mautic.lead_post_save_update") || type.equals("mautic.lead_post_save_new")) {
            return contact(event.path("contact"));
        }
        return List.of();
    }

    /** A campaign "send a webhook" call's parameters. */
    public static InboundRequest campaign(Map<String, String> params) {
        String actionName = params.getOrDefault("action", "").trim();
        Kind kind = ACTIONS.get(actionName);
        if (kind == null) {
            throw new Invalid("unknown action \"" + actionName + "\"; the actions are " + String.join(", ",
                    new java.util.TreeSet<>(ACTIONS.keySet())));
        }
        Long contactId = number(params.get("contact_id"), "contact_id");
        String what = actionName + " for contact " + (contactId == null ? "?" : contactId);
        Long emailId = number(params.get("email_id"), "email_id");
        boolean link = actionName.endsWith("-link");
        if (link && emailId == null) {
            throw new Invalid(what + " names no email_id: the Mautic email that carries the link");
        }
        String key = eventKey(text(params.get("event_key")), what + " (event_key)");
        if (kind.action() == Action.REGISTER && key.isEmpty()) {
            throw new Invalid(what + " names no event_key");
        }
        String email = email(text(params.get("email")), what, kind.action() == Action.REGISTER || contactId == null);
        return new InboundRequest(kind.action(), Change.Source.CAMPAIGN, kind.product(), key.isEmpty() ? null : key, email,
                text(params.get("firstname")), text(params.get("lastname")), contactId, emailId, Map.of(),
                text(params.get("subject")), "campaign action " + what);
    }

    private static Optional<InboundRequest> form(JsonNode submission, FormRules forms) {
        JsonNode form = submission.path("form");
        FormRules.Rule rule = forms.forForm(form.path("id").asText(""), form.path("alias").asText(null));
        JsonNode results = submission.path("results");
        String what = "form submission " + submission.path("id").asText("?") + " of form "
                + form.path("alias").asText(form.path("id").asText("?"));
        String product = rule.product().orElse("webinar");
        String key = "";
        if (rule.eventKey().isPresent()) {
            key = rule.eventKey().get();
        } else {
            // the configured field, else the zero-config fields (only the product's own when a product is fixed)
            List<String[]> fields = rule.eventField().isPresent() ? List.<String[]>of(new String[] {rule.eventField().get(), product})
                    : java.util.Arrays.stream(EVENT_FIELDS).filter(f -> rule.product().map(f[1]::equals).orElse(true)).toList();
            for (String[] f : fields) {
                key = text(results.path(f[0]).asText(""));
                if (!key.isEmpty()) {
                    product = f[1];
                    break;
                }
            }
        }
        key = eventKey(key, what);
        if (key.isEmpty()) {
            if (rule == FormRules.DEFAULT) {
                return Optional.empty();
            }
            throw new Invalid(what + " names no event: its field " + rule.eventField().orElse("goto_" + product) + " is empty");
        }
        Map<String, String> answers = new LinkedHashMap<>();
        rule.questions().forEach((question, field) -> {
            String answer = text(results.path(field).asText(""));
            if (!answer.isEmpty()) {
                answers.put(question, answer);
            }
        });
        // no contact id: the submission's lead is the visitor, anonymous when the form maps no email, while the
        // write-back and the email go to the contact with this email
        return Optional.of(new InboundRequest(Action.REGISTER, Change.Source.FORM, product, key,
                email(text(results.path(rule.emailField()).asText("")), what + " (field " + rule.emailField() + ")", true),
                text(results.path(rule.firstnameField()).asText("")), text(results.path(rule.lastnameField()).asText("")),
                null, rule.emailId().orElse(null), answers, "", what));
    }

    /** A saved contact whose goto_webinar / goto_training field holds an event key. */
    private static List<InboundRequest> contact(JsonNode contact) {
        JsonNode fields = contact.path("fields");
        String email = value(fields, "email");
        List<InboundRequest> requests = new ArrayList<>();
        for (String[] f : EVENT_FIELDS) {
            String key = eventKey(value(fields, f[0]), "contact " + contact.path("id").asText("?") + " (field " + f[0] + ")");
            if (!key.isEmpty() && EmailAddress.valid(email)) {
                long id = contact.path("id").asLong(0);
                requests.add(new InboundRequest(Action.REGISTER, Change.Source.CONTACT, f[1], key, email.toLowerCase(Locale.ROOT),
                        value(fields, "firstname"), value(fields, "lastname"), id > 0 ? id : null, null, Map.of(), "",
                        "contact " + (id > 0 ? id : "?")));
            }
        }
        return requests;
    }

    /** A field's value from Mautic's grouped contact fields ({@code core}, {@code social}, …). */
    private static String value(JsonNode fields, String alias) {
        for (JsonNode group : fields) {
            JsonNode field = group.path(alias);
            if (field.isObject()) {
                return text(field.path("value").asText(""));
            }
        }
        return "";
    }

    private static String email(String email, String what, boolean required) {
        if (email.isEmpty()) {
            if (required) {
                throw new Invalid(what + " has no email: nobody to register or send to");
            }
            return null;
        }
        if (!EmailAddress.valid(email)) {
            throw new Invalid(what + " has an invalid email address \"" + email + "\"");
        }
        return email.toLowerCase(Locale.ROOT);
    }

    /**
     * GoTo's event keys are 64-bit integers; anything else would only come back from GoTo as an error (or reach a
     * path it was never meant for), so it is refused before any call. Empty stays empty.
     */
    private static String eventKey(String key, String what) {
        if (key.isEmpty()) {
            return key;
        }
        if (key.matches("[+-]?[0-9]{1,19}")) {
            try {
                return Long.toString(Long.parseLong(key));
            } catch (NumberFormatException e) {
                // beyond 64 bits: reported below
            }
        }
        throw new Invalid(what + ": \"" + key + "\" is not a GoTo event key (a whole number)");
    }

    private static Long number(String value, String name) {
        String v = text(value);
        if (v.isEmpty()) {
            return null;
        }
        try {
            long n = Long.parseLong(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new Invalid(name + " \"" + v + "\" is not the id of a Mautic record");
    }

    private static String text(String v) {
        return v == null ? "" : v.trim();
    }
}
