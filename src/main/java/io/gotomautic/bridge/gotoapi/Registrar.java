package io.gotomautic.bridge.gotoapi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.sync.EventFilter;
import io.gotomautic.bridge.sync.EventRef;
import io.gotomautic.bridge.sync.EventSnapshot;
import io.gotomautic.bridge.sync.EventSnapshot.Participant;
import io.gotomautic.bridge.sync.EventSnapshot.Standing;

/**
 * Registers a person for a GoToWebinar or GoToTraining event. Registering is idempotent: a 409 (already
 * registered) yields the existing registrant, taken from the 409 body or looked up by email. A webinar's required
 * fields and questions must be answered from the answers given, else the registration is refused before GoTo is
 * called, naming the question. What GoTo says about an event is kept a few minutes, so a burst of registrations
 * for one event costs one call each. The event is registered through the GoTo account it was polled under, or else the
 * one whose GoTo knows it: forms and campaigns name events by key alone.
 */
public class Registrar {

    /** The event as GoTo describes it (no participants) and the person as registered. */
    public record Registration(EventSnapshot event, Participant person) {
    }

    /** How long an event's details and registration questions are reused. */
    private static final Duration KEEP = Duration.ofMinutes(5);
    /** Fields every registration carries; the others are answered from the request. */
    private static final Set<String> BASIC_FIELDS = Set.of("firstName", "lastName", "email");

    private record Known(JsonNode event, JsonNode form, Instant fetched) {
    }

    private final GoToConnections connections;
    private final EventFilter filter;
    private final Clock clock;
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    /** @param filter the events the polls take: nobody is registered for one they leave out */
    public Registrar(GoToConnections connections, EventFilter filter, Clock clock) {
        this.connections = connections;
        this.filter = filter;
        this.clock = clock;
    }

    /**
     * @param account the GoTo account to register through; null: the event's
     * @param answers registration answers by GoTo question key, or by standard field name ({@code organization}, …)
     * @throws GoToException permanent for an unknown or past event, an unanswered required question or a refused
     *                       registration, transient otherwise
     */
    public Registration register(String product, String eventKey, String account, String email, String firstName,
                                 String lastName, Map<String, String> answers) {
        return account == null
                ? connections.onEvent(product, eventKey, c -> register(c, product, eventKey, email, firstName, lastName, answers))
                : register(connections.client(account), product, eventKey, email, firstName, lastName, answers);
    }

    private Registration register(GoToClient client, String product, String eventKey, String email, String firstName,
                                  String lastName, Map<String, String> answers) {
        String organizer = client.organizer().key();
        String first = nonBlank(firstName);
        String last = nonBlank(lastName);
        return switch (product) {
            case "webinar" -> {
                String path = Operations.WEBINARS + organizer + "/webinars/" + eventKey;
                Known k = known(client, product, eventKey, path, true);
                Map<String, Object> body = new LinkedHashMap<>(Map.of("firstName", first, "lastName", last, "email", email));
                answer(product, eventKey, k, answers, body);
                yield register(client, product, eventKey, path, k.event(), "subject", "startTime", "endTime", body, email, first, last);
            }
            case "training" -> {
                String path = "/G2T/rest/organizers/" + organizer + "/trainings/" + eventKey;
                yield register(client, product, eventKey, path, known(client, product, eventKey, path, false).event(), "name", "startDate",
                        "endDate", Map.of("givenName", first, "surname", last, "email", email), email, first, last);
            }
            default -> throw new IllegalArgumentException("people register for webinars and trainings, not for a " + product);
        };
    }

    /** Puts the webinar's required fields and its questions into the registration, or refuses, naming what is missing. */
    private static void answer(String product, String key, Known k, Map<String, String> answers, Map<String, Object> body) {
        String event = product + " " + key + " (" + k.event().path("subject").asText() + ")";
        for (JsonNode f : k.form().path("fields")) {
            String field = f.path("field").asText();
            String given = answers.get(field);
            if (given != null && !BASIC_FIELDS.contains(field)) {
                body.put(field, choice(event, field, f.path("answers"), given, null));
            } else if (given == null && f.path("required").asBoolean() && !BASIC_FIELDS.contains(field)) {
                throw unmapped(event, "field \"" + field + "\"", field);
            }
        }
        List<Map<String, Object>> responses = new ArrayList<>();
        for (JsonNode q : k.form().path("questions")) {
            String questionKey = q.path("questionKey").asText();
            String given = answers.get(questionKey);
            String question = "question \"" + q.path("question").asText() + "\" (question key " + questionKey + ")";
            if (given == null) {
                if (q.path("required").asBoolean()) {
                    throw unmapped(event, question, questionKey);
                }
                continue;
            }
            JsonNode choices = q.path("answers");
            if (choices.isArray() && !choices.isEmpty()) {
                responses.add(Map.of("questionKey", q.path("questionKey"), "answerKey", choice(event, question, choices, given, "answerKey")));
            } else {
                responses.add(Map.of("questionKey", q.path("questionKey"), "responseText", given));
            }
        }
        if (!responses.isEmpty()) {
            body.put("responses", responses);
        }
    }

