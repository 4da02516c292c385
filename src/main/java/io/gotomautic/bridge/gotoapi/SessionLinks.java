package io.gotomautic.bridge.gotoapi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.store.Intents;

/**
 * Creates the sessions whose links the bridge emails: a GoToMeeting (or the one configured) and a GoToAssist
 * screen-sharing session. Each has two links: the one for the person invited, and the organizer's start link,
 * which lets anyone who holds it host the session and so never goes to a contact.
 *
 * <p>GoTo has no idempotency key for these creates, so each session carries the reference of the request it is for
 * (in the meeting's subject, in the assist session's {@code partnerObject}); when an earlier attempt at the same
 * request may have created one (a crash or a lost answer after the call), that session is looked up and used instead
 * of creating another. An attempt without a reference (an integrator's own call) is not marked and never looked up.
 */
public class SessionLinks {

    /** A session: its key, the link for the person invited, the organizer's start link. */
    public record Link(String product, String key, String joinUrl, String startUrl) {
    }

    /** The sessions are created by the first GoTo account. */
    private final GoToConnections connections;
    private final Optional<String> meetingKey;
    private final Clock clock;

    /** @param meetingKey the meeting every meeting-link action uses ({@code bridge.meeting.key}); empty = one new meeting each */
    public SessionLinks(GoToConnections connections, Optional<String> meetingKey, Clock clock) {
        this.connections = connections;
        this.meetingKey = meetingKey;
        this.clock = clock;
    }

    /**
     * The configured meeting, or a new one-hour meeting starting now, named {@code subject} and marked with the
     * attempt's reference; one an earlier attempt created is found again by it.
     */
    public Link meeting(String subject, Intents.Attempt attempt) {
        String key;
        String join;
        String marked = marked(subject, attempt.reference());
        Optional<String> existing = attempt.earlier().isPresent() && attempt.reference() != null && meetingKey.isEmpty() ? meetingNamed(marked) : Optional.empty();
        if (meetingKey.isPresent() || existing.isPresent()) {
            key = meetingKey.orElseGet(existing::get);
            // GoTo answers no join URL for an existing meeting; this is its documented form
            join = "https://global.gotomeeting.com/join/" + key;
        } else {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MINUTES);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("subject", marked);
            body.put("starttime", now.toString());
            body.put("endtime", now.plus(Duration.ofHours(1)).toString());
            body.put("passwordrequired", false);
            body.put("conferencecallinfo", "VoIP");
            body.put("timezonekey", "");
            body.put("meetingtype", "immediate");
            JsonNode created = connections.first().post(Operations.MEETINGS + "/meetings", body).path(0);
            key = created.path("meetingid").asText();
            if (key.isEmpty() || !created.hasNonNull("joinURL")) {
                throw new GoToException(200, "NoMeeting", "GoTo created a meeting but answered no meetingid and joinURL", false, null);
            }
            join = created.path("joinURL").asText();
        }
        JsonNode start = connections.first().get(Operations.MEETINGS + "/meetings/" + key + "/start");
        return new Link("meeting", key, join, start.path("hostURL").asText(null));
    }

    /**
     * The subject with the reference at its end, within GoTo's 100 characters: the reference is what finds the meeting
     * again.
     */
    private static String marked(String subject, String reference) {
        if (reference == null) {
            return subject;
        }
        String mark = " (ref " + reference + ")";
        return (subject.length() + mark.length() > 100 ? subject.substring(0, 100 - mark.length()) : subject) + mark;
    }

    /** The key of the upcoming (or running) meeting with exactly this subject. */
    private Optional<String> meetingNamed(String subject) {
        for (JsonNode m : connections.first().get(Operations.MEETINGS + "/upcomingMeetings")) {
            if (subject.equals(m.path("subject").asText())) {
                return Optional.of(m.path("meetingId").asText());
            }
        }
        return Optional.empty();
    }

    /**
     * A new screen-sharing session for the customer, marked with the attempt's reference, or the one an earlier attempt
     * created; their join link comes from the session record when the create answer lacks it. A session found again
     * has no start link (GoTo gives it only in the create answer): the organizer starts it from GoTo.
     */
    public Link assist(String customerName, String customerEmail, Intents.Attempt attempt) {
        if (attempt.earlier().isPresent() && attempt.reference() != null) {
            Optional<Link> found = assistSession(attempt.reference(), attempt.earlier().get());
            if (found.isPresent()) {
                return found.get();
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sessionType", "screen_sharing");
        body.put("customerName", customerName);
        body.put("customerEmail", customerEmail);
        if (attempt.reference() != null) {
            body.put("partnerObject", attempt.reference());
        }
        JsonNode created = connections.first().post(Operations.ASSIST_SESSIONS, body);
        String token = created.path("sessionToken").asText("");
        String join = created.path("customerJoinUrl").asText("");
        if (join.isEmpty() && !token.isEmpty()) {
            join = connections.first().get(Operations.ASSIST_SESSIONS + "/" + token).path("customerJoinUrl").asText("");
        }
        if (join.isEmpty()) {
            throw new GoToException(200, "NoJoinUrl", "GoTo created an assist session but gave no customer join URL", false, null);
        }
        return new Link("assist", token, join, created.path("startScreenSharing").path("launchUrl").asText(null));
    }

    /** The session created since {@code since} whose partnerObject is the reference. */
    private Optional<Link> assistSession(String reference, Instant since) {
        Instant from = since.minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.SECONDS);
        Instant to = clock.instant().plus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.SECONDS);
        JsonNode list = connections.first().get(Operations.ASSIST_SESSIONS + "?sessionType=screen_sharing&fromTime=" + from + "&toTime=" + to);
        for (JsonNode s : list.path("sessions")) {
            if (reference.equals(s.path("partnerObject").asText()) && !s.path("customerJoinUrl").asText("").isEmpty()) {
                return Optional.of(new Link("assist", s.path("sessionStartToken").asText(s.path("sessionId").asText()),
                        s.path("customerJoinUrl").asText(), null));
            }
        }
        return Optional.empty();
    }
}
