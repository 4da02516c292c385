package io.gotomautic.bridge.sandbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

import io.gotomautic.bridge.sandbox.GoToState.TimeRange;

/** GoToMeeting's part of the world: scheduled and past meetings and who joined them. */
public final class GoToMeetings {

    public record Recording(String recordingName, long recordingId, String downloadUrl, long fileSize, String shareUrl) {
    }

    public record Meeting(long meetingId, long sessionId, String subject, TimeRange time, Instant createdAt,
                          String meetingType, String conferenceCallInfo, boolean passwordRequired,
                          List<String> coorganizerKeys, String joinUrl, String hostUrl, Recording recording,
                          boolean createdViaApi) {
    }

    public record Attendee(long meetingId, String name, String email, TimeRange time) {
    }

    /** What POST /meetings asks for, in our names. */
    public record NewMeeting(String subject, TimeRange time, String meetingType, String conferenceCallInfo,
                             boolean passwordRequired, List<String> coorganizerKeys) {
        public NewMeeting {
            coorganizerKeys = List.copyOf(coorganizerKeys);
        }
    }

    private final GoToState state;
    private final Map<Long, Meeting> meetings = new LinkedHashMap<>();
    private final List<Attendee> attendees = new ArrayList<>();

    GoToMeetings(GoToState state) {
        this.state = state;
    }

    /** A scheduled meeting set up by a test or the demo. */
    public Meeting add(String subject, TimeRange time) {
        return create(new NewMeeting(subject, time, "scheduled", "VoIP", false, List.of()), false);
    }

    /** A meeting as POST /meetings creates it: its own join and host links. */
    public synchronized Meeting create(NewMeeting m, boolean viaApi) {
        long id = state.newPublicId();
        Meeting meeting = new Meeting(id, state.newKey(), m.subject(), m.time(), state.now(), m.meetingType(),
                m.conferenceCallInfo(), m.passwordRequired(), m.coorganizerKeys(),
                "https://global.gotomeeting.com/join/" + id,
                "https://global.gotomeeting.com/start/" + id + "?authToken=" + state.newToken(), null, viaApi);
        meetings.put(id, meeting);
        return meeting;
    }

    /** Gives a past meeting a cloud recording. */
    public synchronized Meeting record(long meetingId) {
        Meeting m = require(meetingId);
        long recordingId = state.newKey();
        Recording r = new Recording(m.subject() + ".mp4", recordingId,
                "https://recordings.gotomeeting.com/download/" + recordingId, 48_000_000L + Math.abs(recordingId % 900_000_000L),
                "https://recordings.gotomeeting.com/share/" + state.newToken());
        Meeting withRecording = new Meeting(m.meetingId(), m.sessionId(), m.subject(), m.time(), m.createdAt(),
                m.meetingType(), m.conferenceCallInfo(), m.passwordRequired(), m.coorganizerKeys(), m.joinUrl(),
                m.hostUrl(), r, m.createdViaApi());
        meetings.put(meetingId, withRecording);
        return withRecording;
    }

    public synchronized Attendee addAttendee(long meetingId, String name, String email, TimeRange time) {
        require(meetingId);
        Attendee a = new Attendee(meetingId, name, email, time);
        attendees.add(a);
        return a;
    }

    public synchronized Optional<Meeting> meeting(long meetingId) {
        return Optional.ofNullable(meetings.get(meetingId));
    }

    /** Every meeting, earliest first. */
    public synchronized List<Meeting> all() {
        return meetings.values().stream().sorted(Comparator.comparing(m -> m.time().start())).toList();
    }

    /** The meetings clients created through POST /meetings, with the links they were given. */
    public synchronized List<Meeting> createdViaApi() {
        return meetings.values().stream().filter(Meeting::createdViaApi).toList();
    }

    public synchronized List<Attendee> attendees(long meetingId) {
        return attendees.stream().filter(a -> a.meetingId() == meetingId)
                .sorted(Comparator.comparing(a -> a.time().start())).toList();
    }

    private Meeting require(long meetingId) {
        Meeting m = meetings.get(meetingId);
        if (m == null) {
            throw new NoSuchElementException("no meeting " + meetingId);
        }
        return m;
    }
}
