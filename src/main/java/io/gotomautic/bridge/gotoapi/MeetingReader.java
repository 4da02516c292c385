package io.gotomautic.bridge.gotoapi;

import java.time.Duration;
import java.time.Instant;
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
 * GoToMeeting v1's answers, as the meeting pull route hands them over: the meetings that started in the window and
 * have ended (GoTo's history leaves out one still running), and the people who joined each. Nobody registers for a
 * meeting, so everyone is simply present.
 */
public class MeetingReader {

    /** {@code goto:meeting/listHistoryMeetings}: a recurring meeting is in it once per time it was held, all under one meetingId. */
    public List<EventRef> events(Object history) {
        Map<String, EventRef> meetings = new LinkedHashMap<>();
        for (JsonNode m : GoToJson.tree(history)) {
            String key = m.path("meetingId").asText();
            Instant start = GoToTime.parse(m.path("startTime").asText());
            Instant end = GoToTime.parse(m.path("endTime").asText());
            meetings.merge(key, new EventRef(key, m.path("subject").asText(), start, end), (a, b) -> new EventRef(key,
                    a.title(), a.startsAt().isBefore(b.startsAt()) ? a.startsAt() : b.startsAt(),
                    a.endsAt().isAfter(b.endsAt()) ? a.endsAt() : b.endsAt()));
        }
        return List.copyOf(meetings.values());
    }

    /** {@code goto:meeting/listAttendees}: one row per join, so someone who rejoined has several. */
    public void attendees(EventSnapshot.Builder snapshot, Object attendees) {
        EventRef event = snapshot.event();
        for (JsonNode a : GoToJson.tree(attendees)) {
            String email = a.path("attendeeEmail").asText("");
            if (email.isBlank()) {
                // joined by phone or without signing in: nobody to match in Mautic
                continue;
            }
            String instance = a.hasNonNull("meetingInstanceKey") ? a.path("meetingInstanceKey").asText() : event.key();
            snapshot.session(new Session(instance, time(a, "startTime", event.startsAt()), time(a, "endTime", event.endsAt())));
            PersonName name = PersonName.split(a.hasNonNull("attendeeName") ? a.path("attendeeName").asText() : a.path("name").asText(null));
            Participant p = snapshot.add(new Participant(email, name.first(), name.last(), null, null, Standing.PRESENT,
                    new LinkedHashMap<>()));
            long seconds = seconds(a);
            if (seconds > 0) {
                p.secondsBySession().merge(instance, seconds, Long::sum);
            }
        }
        // the history lists a meeting once it has ended
        snapshot.ended(true);
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
