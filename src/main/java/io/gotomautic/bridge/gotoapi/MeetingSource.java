package io.gotomautic.bridge.gotoapi;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
 * GoToMeeting v1: the meetings that started in the window and have ended (GoTo's history leaves out one still
 * running), and the people who joined each. Nobody registers for a meeting, so everyone is simply present.
 */
public class MeetingSource implements EventSource {

    static final String BASE = "/G2M/rest";

    private final GoToClient client;

    public MeetingSource(GoToClient client) {
        this.client = client;
    }

    @Override
    public String product() {
        return "meeting";
    }

    @Override
    public List<EventRef> events(Instant from, Instant to) {
        JsonNode history = client.get(BASE + "/historicalMeetings?startDate=" + from.truncatedTo(ChronoUnit.SECONDS)
                + "&endDate=" + to.truncatedTo(ChronoUnit.SECONDS));
        // a recurring meeting is in the history once per time it was held, all under one meetingId
        Map<String, EventRef> meetings = new LinkedHashMap<>();
        for (JsonNode m : history) {
            String key = m.path("meetingId").asText();
            Instant start = GoToTime.parse(m.path("startTime").asText());
            Instant end = GoToTime.parse(m.path("endTime").asText());
            meetings.merge(key, new EventRef(key, m.path("subject").asText(), start, end), (a, b) -> new EventRef(key,
                    a.title(), a.startsAt().isBefore(b.startsAt()) ? a.startsAt() : b.startsAt(),
                    a.endsAt().isAfter(b.endsAt()) ? a.endsAt() : b.endsAt()));
        }
        return List.copyOf(meetings.values());
    }

    @Override
    public EventSnapshot snapshot(EventRef event, Instant now) {
        Map<String, Session> sessions = new LinkedHashMap<>();
        Map<String, Participant> people = new LinkedHashMap<>();
        for (JsonNode a : client.get(BASE + "/meetings/" + event.key() + "/attendees")) {
            String email = a.path("attendeeEmail").asText("");
            if (email.isBlank()) {
                // joined by phone or without signing in: nobody to match in Mautic
                continue;
            }
            String instance = a.hasNonNull("meetingInstanceKey") ? a.path("meetingInstanceKey").asText() : event.key();
            sessions.computeIfAbsent(instance, k -> new Session(k, time(a, "startTime", event.startsAt()),
                    time(a, "endTime", event.endsAt())));
            PersonName name = PersonName.split(a.hasNonNull("attendeeName") ? a.path("attendeeName").asText() : a.path("name").asText(null));
            Participant p = people.computeIfAbsent(email.toLowerCase(Locale.ROOT), k -> new Participant(email, name.first(),
                    name.last(), null, null, Standing.PRESENT, new LinkedHashMap<>()));
            long seconds = seconds(a);
            if (seconds > 0) {
                // one row per join, so someone who rejoined has several
                p.secondsBySession().merge(instance, seconds, Long::sum);
            }
        }
        return new EventSnapshot(product(), event.key(), event.title(), event.startsAt(), event.endsAt(),
                List.copyOf(sessions.values()), List.copyOf(people.values()), true, now);
    }

    /** Join to leave to the second when GoTo sends both, else its {@code duration}, whole minutes. */
    private static long seconds(JsonNode a) {
        if (a.hasNonNull("joinTime") && a.hasNonNull("leaveTime")) {
            return Math.max(0, Duration.between(GoToTime.parse(a.path("joinTime").asText()),
                    GoToTime.parse(a.path("leaveTime").asText())).toSeconds());
        }
        // a number or, as in other G2M answers, a numeric string
        return a.path("duration").asLong() * 60;
    }

    private static Instant time(JsonNode a, String field, Instant fallback) {
        return a.hasNonNull(field) ? GoToTime.parse(a.path(field).asText()) : fallback;
    }
}
