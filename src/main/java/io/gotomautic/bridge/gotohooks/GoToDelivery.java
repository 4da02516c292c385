package io.gotomautic.bridge.gotohooks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.change.Change;
import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.sync.EventSnapshot;
import io.gotomautic.bridge.sync.EventSnapshot.Participant;
import io.gotomautic.bridge.sync.EventSnapshot.Standing;
import io.gotomautic.bridge.sync.InboundRequest;

/**
 * A GoToWebinar webhook event as the inbox keeps it (GoTo's JSON, plus {@code type} {@code goto.<eventName>} and the
 * {@code account} its callback named), and what it means to the bridge: a {@code registrant.added} of an approved
 * registrant is the person registered, with what GoTo sent; a {@code registrant.joined} is the registrant attended;
 * a {@code webinar.created} or {@code webinar.changed} is the webinar to be read again (or, DELETED, cancelled). Any
 * other event is stored as done.
 *
 * @param status a registrant's (APPROVED, WAITING, DENIED) or a webinar's (NEW, UPDATED, DELETED)
 * @param answers the registrant's answers to the registration questions ({@code responses})
 */
public record GoToDelivery(String eventName, String account, String webinarKey, String webinarTitle, String registrantKey,
                           String email, String firstName, String lastName, String joinUrl, String status,
                           List<Change.Answer> answers) {

    /** The inbox's source of GoTo's deliveries. */
    public static final String SOURCE = "goto-webhook";
    public static final String ADDED = "registrant.added";
    public static final String JOINED = "registrant.joined";
    static final String TYPE_PREFIX = "goto.";
    private static final Set<String> APPLIED = Set.of(ADDED, JOINED, "webinar.created", "webinar.changed");

    /** Whether the stored payload is a GoTo webhook event. */
    public static boolean isOne(JsonNode payload) {
        return payload.path("type").asText().startsWith(TYPE_PREFIX);
    }

    /** Whether the inbox worker applies it; any other event (another product, one the poll brings) is stored as done. */
    static boolean asksForWork(JsonNode event) {
        return event.path("product").asText().equals("g2w") && APPLIED.contains(event.path("eventName").asText());
    }

    /** @throws InboundRequest.Invalid when it lacks what applying it needs: a dead letter with the reason */
    public static GoToDelivery of(JsonNode payload) {
        String name = payload.path("eventName").asText();
        String webinar = payload.path("webinarKey").asText("");
        String email = payload.path("email").asText("").trim();
        String registrant = payload.path("registrantKey").asText("");
        if (webinar.isEmpty()) {
            throw new InboundRequest.Invalid("GoTo " + name + " without a webinarKey");
        }
        if (name.equals(ADDED) && !EmailAddress.valid(email)) {
            throw new InboundRequest.Invalid("GoTo " + name + " for webinar " + webinar + " without a valid email");
        }
        if (name.equals(JOINED) && registrant.isEmpty()) {
            throw new InboundRequest.Invalid("GoTo " + name + " for webinar " + webinar + " without a registrantKey");
        }
        List<Change.Answer> answers = new ArrayList<>();
        for (JsonNode r : payload.path("responses")) {
            answers.add(new Change.Answer(r.path("question").asText(), r.path("answer").asText()));
        }
        return new GoToDelivery(name, payload.path("account").asText(null), webinar, payload.path("webinarTitle").asText(""),
                registrant.isEmpty() ? null : registrant, email.isEmpty() ? null : email, payload.path("firstName").asText(null),
                payload.path("lastName").asText(null), payload.path("joinUrl").asText(null),
                payload.path("status").asText(name.equals(ADDED) ? "APPROVED" : "").toUpperCase(Locale.ROOT), List.copyOf(answers));
    }

    /**
     * Whom the event is about, for the inbox's order per person and event: a webinar's announcements in the order
     * they came. A join names the registrant by key, an addition by email, so the two are not ordered: applying
     * either first ends the same.
     */
    public static String[] orderKey(JsonNode payload) {
        String email = payload.path("email").asText("");
        String registrant = payload.path("registrantKey").asText("");
        String webinar = "webinar:" + payload.path("webinarKey").asText();
        String person = !email.isEmpty() ? email.toLowerCase(Locale.ROOT) : !registrant.isEmpty() ? "goto-registrant:" + registrant : webinar;
        return new String[] {person, webinar};
    }

    public boolean about(String name) {
        return eventName.equals(name);
    }

    /** A webinar.changed saying the webinar is gone: GoTo has no delete event. */
    public boolean deleted() {
        return status.equals("DELETED");
    }

    /** GoTo approved the registration: someone who waits for approval, or was denied, is left to the poll. */
    public boolean approved() {
        return status.equals("APPROVED");
    }

    /**
     * The webinar as far as the delivery tells it (its times come with the next poll), with the person a
     * registrant.added registered.
     */
    public EventSnapshot snapshot(Instant now) {
        return new EventSnapshot("webinar", account, webinarKey, webinarTitle, null, null, List.of(),
                about(ADDED) ? List.of(person()) : List.of(), false, now, Map.of());
    }

    public Participant person() {
        return new Participant(email, firstName, lastName, registrantKey, joinUrl, Standing.REGISTERED, new LinkedHashMap<>());
    }

    /** For a log line: never the whole e-mail. */
    public String describe() {
        String who = email != null ? EmailAddress.masked(email) + " " : registrantKey != null ? "registrant " + registrantKey + " " : "";
        return eventName + " " + who + "for webinar " + webinarKey + (webinarTitle.isEmpty() ? "" : " (" + webinarTitle + ")");
    }
}
