package io.gotomautic.bridge.gotoapi;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.sync.EventSnapshot;
import io.gotomautic.bridge.sync.EventSnapshot.Participant;
import io.gotomautic.bridge.sync.EventSnapshot.Session;
import io.gotomautic.bridge.sync.EventSnapshot.Standing;
import io.gotomautic.bridge.sync.EventSource;

/**
 * GoToAssist Remote Support v1: each screen-sharing session is an event whose one participant is the customer
 * who was helped, once the session is complete.
 */
public class AssistSource implements EventSource {

    static final String BASE = "/G2A/rest/v1/sessions";

    private final GoToClient client;
    /**
     * The records of the last listing: the list already carries every field a snapshot needs, and a support
     * desk holds many sessions a day, so one call per session per cycle would not fit GoTo's rate limit.
     */
    private volatile Map<String, JsonNode> listed = Map.of();

    public AssistSource(GoToClient client) {
        this.client = client;
    }

    @Override
    public String product() {
        return "assist";
    }

    @Override
    public List<EventRef> events(Instant from, Instant to) {
        JsonNode body = client.get(BASE + "?sessionType=screen_sharing&fromTime=" + from.truncatedTo(ChronoUnit.SECONDS)
                + "&toTime=" + to.truncatedTo(ChronoUnit.SECONDS));
        Map<String, JsonNode> sessions = new LinkedHashMap<>();
        for (JsonNode s : body.path("sessions")) {
            sessions.put(s.path("sessionId").asText(), s);
        }
        listed = sessions;
        return sessions.values().stream().map(s -> new EventRef(s.path("sessionId").asText(), title(s),
                time(s, "startedAt"), time(s, "endedAt"))).toList();
    }

    @Override
    public EventSnapshot snapshot(EventRef event, Instant now) {
        JsonNode s = listed.get(event.key());
        if (s == null) {
            s = client.get(BASE + "/" + event.key());
        }
        String status = s.path("status").asText();
        String email = s.path("customerEmail").asText("");
        Instant started = time(s, "startedAt");
        Instant joined = s.hasNonNull("customerJoinedAt") ? time(s, "customerJoinedAt") : started;
        Instant ended = time(s, "endedAt");
        List<Session> sessions = List.of();
        List<Participant> people = List.of();
        // abandoned, still waiting or under way: nobody has been helped (yet)
        if ("complete".equals(status) && !email.isBlank() && joined != null && ended != null) {
            PersonName name = PersonName.split(s.path("customerName").asText(null));
            sessions = List.of(new Session(event.key(), started != null ? started : joined, ended));
            people = List.of(new Participant(email, name.first(), name.last(), null, null, Standing.PRESENT,
                    Map.of(event.key(), Math.max(0, Duration.between(joined, ended).toSeconds()))));
        }
        return new EventSnapshot(product(), event.key(), title(s), started, ended, sessions, people,
                "complete".equals(status) || "abandoned".equals(status), now);
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
