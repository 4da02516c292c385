package io.gotomautic.bridge.gotoapi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.change.Change;
import io.gotomautic.bridge.sync.EventRef;
import io.gotomautic.bridge.sync.EventSnapshot;
import io.gotomautic.bridge.sync.EventSnapshot.Participant;
import io.gotomautic.bridge.sync.EventSnapshot.Session;
import io.gotomautic.bridge.sync.EventSnapshot.Standing;

/**
 * GoToWebinar v2's answers, as the webinar pull route hands them over: the webinars of the window
 * ({@code goto:webinar/listWebinars}), then per webinar its registrants, its held sessions and each session's attendees.
 */
public class WebinarReader {

    /** Fields the listing already has, or the change carries otherwise: not part of a registrant's detail. */
    private static final Set<String> LISTED = Set.of("email", "firstName", "lastName", "registrantKey", "joinUrl", "status",
            "registrationDate", "timeZone", "responses");

    public List<EventRef> events(Object webinars) {
        List<EventRef> events = new ArrayList<>();
        for (JsonNode webinar : GoToJson.tree(webinars)) {
            GoToTime.Span span = GoToTime.span(webinar.path("times"), "startTime", "endTime");
            events.add(new EventRef(webinar.path("webinarKey").asText(), webinar.path("subject").asText(), span.start(), span.end(),
                    null, span.ends()));
        }
        return events;
    }

    public void registrants(EventSnapshot.Builder snapshot, Object registrants) {
        for (JsonNode r : GoToJson.tree(registrants)) {
            snapshot.put(new Participant(r.path("email").asText(), r.path("firstName").asText(null), r.path("lastName").asText(null),
                    r.path("registrantKey").asText(), r.path("joinUrl").asText(null), standing(r), new LinkedHashMap<>()));
        }
    }

    public void sessions(EventSnapshot.Builder snapshot, Object sessions) {
        for (JsonNode s : GoToJson.tree(sessions)) {
            snapshot.session(new Session(s.path("sessionKey").asText(), GoToTime.parse(s.path("startTime").asText()),
                    GoToTime.parse(s.path("endTime").asText())));
        }
    }

    /** Someone there without a registration (GoTo lets panelists and some links in) counts as present. */
    public void attendees(EventSnapshot.Builder snapshot, String sessionKey, Object attendees) {
        for (JsonNode a : GoToJson.tree(attendees)) {
            Participant p = snapshot.add(new Participant(a.path("email").asText(), a.path("firstName").asText(null),
                    a.path("lastName").asText(null), a.path("registrantKey").asText(null), null, Standing.PRESENT,
                    new LinkedHashMap<>()));
            p.secondsBySession().merge(sessionKey, a.path("attendanceTimeInSeconds").asLong(), Long::sum);
        }
    }

    /**
     * One registrant's detail ({@code goto:webinar/getRegistrant}): the fields the listing lacks, and the answers to
     * the registration questions.
     */
    public void details(EventSnapshot.Builder snapshot, Object registrant) {
        JsonNode r = GoToJson.tree(registrant);
        List<Change.Answer> answers = new ArrayList<>();
        r.path("responses").forEach(a -> answers.add(new Change.Answer(a.path("question").asText(), a.path("answer").asText(null))));
        snapshot.details(r.path("email").asText(), new EventSnapshot.Details(fields(r, LISTED), answers));
    }

    /** A registrant's plain fields with a value, but those {@code listed}: what a mapping can name. */
    static Map<String, Object> fields(JsonNode registrant, Set<String> listed) {
        Map<String, Object> fields = new TreeMap<>();
        registrant.fields().forEachRemaining(f -> {
            if (!listed.contains(f.getKey()) && !f.getValue().isNull() && !f.getValue().isContainerNode()
                    && !f.getValue().asText().isBlank()) {
                fields.put(f.getKey(), f.getValue().isNumber() ? f.getValue().numberValue() : f.getValue().asText());
            }
        });
        return fields;
    }

    /** A registrant's GoTo status (G2W and G2T alike) as the sync reads it. */
    static Standing standing(JsonNode registrant) {
        return switch (registrant.path("status").asText("APPROVED").toUpperCase(Locale.ROOT)) {
            case "WAITING" -> Standing.PENDING;
            case "DENIED", "CANCELLED" -> Standing.CANCELLED;
            default -> Standing.REGISTERED;
        };
    }
}
