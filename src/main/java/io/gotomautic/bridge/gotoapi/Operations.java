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
     * {@code registrantKey}, {@code meetingKey}, and a window's {@code fromTime} and {@code toTime} (ISO-8601).
     */
    @FunctionalInterface
    public interface Keys {
        /** The key's value; fails, naming the key, when it is not given. */
        String required(String name);
    }

    /** A listing a "new item" trigger polls, and the field that is each item's key. */
    public record Listing(String itemKey, Function<Keys, List<JsonNode>> list) {
    }

    private static final Set<String> CALLS = Set.of("training/getTraining", "training/listRegistrations",
            "training/addRegistrant", "training/getRegistrant", "webinar/getWebinar", "webinar/listRegistrants",
            "webinar/addRegistrant", "webinar/getRegistrant", "webinar/listSessions", "webinar/listAttendees",
            "webinar/listWebinars", "training/listTrainings", "training/listSessions", "training/listSessionsByDate",
            "training/listAttendees", "meeting/listHistoryMeetings", "meeting/listAttendees", "assist/listSessions");

    private final GoToClient client;
    private final Registrar registrar;
    private final Clock clock;
    /** How far back and ahead {@code webinar/onNewWebinar} looks: the webinars GoTo lists only within a window. */
    private final Duration past;
    private final Duration future;

    public Operations(GoToClient client, Registrar registrar, Clock clock, Duration past, Duration future) {
        this.client = client;
        this.registrar = registrar;
        this.clock = clock;
        this.past = past;
        this.future = future;
    }

    /** Whether {@code name} ({@code product/operation}) is a call; else it may be a trigger's {@link #listing}. */
    public static boolean isCall(String name) {
        return CALLS.contains(name);
    }

    /**
     * Carries out the call {@code name}.
     *
     * @param registrant for {@code addRegistrant}: {@code email}, {@code firstName}, {@code lastName} and
     *                   {@code answers} (by GoTo question key or field name); ignored otherwise
     */
    public JsonNode call(String name, Keys keys, Map<String, Object> registrant) {
        return switch (name) {
            case "training/getTraining" -> client.get(training(keys));
            case "training/listRegistrations" -> client.get(training(keys) + "/registrants");
            case "training/getRegistrant" -> client.get(training(keys) + "/registrants/" + keys.required("registrantKey"));
            case "training/addRegistrant" -> add("training", keys.required("trainingKey"), registrant);
            case "webinar/getWebinar" -> client.get(webinar(keys));
            case "webinar/listRegistrants" -> array(Paging.registrants(client, webinar(keys)));
            case "webinar/getRegistrant" -> client.get(webinar(keys) + "/registrants/" + keys.required("registrantKey"));
            case "webinar/addRegistrant" -> add("webinar", keys.required("webinarKey"), registrant);
            case "webinar/listSessions" -> array(Paging.embedded(client, webinar(keys) + "/sessions?size=" + Paging.LIMIT,
                    "sessionInfoResources"));
            case "webinar/listAttendees" -> client.get(webinar(keys) + "/sessions/" + keys.required("sessionKey") + "/attendees");
            case "webinar/listWebinars" -> array(webinars(time(keys, "fromTime"), time(keys, "toTime")));
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
            default -> throw new IllegalArgumentException("no GoTo operation " + name);
        };
    }

    /** The listing behind the trigger {@code name} ({@code training/onNewTraining}, …), or null when there is none. */
    public Listing listing(String name) {
        return switch (name) {
            case "training/onNewTraining" -> new Listing("trainingKey",
                    k -> list(client.get(TRAININGS + client.organizer().key() + "/trainings")));
            case "training/onNewRegistration" -> new Listing("registrantKey", k -> list(client.get(training(k) + "/registrants")));
            case "webinar/onNewWebinar" -> new Listing("webinarKey", k -> {
                Instant now = clock.instant();
                return webinars(seconds(now.minus(past)), seconds(now.plus(future)));
            });
            case "webinar/onNewRegistrant" -> new Listing("registrantKey", k -> Paging.registrants(client, webinar(k)));
            default -> null;
        };
    }

    /** The organizer's webinars that overlap the window, every page. */
    private List<JsonNode> webinars(String from, String to) {
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

    private String training(Keys keys) {
        return TRAININGS + client.organizer().key() + "/trainings/" + keys.required("trainingKey");
    }

    private String webinar(Keys keys) {
        return WEBINARS + client.organizer().key() + "/webinars/" + keys.required("webinarKey");
    }

    /** Registers through the bridge's registrar: idempotent (GoTo's 409 yields the registrant), questions checked. */
    private JsonNode add(String product, String key, Map<String, Object> registrant) {
        if (registrant == null || !(registrant.get("email") instanceof String email) || email.isBlank()) {
            throw new GoToException(400, "NoEmail", product + "/addRegistrant needs the registrant as the body, with an email",
                    false, null);
        }
        Map<String, String> answers = new LinkedHashMap<>();
        if (registrant.get("answers") instanceof Map<?, ?> given) {
            given.forEach((q, a) -> answers.put(String.valueOf(q), String.valueOf(a)));
        }
        Registrar.Registration r = registrar.register(product, key, email, text(registrant, "firstName"),
                text(registrant, "lastName"), answers);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("registrantKey", r.person().registrantKey());
        out.put("joinUrl", r.person().joinUrl());
        out.put("email", r.person().email());
        out.put(product + "Key", key);
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
