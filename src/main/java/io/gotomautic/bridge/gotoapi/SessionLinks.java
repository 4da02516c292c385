package io.gotomautic.bridge.gotoapi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Creates the sessions whose links the bridge emails: a GoToMeeting (or the one configured) and a GoToAssist
 * screen-sharing session. Each has two links: the one for the person invited, and the organizer's start link,
 * which lets anyone who holds it host the session and so never goes to a contact.
 */
public class SessionLinks {

    /** A session: its key, the link for the person invited, the organizer's start link. */
    public record Link(String product, String key, String joinUrl, String startUrl) {
    }

    private final GoToClient client;
    private final Optional<String> meetingKey;
    private final Clock clock;

    /** @param meetingKey the meeting every meeting-link action uses ({@code bridge.meeting.key}); empty = one new meeting each */
    public SessionLinks(GoToClient client, Optional<String> meetingKey, Clock clock) {
        this.client = client;
        this.meetingKey = meetingKey;
        this.clock = clock;
    }

    /** The configured meeting, or a new one-hour meeting starting now, named {@code subject}. */
    public Link meeting(String subject) {
        String key;
        String join;
        if (meetingKey.isPresent()) {
            key = meetingKey.get();
            // GoTo answers no join URL for an existing meeting; this is its documented form
            join = "https://global.gotomeeting.com/join/" + key;
        } else {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MINUTES);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("subject", subject.length() > 100 ? subject.substring(0, 100) : subject);
            body.put("starttime", now.toString());
            body.put("endtime", now.plus(Duration.ofHours(1)).toString());
            body.put("passwordrequired", false);
            body.put("conferencecallinfo", "VoIP");
            body.put("timezonekey", "");
            body.put("meetingtype", "immediate");
            JsonNode created = client.post(MeetingSource.BASE + "/meetings", body).path(0);
            key = created.path("meetingid").asText();
            if (key.isEmpty() || !created.hasNonNull("joinURL")) {
                throw new GoToException(200, "NoMeeting", "GoTo created a meeting but answered no meetingid and joinURL", false, null);
            }
            join = created.path("joinURL").asText();
        }
        JsonNode start = client.get(MeetingSource.BASE + "/meetings/" + key + "/start");
        return new Link("meeting", key, join, start.path("hostURL").asText(null));
    }

    /** A new screen-sharing session for the customer; their join link comes from the session record when the create answer lacks it. */
    public Link assist(String customerName, String customerEmail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sessionType", "screen_sharing");
        body.put("customerName", customerName);
        body.put("customerEmail", customerEmail);
        JsonNode created = client.post(AssistSource.BASE, body);
        String token = created.path("sessionToken").asText("");
        String join = created.path("customerJoinUrl").asText("");
        if (join.isEmpty() && !token.isEmpty()) {
            join = client.get(AssistSource.BASE + "/" + token).path("customerJoinUrl").asText("");
        }
        if (join.isEmpty()) {
            throw new GoToException(200, "NoJoinUrl", "GoTo created an assist session but gave no customer join URL", false, null);
        }
        return new Link("assist", token, join, created.path("startScreenSharing").path("launchUrl").asText(null));
    }
}
