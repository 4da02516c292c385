package io.gotomautic.bridge.gotoapi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The GoToTraining and GoToWebinar operations integrators call by name ({@code training/getTraining}, …), each one
 * GoTo call (or the pages of one listing) through the connection's client: its shared token and rate limiter. The
 * names are those of the GoToTraining connector the bridge stands in for, and their webinar twins; the lists behind
 * the "new item" triggers are here too, with the field that tells one item from another.
 */
public class Operations {

    /** Where an operation finds its keys: {@code trainingKey}, {@code webinarKey}, {@code sessionKey}, {@code registrantKey}. */
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
            "webinar/addRegistrant", "webinar/getRegistrant", "webinar/listSessions", "webinar/listAttendees");

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
            default -> throw new IllegalArgumentException("no GoTo operation " + name);
        };
    }

    /** The listing behind the trigger {@code name} ({@code training/onNewTraining}, …), or null when there is none. */
    public Listing listing(String name) {
        return switch (name) {
            case "training/onNewTraining" -> new Listing("trainingKey",
                    k -> list(client.get(TrainingSource.BASE + client.organizer().key() + "/trainings")));
            case "training/onNewRegistration" -> new Listing("registrantKey", k -> list(client.get(training(k) + "/registrants")));
            case "webinar/onNewWebinar" -> new Listing("webinarKey", k -> {
                Instant now = clock.instant();
                return Paging.embedded(client, WebinarSource.BASE + client.organizer().key() + "/webinars?fromTime="
                        + WebinarSource.time(now.minus(past)) + "&toTime=" + WebinarSource.time(now.plus(future))
                        + "&size=" + Paging.LIMIT, "webinars");
            });
            case "webinar/onNewRegistrant" -> new Listing("registrantKey", k -> Paging.registrants(client, webinar(k)));
            default -> null;
        };
    }

    private String training(Keys keys) {
        return TrainingSource.BASE + client.organizer().key() + "/trainings/" + keys.required("trainingKey");
    }

    private String webinar(Keys keys) {
        return WebinarSource.BASE + client.organizer().key() + "/webinars/" + keys.required("webinarKey");
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
