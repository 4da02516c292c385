package io.gotomautic.bridge.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.gotomautic.bridge.sandbox.GoToMeetings.Attendee;
import io.gotomautic.bridge.sandbox.GoToMeetings.Meeting;
import io.gotomautic.bridge.sandbox.GoToMeetings.NewMeeting;
import io.gotomautic.bridge.sandbox.GoToState.Organizer;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;

/** GoToMeeting REST v1: lowercase keys on create, arrays where one object would do, counts as strings. */
final class GoToMeetingApi {

    static final String BASE = "/G2M/rest";
    private static final String MEETING = BASE + "/meetings/{meetingId}";
    private static final Set<String> MEETING_TYPES = Set.of("immediate", "scheduled", "recurring");
    private static final int MAX_PARTICIPANTS = 250;

    void routes(SimServer server, GoToIdentity identity) {
        server.route("POST", BASE + "/meetings", identity.guard(this::create))
                .route("GET", MEETING, identity.guard(this::meeting))
                .route("GET", MEETING + "/start", identity.guard(this::start))
                .route("GET", MEETING + "/attendees", identity.guard(this::attendees))
                .route("GET", BASE + "/upcomingMeetings", identity.guard(this::upcoming))
                .route("GET", BASE + "/historicalMeetings", identity.guard(this::historical));
    }

    private SimResponse create(SimRequest req, GoToState state) {
        JsonNode json = req.json();
        String subject = GoToWire.requiredText(json, "subject");
        if (subject.length() > 100 || subject.contains("<") || subject.contains(">")) {
            throw GoToWire.badRequest("Field 'subject' must be at most 100 characters with < and > HTML-escaped");
        }
        TimeRange time = GoToWire.requiredRange(
                GoToWire.parseTime(GoToWire.requiredText(json, "starttime"), "starttime"),
                GoToWire.parseTime(GoToWire.requiredText(json, "endtime"), "endtime"));
        if (!json.path("passwordrequired").isBoolean()) {
            throw GoToWire.badRequest("Required field 'passwordrequired' is missing or not a boolean");
        }
        if (!json.path("timezonekey").isTextual()) {
            throw GoToWire.badRequest("Required field 'timezonekey' is missing (send \"\")");
        }
        String meetingType = GoToWire.requiredText(json, "meetingtype");
        if (!MEETING_TYPES.contains(meetingType)) {
            throw GoToWire.badRequest("Field 'meetingtype' must be one of " + MEETING_TYPES);
        }
        List<String> coorganizers = new ArrayList<>();
        json.path("coorganizerKeys").forEach(k -> coorganizers.add(k.asText()));
        Meeting m = state.meetings().create(new NewMeeting(subject, time, meetingType,
                conferenceCallInfo(GoToWire.requiredText(json, "conferencecallinfo"), state),
                json.path("passwordrequired").asBoolean(), coorganizers), true);
        ArrayNode body = GoToWire.array();
        body.addObject().put("joinURL", m.joinUrl()).put("meetingid", m.meetingId())
                .put("maxParticipants", MAX_PARTICIPANTS).put("uniqueMeetingId", m.meetingId())
                .put("conferenceCallInfo", m.conferenceCallInfo());
        return SimResponse.json(201, body);
    }

    private SimResponse meeting(SimRequest req, GoToState state) {
        Meeting m = meetingOf(req, state);
        ObjectNode node = GoToWire.object().put("meetingId", m.meetingId()).put("meetingKey", m.meetingId())
                .put("uniqueMeetingId", m.meetingId()).put("subject", m.subject())
                .put("startTime", GoToWire.time(m.time().start())).put("endTime", GoToWire.time(m.time().end()))
                .put("createTime", GoToWire.time(m.createdAt())).put("duration", m.time().length().toMinutes())
                .put("maxParticipants", MAX_PARTICIPANTS).put("passwordRequired", m.passwordRequired())
                .put("status", m.time().overlaps(state.now(), state.now()) ? "ACTIVE" : "INACTIVE")
                .put("meetingType", m.meetingType()).put("conferenceCallInfo", m.conferenceCallInfo());
        ArrayNode coorganizers = node.putArray("coorganizerKeys");
        m.coorganizerKeys().forEach(coorganizers::add);
        return SimResponse.json(200, GoToWire.array().add(node));
    }

    private SimResponse start(SimRequest req, GoToState state) {
        return SimResponse.json(200, GoToWire.object().put("hostURL", meetingOf(req, state).hostUrl()));
    }

