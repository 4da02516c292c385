package io.gotomautic.bridge.gotoapi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.store.Intents;
import io.gotomautic.bridge.sync.EventRef;

/**
 * The GoTo operations the pull routes and integrators call by name ({@code training/getTraining}, …), each one
 * GoTo call (or the pages of one listing) through the connection's client: its shared token and rate limiter. The
 * training names are those of the GoToTraining connector the bridge stands in for, the webinar ones their twins;
 * the listings the pull routes walk for every product are here too, and the lists behind the "new item" triggers,
 * with the field that tells one item from another.
 */
public class Operations {

    static final String WEBINARS = "/G2W/rest/v2/organizers/";
    static final String TRAININGS = "/G2T/rest/organizers/";
    static final String TRAINING_REPORTS = "/G2T/rest/reports/organizers/";
    static final String MEETINGS = "/G2M/rest";
    static final String ASSIST_SESSIONS = "/G2A/rest/v1/sessions";

    /**
     * Where an operation finds its keys: {@code trainingKey}, {@code webinarKey}, {@code sessionKey},
     * {@code registrantKey}, {@code meetingKey}, a window's {@code fromTime} and {@code toTime} (ISO-8601), and the
     * {@code account} to act as when several GoTo accounts are connected.
     */
    @FunctionalInterface
    public interface Keys {
        /** The key's value, or null when it is not given. */
        String value(String name);

