package io.gotomautic.bridge.gotoapi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.sync.EventSnapshot;
import io.gotomautic.bridge.sync.EventSnapshot.Participant;
import io.gotomautic.bridge.sync.EventSnapshot.Session;
import io.gotomautic.bridge.sync.EventSnapshot.Standing;
import io.gotomautic.bridge.sync.EventSource;

/**
 * GoToWebinar v2: the organizer's webinars in a window, and for each its registrants (paged form, so a large
 * webinar is never one huge response), its held sessions and the attendees of each session.
 */
public class WebinarSource implements EventSource {

    static final String BASE = "/G2W/rest/v2/organizers/";

    private final GoToClient client;

    public WebinarSource(GoToClient client) {
        this.client = client;
    }

    @Override
    public String product() {
        return "webinar";
    }

    @Override
    public List<EventRef> events(Instant from, Instant to) {
        String path = BASE + client.organizer().key() + "/webinars?fromTime=" + time(from) + "&toTime=" + time(to) + "&size=" + Paging.LIMIT;
        List<EventRef> events = new ArrayList<>();
        for (JsonNode webinar : Paging.embedded(client, path, "webinars")) {
            GoToTime.Span span = GoToTime.span(webinar.path("times"), "startTime", "endTime");
            events.add(new EventRef(webinar.path("webinarKey").asText(), webinar.path("subject").asText(), span.start(), span.end()));
        }
        return events;
    }

    @Override
    public EventSnapshot snapshot(EventRef event, Instant now) {
        String webinar = BASE + client.organizer().key() + "/webinars/" + event.key();
        Map<String, Participant> people = new LinkedHashMap<>();
        for (JsonNode r : Paging.registrants(client, webinar)) {
            String email = r.path("email").asText();
            people.put(email.toLowerCase(Locale.ROOT), new Participant(email, r.path("firstName").asText(null),
                    r.path("lastName").asText(null), r.path("registrantKey").asText(), r.path("joinUrl").asText(null),
                    standing(r), new LinkedHashMap<>()));
        }
        List<Session> sessions = new ArrayList<>();
        if (event.startsAt() != null && event.startsAt().isBefore(now)) {
            for (JsonNode s : Paging.embedded(client, webinar + "/sessions?size=" + Paging.LIMIT, "sessionInfoResources")) {
                Session session = new Session(s.path("sessionKey").asText(), GoToTime.parse(s.path("startTime").asText()),
                        GoToTime.parse(s.path("endTime").asText()));
                sessions.add(session);
                for (JsonNode a : client.get(webinar + "/sessions/" + session.key() + "/attendees")) {
                    String email = a.path("email").asText();
                    Participant p = people.computeIfAbsent(email.toLowerCase(Locale.ROOT), k -> new Participant(email,
                            a.path("firstName").asText(null), a.path("lastName").asText(null),
                            a.path("registrantKey").asText(null), null, Standing.PRESENT, new LinkedHashMap<>()));
                    p.secondsBySession().merge(session.key(), a.path("attendanceTimeInSeconds").asLong(), Long::sum);
                }
            }
        }
        boolean ended = event.endsAt() != null && !event.endsAt().isAfter(now);
        return new EventSnapshot(product(), event.key(), event.title(), event.startsAt(), event.endsAt(), sessions,
                List.copyOf(people.values()), ended, now);
    }

    /** A registrant's GoTo status (G2W and G2T alike) as the sync reads it. */
    static Standing standing(JsonNode registrant) {
        return switch (registrant.path("status").asText("APPROVED").toUpperCase(Locale.ROOT)) {
            case "WAITING" -> Standing.PENDING;
            case "DENIED", "CANCELLED" -> Standing.CANCELLED;
            default -> Standing.REGISTERED;
        };
    }

    static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
