package io.gotomautic.bridge.gotoapi;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.sync.EventSnapshot;
import io.gotomautic.bridge.sync.EventSnapshot.Participant;
import io.gotomautic.bridge.sync.EventSnapshot.Standing;

/**
 * Registers a person for a GoToWebinar or GoToTraining event. Registering is idempotent: a 409 (already
 * registered) yields the existing registrant, taken from the 409 body or looked up by email.
 */
public class Registrar {

    /** The event as GoTo describes it (no participants) and the person as registered. */
    public record Registration(EventSnapshot event, Participant person) {
    }

    private final GoToClient client;
    private final Clock clock;

    public Registrar(GoToClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** @throws GoToException permanent for an unknown or past event or a refused registration, transient otherwise */
    public Registration register(String product, String eventKey, String email, String firstName, String lastName) {
        String organizer = client.organizer().key();
        return switch (product) {
            case "webinar" -> register(product, eventKey, "/G2W/rest/v2/organizers/" + organizer + "/webinars/" + eventKey,
                    "subject", "startTime", "endTime",
                    Map.of("firstName", nonBlank(firstName), "lastName", nonBlank(lastName), "email", email), email);
            case "training" -> register(product, eventKey, "/G2T/rest/organizers/" + organizer + "/trainings/" + eventKey,
                    "name", "startDate", "endDate",
                    Map.of("givenName", nonBlank(firstName), "surname", nonBlank(lastName), "email", email), email);
            default -> throw new IllegalArgumentException("people register for webinars and trainings, not for a " + product);
        };
    }

    private Registration register(String product, String key, String path, String titleField, String startField,
                                  String endField, Map<String, String> person, String email) {
        JsonNode event = known(product, key, path);
        GoToTime.Span span = GoToTime.span(event.path("times"), startField, endField);
        Instant start = span.start();
        Instant end = span.end();
        Instant now = clock.instant();
        if (end != null && end.isBefore(now)) {
            throw new GoToException(400, "EventOver", product + " " + key + " (" + event.path(titleField).asText() + ") ended at " + end
                    + ": no registration", false, null);
        }
        JsonNode registrant;
        try {
            registrant = client.post(path + "/registrants", person);
        } catch (GoToException e) {
            if (e.status() != 409) {
                throw e;
            }
            registrant = existing(path, e.body().orElse(null), email);
        }
        Participant p = new Participant(email, person.getOrDefault("firstName", person.get("givenName")),
                person.getOrDefault("lastName", person.get("surname")), registrant.path("registrantKey").asText(),
                registrant.path("joinUrl").asText(null), Standing.REGISTERED, new LinkedHashMap<>());
        return new Registration(new EventSnapshot(product, key, event.path(titleField).asText(), start, end, List.of(), List.of(p),
                false, now), p);
    }

    private JsonNode known(String product, String key, String path) {
        try {
            return client.get(path);
        } catch (GoToException e) {
            if (e.status() == 404) {
                throw new GoToException(404, "UnknownEvent", "GoTo has no " + product + " with key " + key, false, e);
            }
            throw e;
        }
    }

    /** Already registered: the registrant from the 409 body when it says which, else found by email. */
    private JsonNode existing(String path, JsonNode conflict, String email) {
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
