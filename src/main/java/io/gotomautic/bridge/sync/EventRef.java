package io.gotomautic.bridge.sync;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An event as GoTo's listing shows it, enough to decide whether it needs a snapshot. In the pull routes it travels
 * as a {@code java.util.Map} ({@link #asMap}) so filters and steps read {@code ${body[title]}}.
 *
 * @param item        the record GoTo listed it by (as Maps and Lists), for a product whose listing already carries
 *                    all a snapshot needs (GoToAssist); null when it was not listed (a stored or a report-only event)
 * @param sessionEnds the scheduled end of each of its sessions, as a GoToWebinar listing gives them; else empty
 */
public record EventRef(String key, String title, Instant startsAt, Instant endsAt, Object item, List<Instant> sessionEnds) {

    public EventRef(String key, String title, Instant startsAt, Instant endsAt) {
        this(key, title, startsAt, endsAt, null, List.of());
    }

    public EventRef(String key, String title, Instant startsAt, Instant endsAt, Object item) {
        this(key, title, startsAt, endsAt, item, List.of());
    }

    /**
     * {@code key}, {@code title}, {@code startsAt}, {@code endsAt} (ISO-8601 UTC or null), {@code organizerKey},
     * {@code account}, {@code item}.
     */
    public Map<String, Object> asMap(String organizerKey, String account) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("key", key);
        event.put("title", title);
        event.put("startsAt", startsAt == null ? null : startsAt.toString());
        event.put("endsAt", endsAt == null ? null : endsAt.toString());
        event.put("organizerKey", organizerKey);
        event.put("account", account);
        event.put("item", item);
        return event;
    }

    /** The event a route hands back ({@link #asMap}'s form). */
    public static EventRef of(Map<?, ?> event) {
        return new EventRef(String.valueOf(event.get("key")), (String) event.get("title"), instant(event.get("startsAt")),
                instant(event.get("endsAt")), event.get("item"));
    }

    private static Instant instant(Object value) {
        return value == null ? null : Instant.parse(value.toString());
    }
}
