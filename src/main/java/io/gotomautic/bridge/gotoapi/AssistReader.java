package io.gotomautic.bridge.gotoapi;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.sync.EventRef;
import io.gotomautic.bridge.sync.EventSnapshot;
import io.gotomautic.bridge.sync.EventSnapshot.Participant;
import io.gotomautic.bridge.sync.EventSnapshot.Session;
import io.gotomautic.bridge.sync.EventSnapshot.Standing;

/**
 * GoToAssist Remote Support v1's answers, as the assist pull route hands them over: each screen-sharing session is
 * an event whose one participant is the customer who was helped, once the session is complete. The listing already
 * carries every field a snapshot needs, and a support desk holds many sessions a day, so there is no call per
 * session: each event keeps its listed record ({@link EventRef#item()}).
 */
public class AssistReader {

    /** {@code goto:assist/listSessions}. */
    public List<EventRef> events(Object listing) {
        List<EventRef> events = new ArrayList<>();
        for (JsonNode s : GoToJson.tree(listing).path("sessions")) {
            events.add(new EventRef(s.path("sessionId").asText(), title(s), time(s, "startedAt"), time(s, "endedAt"),
                    GoToClient.JSON.convertValue(s, Map.class)));
        }
        return events;
    }

    /** The session's customer, from the record it was listed with. */
    public void session(EventSnapshot.Builder snapshot) {
        EventRef event = snapshot.event();
        JsonNode s = GoToJson.tree(event.item());
        String status = s.path("status").asText();
        String email = s.path("customerEmail").asText("");
        Instant started = time(s, "startedAt");
        Instant joined = s.hasNonNull("customerJoinedAt") ? time(s, "customerJoinedAt") : started;
        Instant ended = time(s, "endedAt");
        // abandoned, still waiting or under way: nobody has been helped (yet)
        if ("complete".equals(status) && !email.isBlank() && joined != null && ended != null) {
            PersonName name = PersonName.split(s.path("customerName").asText(null));
            snapshot.session(new Session(event.key(), started != null ? started : joined, ended));
            Map<String, Long> seconds = new LinkedHashMap<>();
            seconds.put(event.key(), Math.max(0, Duration.between(joined, ended).toSeconds()));
            snapshot.add(new Participant(email, name.first(), name.last(), null, null, Standing.PRESENT, seconds));
        }
        snapshot.ended("complete".equals(status) || "abandoned".equals(status));
    }

    /** What the session was about when the partner system said so, else who helped. */
    private static String title(JsonNode s) {
        String partner = s.path("partnerObject").asText("");
        return partner.isBlank() ? "Support session with " + s.path("expertName").asText("GoToAssist") : partner;
    }

    private static Instant time(JsonNode s, String field) {
        return s.hasNonNull(field) ? GoToTime.parse(s.path(field).asText()) : null;
    }
}