        /** The key's value; fails, naming the key, when it is not given. */
        default String required(String name) {
            String value = value(name);
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("needs " + name + " (a URI option or a header of that name)");
            }
            return value;
        }
    }

    /** A listing a "new item" trigger polls, and the field that is each item's key. */
    public record Listing(String itemKey, Function<Keys, List<JsonNode>> list) {
    }

    private static final Set<String> CALLS = Set.of("training/getTraining", "training/listRegistrations",
            "training/addRegistrant", "training/getRegistrant", "webinar/getWebinar", "webinar/listRegistrants",
            "webinar/addRegistrant", "webinar/getRegistrant", "webinar/listSessions", "webinar/listAttendees",
            "webinar/listWebinars", "training/listTrainings", "training/listSessions", "training/listSessionsByDate",
            "training/listAttendees", "meeting/listHistoryMeetings", "meeting/listAttendees", "assist/listSessions",
            "meeting/createMeeting", "assist/createSession", "webinar/createWebhookSecret", "webinar/listWebhooks",
            "webinar/createWebhooks", "webinar/updateWebhooks", "webinar/listUserSubscriptions",
            "webinar/createUserSubscriptions", "webinar/updateUserSubscriptions", "webinar/deleteWebhooks",
            "webinar/deleteUserSubscriptions");
    /** The calls whose input is the message body. */
    private static final Set<String> WITH_BODY = Set.of("training/addRegistrant", "webinar/addRegistrant", "meeting/createMeeting",
            "assist/createSession", "webinar/createWebhooks", "webinar/updateWebhooks", "webinar/createUserSubscriptions",
            "webinar/updateUserSubscriptions", "webinar/deleteWebhooks", "webinar/deleteUserSubscriptions");
    /** GoToWebinar's webhook API: the OAuth application's webhooks, and the subscriptions of the token's organizer. */
    private static final String WEBHOOKS = "/G2W/rest/v2";

    private final GoToConnections connections;
    private final Registrar registrar;
    private final SessionLinks sessions;
    private final Clock clock;
    /** How far back and ahead {@code webinar/onNewWebinar} looks: the webinars GoTo lists only within a window. */
    private final Duration past;
    private final Duration future;

    public Operations(GoToConnections connections, Registrar registrar, SessionLinks sessions, Clock clock, Duration past,
                      Duration future) {
        this.connections = connections;
        this.registrar = registrar;
        this.sessions = sessions;
        this.clock = clock;
        this.past = past;
        this.future = future;
    }

    /** Whether {@code name} ({@code product/operation}) is a call; else it may be a trigger's {@link #listing}. */
    public static boolean isCall(String name) {
        return CALLS.contains(name);
    }

    /** Whether the call {@code name} takes its input as the body ({@link #call}'s {@code input}). */
    public static boolean takesBody(String name) {
        return WITH_BODY.contains(name);
    }

    /**
     * Carries out the call {@code name}.
     *
     * @param input for {@code addRegistrant} the registrant: {@code email}, {@code firstName}, {@code lastName} and
     *              {@code answers} (by GoTo question key or field name); for {@code meeting/createMeeting} the
     *              {@code subject}; for {@code assist/createSession} the {@code customerName} and
     *              {@code customerEmail}; for the webhook API's creates and updates the array GoTo takes; ignored
     *              otherwise
     */
    public JsonNode call(String name, Keys keys, Object input) {
        if (name.endsWith("/addRegistrant")) {
            String product = name.substring(0, name.indexOf('/'));
            return add(product, keys.required(product + "Key"), keys, map(input));
        }
        if (name.equals("meeting/createMeeting") || name.equals("assist/createSession")) {
            return session(name, keys, input == null ? Map.of() : map(input));
        }
        return onEvent(name, keys, client -> call(name, client, keys, input));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object input) {
        if (input != null && !(input instanceof Map)) {
            throw new IllegalArgumentException("needs an object as the body, not " + input.getClass().getSimpleName());
        }
        return (Map<String, Object>) input;
    }

    private static List<?> array(Object input) {
        if (!(input instanceof List<?> items)) {
            throw new IllegalArgumentException("needs an array as the body");
        }
        return items;
    }

    /** The list inside GoTo's {@code _embedded}; empty when the answer has none. */
    private static JsonNode embedded(JsonNode answer, String field) {
        JsonNode list = answer == null ? null : answer.path("_embedded").get(field);
        return list == null ? GoToClient.JSON.createArrayNode() : list;
    }

    /**
     * A meeting or assist session for a link to email. GoTo has no idempotency key for these creates: a
     * {@code reference} (a header) marks the session, and with {@code earlier} (when a first attempt with that
     * reference began, ISO-8601) the session that attempt may have created is looked for before creating another.
     */
    private JsonNode session(String name, Keys keys, Map<String, Object> input) {
        String reference = keys.value("reference");
        String earlier = keys.value("earlier");
        Intents.Attempt attempt = new Intents.Attempt(reference,
                earlier == null ? java.util.Optional.empty() : java.util.Optional.of(Instant.parse(earlier)));
        SessionLinks.Link link;
        if (name.equals("meeting/createMeeting")) {
            link = sessions.meeting(text(input, "subject") == null ? "Meeting" : text(input, "subject"), attempt);
        } else {
            if (text(input, "customerName") == null) {
                throw new IllegalArgumentException("needs the body's customerName");
            }
            link = sessions.assist(text(input, "customerName"), text(input, "customerEmail"), attempt);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(link.product().equals("meeting") ? "meetingKey" : "sessionKey", link.key());
        out.put("joinUrl", link.joinUrl());
        out.put("startUrl", link.startUrl());
        return GoToClient.JSON.valueToTree(out);
    }

    /**
     * The call as the account it names, or as the event's: with {@code webinarKey} or {@code trainingKey} and no
     * account, the one that has the event (each tried in turn until one knows it); else the only account.
     */
    private <T> T onEvent(String name, Keys keys, Function<GoToClient, T> call) {
        String product = name.substring(0, name.indexOf('/'));
        String eventKey = keys.value(product + "Key");
        if (keys.value("account") != null || eventKey == null) {
            return call.apply(connections.client(keys.value("account"), "needs the account"));
        }
        return connections.onEvent(product, eventKey, call);
    }

    private JsonNode call(String name, GoToClient client, Keys keys, Object input) {
        return switch (name) {
            case "training/getTraining" -> client.get(training(client, keys));
            case "training/listRegistrations" -> client.get(training(client, keys) + "/registrants");
            case "training/getRegistrant" -> client.get(training(client, keys) + "/registrants/" + keys.required("registrantKey"));
            case "webinar/getWebinar" -> client.get(webinar(client, keys));
            case "webinar/listRegistrants" -> array(Paging.registrants(client, webinar(client, keys)));
            case "webinar/getRegistrant" -> client.get(webinar(client, keys) + "/registrants/" + keys.required("registrantKey"));
            case "webinar/listSessions" -> array(Paging.embedded(client, webinar(client, keys) + "/sessions?size=" + Paging.LIMIT,
                    "sessionInfoResources"));
            case "webinar/listAttendees" -> client.get(webinar(client, keys) + "/sessions/" + keys.required("sessionKey") + "/attendees");
            case "webinar/listWebinars" -> array(webinars(client, time(keys, "fromTime"), time(keys, "toTime")));
            case "training/listTrainings" -> client.get(TRAININGS + client.organizer().key() + "/trainings");
            // the held sessions of a training, from GoToTraining's reports
            case "training/listSessions" -> client.get(TRAINING_REPORTS + client.organizer().key() + "/trainings/"
                    + keys.required("trainingKey"));
            // completed sessions in a range; a POST because GoToTraining takes the range as a JSON body
            case "training/listSessionsByDate" -> client.post(TRAINING_REPORTS + client.organizer().key() + "/sessions",
                    Map.of("startDate", time(keys, "fromTime"), "endDate", time(keys, "toTime")));
            case "training/listAttendees" -> client.get(TRAINING_REPORTS + client.organizer().key() + "/sessions/"
                    + keys.required("sessionKey") + "/attendees");
            case "meeting/listHistoryMeetings" -> client.get(MEETINGS + "/historicalMeetings?startDate=" + time(keys, "fromTime")
                    + "&endDate=" + time(keys, "toTime"));
            case "meeting/listAttendees" -> client.get(MEETINGS + "/meetings/" + keys.required("meetingKey") + "/attendees");
            case "assist/listSessions" -> client.get(ASSIST_SESSIONS + "?sessionType=screen_sharing&fromTime="
                    + time(keys, "fromTime") + "&toTime=" + time(keys, "toTime"));
            case "webinar/createWebhookSecret" -> client.post(WEBHOOKS + "/webhooks/secretkey", Map.of());
            case "webinar/listWebhooks" -> embedded(client.get(WEBHOOKS + "/webhooks?product=g2w"), "webhooks");
            case "webinar/createWebhooks" -> embedded(client.post(WEBHOOKS + "/webhooks", array(input)), "webhooks");
            case "webinar/updateWebhooks" -> client.put(WEBHOOKS + "/webhooks", array(input));
            case "webinar/listUserSubscriptions" -> embedded(client.get(WEBHOOKS + "/userSubscriptions"), "userSubscriptions");
            case "webinar/createUserSubscriptions" -> client.post(WEBHOOKS + "/userSubscriptions", array(input));
            case "webinar/updateUserSubscriptions" -> client.put(WEBHOOKS + "/userSubscriptions", array(input));
            case "webinar/deleteWebhooks" -> client.delete(WEBHOOKS + "/webhooks", array(input));
            case "webinar/deleteUserSubscriptions" -> client.delete(WEBHOOKS + "/userSubscriptions", array(input));
            default -> throw new IllegalArgumentException("no GoTo operation " + name);
        };
    }

    /** The listing behind the trigger {@code name} ({@code training/onNewTraining}, …), or null when there is none. */
    public Listing listing(String name) {
        return switch (name) {
            case "training/onNewTraining" -> new Listing("trainingKey", k -> onEvent(name, k,
                    client -> list(client.get(TRAININGS + client.organizer().key() + "/trainings"))));
            case "training/onNewRegistration" -> new Listing("registrantKey", k -> onEvent(name, k,
                    client -> list(client.get(training(client, k) + "/registrants"))));
            case "webinar/onNewWebinar" -> new Listing("webinarKey", k -> onEvent(name, k, client -> {
                Instant now = clock.instant();
                return webinars(client, seconds(now.minus(past)), seconds(now.plus(future)));
            }));
            case "webinar/onNewRegistrant" -> new Listing("registrantKey", k -> onEvent(name, k,
                    client -> Paging.registrants(client, webinar(client, k))));
            default -> null;
        };
    }

    /** The organizer's webinars that overlap the window, every page. */
    private static List<JsonNode> webinars(GoToClient client, String from, String to) {
        return Paging.embedded(client, WEBINARS + client.organizer().key() + "/webinars?fromTime=" + from + "&toTime=" + to
                + "&size=" + Paging.LIMIT, "webinars");
    }

    /** A window's end, as GoTo takes it: ISO-8601 UTC to the second. */
    private static String time(Keys keys, String name) {
        String value = keys.required(name);
        try {
            return seconds(Instant.parse(value));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be an ISO-8601 instant such as 2026-12-01T10:00:00Z, not " + value);
        }
    }

    private static String seconds(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String training(GoToClient client, Keys keys) {
        return TRAININGS + client.organizer().key() + "/trainings/" + keys.required("trainingKey");
    }

    private static String webinar(GoToClient client, Keys keys) {
        return WEBINARS + client.organizer().key() + "/webinars/" + keys.required("webinarKey");
    }

    /** Registers through the bridge's registrar: idempotent (GoTo's 409 yields the registrant), questions checked. */
    private JsonNode add(String product, String key, Keys keys, Map<String, Object> registrant) {
        if (registrant == null || !(registrant.get("email") instanceof String email) || email.isBlank()) {
            throw new GoToException(400, "NoEmail", product + "/addRegistrant needs the registrant as the body, with an email",
                    false, null);
        }
        Map<String, String> answers = new LinkedHashMap<>();
        if (registrant.get("answers") instanceof Map<?, ?> given) {
            given.forEach((q, a) -> answers.put(String.valueOf(q), String.valueOf(a)));
        } else if (registrant.get("answers") != null) {
            throw new GoToException(400, "BadAnswers", product + "/addRegistrant takes answers as an object (question key or"
                    + " field name: answer), not " + (registrant.get("answers") instanceof List ? "an array" : "a "
                    + registrant.get("answers").getClass().getSimpleName()), false, null);
        }
        Registrar.Registration r = registrar.register(product, key, keys.value("account"), email, text(registrant, "firstName"),
                text(registrant, "lastName"), answers);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("registrantKey", r.person().registrantKey());
        out.put("joinUrl", r.person().joinUrl());
        out.put("email", r.person().email());
        out.put(product + "Key", key);
        out.put("account", r.event().account());
        // the event as the filters see it, so whoever registered knows what for without another call
        out.put("event", new EventRef(key, r.event().title(), r.event().startsAt(), r.event().endsAt())
                .asMap(null, r.event().account()));
        return GoToClient.JSON.valueToTree(out);
    }

    private static String text(Map<String, Object> m, String field) {
        return m.get(field) == null ? null : String.valueOf(m.get(field));
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

    private static JsonNode array(List<JsonNode> items) {
        return GoToClient.JSON.createArrayNode().addAll(items);
    }
}