    /** A multiple-choice answer as GoTo wants it (its text for a field, its key for a question); free text as given. */
    private static Object choice(String event, String what, JsonNode choices, String given, String keyField) {
        if (!choices.isArray() || choices.isEmpty()) {
            return given;
        }
        List<String> offered = new ArrayList<>();
        for (JsonNode c : choices) {
            String text = c.isTextual() ? c.asText() : c.path("answer").asText();
            offered.add(text);
            if (text.equalsIgnoreCase(given.trim()) || (keyField != null && c.path(keyField).asText().equals(given.trim()))) {
                return keyField == null ? text : c.path(keyField);
            }
        }
        throw new GoToException(400, "UnknownAnswer", event + ": \"" + given + "\" is not one of the answers to " + what + ": "
                + String.join(", ", offered), false, null);
    }

    private static GoToException unmapped(String event, String what, String key) {
        return new GoToException(400, "UnmappedQuestion", event + " requires an answer to its " + what
                + ", and nothing maps one: set bridge.forms.<form>.question." + key + " to the form field that answers it", false, null);
    }

    /** @param body the registrant as this product's API names the fields */
    private Registration register(GoToClient client, String product, String key, String path, JsonNode event, String titleField, String startField,
                                  String endField, Map<String, ?> body, String email, String firstName, String lastName) {
        GoToTime.Span span = GoToTime.span(event.path("times"), startField, endField);
        Instant start = span.start();
        Instant end = span.end();
        Instant now = clock.instant();
        if (end != null && end.isBefore(now)) {
            throw new GoToException(400, "EventOver", product + " " + key + " (" + event.path(titleField).asText() + ") ended at " + end
                    + ": no registration", false, null);
        }
        if (!filter.accepts(product, new EventRef(key, event.path(titleField).asText(), start, end), client.organizer().key(),
                client.account())) {
            throw new GoToException(400, "EventFiltered", product + " " + key + " (" + event.path(titleField).asText()
                    + ") is left out by " + filter.rule(product) + ": nobody is registered for it", false, null);
        }
        JsonNode registrant;
        try {
            registrant = client.post(path + "/registrants", body);
        } catch (GoToException e) {
            if (e.status() != 409) {
                throw e;
            }
            registrant = existing(client, path, e.body().orElse(null), email);
        }
        Participant p = new Participant(email, firstName, lastName, registrant.path("registrantKey").asText(),
                registrant.path("joinUrl").asText(null), Standing.REGISTERED, new LinkedHashMap<>());
        return new Registration(new EventSnapshot(product, client.account(), key, event.path(titleField).asText(), start, end,
                List.of(), List.of(p), false, now, Map.of()), p);
    }

    /** A webhook said the webinar changed: what was kept of it is asked of GoTo again at the next registration. */
    public void forget(String webinarKey) {
        known.keySet().removeIf(path -> path.endsWith("/webinars/" + webinarKey));
    }

    /** The event (and a webinar's registration fields and questions), from GoTo or from the last few minutes. */
    private Known known(GoToClient client, String product, String key, String path, boolean questions) {
        Instant now = clock.instant();
        Known k = known.get(path);
        if (k != null && k.fetched().plus(KEEP).isAfter(now)) {
            return k;
        }
        try {
            k = new Known(client.get(path), questions ? client.get(path + "/registrants/fields") : null, now);
        } catch (GoToException e) {
            if (e.status() == 404) {
                throw new GoToException(404, "UnknownEvent", "GoTo has no " + product + " with key " + key, false, e);
            }
            throw e;
        }
        known.put(path, k);
        return k;
    }

    /** Already registered: the registrant from the 409 body when it says which, else found by email. */
    private static JsonNode existing(GoToClient client, String path, JsonNode conflict, String email) {
        if (conflict != null && conflict.hasNonNull("registrantKey")) {
            if (conflict.hasNonNull("joinUrl")) {
                return conflict;
            }
            return client.get(path + "/registrants/" + conflict.get("registrantKey").asText());
        }
        for (JsonNode r : client.get(path + "/registrants")) {
            if (r.path("email").asText().toLowerCase(Locale.ROOT).equals(email.toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new GoToException(409, "DuplicateRegistrant", "GoTo says " + email + " is registered but does not list them", true, null);
    }

    /** GoTo requires both names; a form may leave them out. */
    private static String nonBlank(String name) {
        return name == null || name.isBlank() ? "-" : name;
    }
}