    private SimResponse attendees(SimRequest req, GoToState state) {
        Meeting m = meetingOf(req, state);
        List<Attendee> attendees = state.meetings().attendees(m.meetingId());
        Organizer o = state.organizer();
        ArrayNode body = GoToWire.array();
        for (Attendee a : attendees) {
            body.addObject().put("attendeeName", a.name()).put("name", a.name()).put("attendeeEmail", a.email())
                    .put("joinTime", GoToWire.time(a.time().start())).put("leaveTime", GoToWire.time(a.time().end()))
                    .put("duration", a.time().length().toMinutes()).put("meetingId", m.meetingId())
                    .put("meetingInstanceKey", m.sessionId()).put("subject", m.subject())
                    .put("startTime", GoToWire.time(m.time().start())).put("endTime", GoToWire.time(m.time().end()))
                    .put("firstName", o.firstName()).put("lastName", o.lastName()).put("email", o.email())
                    .put("organizerkey", o.key()).put("numAttendees", attendees.size()).put("groupName", "NA");
        }
        return SimResponse.json(200, body);
    }

    private SimResponse upcoming(SimRequest req, GoToState state) {
        ArrayNode body = GoToWire.array();
        state.meetings().all().stream().filter(m -> m.time().end().isAfter(state.now())).forEach(m -> organizerFields(
                body.addObject().put("meetingId", String.valueOf(m.meetingId())).put("subject", m.subject())
                        .put("startTime", GoToWire.time(m.time().start())).put("endTime", GoToWire.time(m.time().end()))
                        .put("status", m.time().start().isAfter(state.now()) ? "INACTIVE" : "ACTIVE")
                        .put("meetingType", m.meetingType()).put("passwordRequired", m.passwordRequired())
                        .put("conferenceCallInfo", m.conferenceCallInfo()), state));
        return SimResponse.json(200, body);
    }

    /** Meetings that started in the range and have ended; one still running is not history yet. */
    private SimResponse historical(SimRequest req, GoToState state) {
        TimeRange range = GoToWire.requiredRange(req, "startDate", "endDate");
        ArrayNode body = GoToWire.array();
        for (Meeting m : state.meetings().all()) {
            boolean startedInRange = !m.time().start().isBefore(range.start()) && !m.time().start().isAfter(range.end());
            if (!startedInRange || m.time().end().isAfter(state.now())) {
                continue;
            }
            ObjectNode node = body.addObject().put("meetingId", m.meetingId()).put("sessionId", m.sessionId())
                    .put("subject", m.subject()).put("startTime", GoToWire.time(m.time().start()))
                    .put("endTime", GoToWire.time(m.time().end()))
                    .put("duration", String.valueOf(m.time().length().toMinutes()))
                    .put("numAttendees", String.valueOf(state.meetings().attendees(m.meetingId()).size()));
            organizerFields(node, state).put("meetingType", m.meetingType()).put("conferenceCallInfo", m.conferenceCallInfo());
            if (m.recording() != null) {
                node.putObject("recording").put("recordingName", m.recording().recordingName())
                        .put("recordingId", m.recording().recordingId()).put("downloadUrl", m.recording().downloadUrl())
                        .put("fileSize", m.recording().fileSize()).put("shareUrl", m.recording().shareUrl());
            }
        }
        return SimResponse.json(200, body);
    }

    private static ObjectNode organizerFields(ObjectNode node, GoToState state) {
        Organizer o = state.organizer();
        return node.put("organizerKey", o.key()).put("accountKey", o.accountKey()).put("email", o.email())
                .put("firstName", o.firstName()).put("lastName", o.lastName()).put("locale", "en_US");
    }

    /** What the meeting shows as dial-in: VoIP stays VoIP, phone options get a number and access code. */
    private static String conferenceCallInfo(String requested, GoToState state) {
        return switch (requested) {
            case "VoIP" -> "VoIP";
            case "PSTN", "Free", "Hybrid" -> {
                String code = String.valueOf(state.newPublicId());
                yield "United States: +1 (571) 317-3112\nAccess Code: " + code.substring(0, 3) + "-" + code.substring(3, 6)
                        + "-" + code.substring(6);
            }
            default -> requested;
        };
    }

    private static Meeting meetingOf(SimRequest req, GoToState state) {
        return state.meetings().meeting(GoToWire.key(req, "meetingId"))
                .orElseThrow(() -> GoToWire.notFound("Meeting not found"));
    }
}
