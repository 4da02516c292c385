package io.gotomautic.bridge.change;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What the bridge found or did to one person in one event, the one form a change has from the transaction that
 * changes the state (it is the outbox row's payload) to the push to Mautic and whoever else reads it. Its JSON is
 * the documented contract with integrators (README, "The change record"): field names, and the values of
 * {@code type} and {@code source}.
 *
 * @param id               unique per change (a UUID): a reader that sees a change twice (at least once) knows it
 * @param account          the GoTo account the event belongs to ({@code default}: goto.refresh-token's)
 * @param eventStart       the event's first session, ISO-8601 in UTC; null when GoTo gave none
 * @param email            lower-cased, the person's key; null (and the other person fields too) for a change to the
 *                         event itself
 * @param minutes          time attended, rounded up, in all sessions
 * @param secondsBySession time attended per GoTo session key
 * @param previous         the person's type in this event before the change, null for the first
 * @param occurredAt       when the bridge found or did it, ISO-8601 in UTC
 * @param details          the registrant's other GoTo fields when known (organization, jobTitle, …), else empty
 * @param answers          the registrant's answers to the event's registration questions, when known
 */
public record Change(String id, Type type, String product, String account, String eventKey, String eventTitle, String eventStart,
                     String email, String firstName, String lastName, String registrantKey, String joinUrl, int minutes,
                     Map<String, Long> secondsBySession, Type previous, String occurredAt, Source source,
                     Map<String, Object> details, List<Answer> answers) {

    public Change {
        email = email == null ? null : email.toLowerCase(Locale.ROOT);
        // sorted, so the JSON and the notes made from it read the same every time
        secondsBySession = Collections.unmodifiableMap(secondsBySession == null ? new TreeMap<>() : new TreeMap<>(secondsBySession));
        details = Collections.unmodifiableMap(details == null ? new TreeMap<>() : new TreeMap<>(details));
        answers = answers == null ? List.of() : List.copyOf(answers);
    }

    /** A change to the event itself (created, changed, cancelled in GoTo): no person. */
    public static Change of(Type type, Event event, Source source) {
        return new Change(UUID.randomUUID().toString(), type, event.product(), event.account(), event.key(), event.title(),
                event.start() == null ? null : event.start().toString(), null, null, null, null, null, 0, null, null,
                Instant.now().toString(), source, null, null);
    }

    /** Whether the change is about the event itself, not a person in it. */
    public boolean aboutEvent() {
        return type.aboutEvent;
    }

    /** A new change, found or done now. */
    public static Change of(Type type, Event event, Person person, Type previous, Source source) {
        return new Change(UUID.randomUUID().toString(), type, event.product(), event.account(), event.key(), event.title(),
                event.start() == null ? null : event.start().toString(), person.email(), person.firstName(), person.lastName(),
                person.registrantKey(), person.joinUrl(), person.minutes(), person.secondsBySession(), previous,
                Instant.now().toString(), source, person.details(), person.answers());
    }

    /** The event a change is about, as the bridge knows it when the change is made. */
    public record Event(String product, String account, String key, String title, Instant start) {
    }

    /** The person a change is about, as the bridge knows them when the change is made. */
    public record Person(String email, String firstName, String lastName, String registrantKey, String joinUrl, int minutes,
                         Map<String, Long> secondsBySession, Map<String, Object> details, List<Answer> answers) {
    }

    /** One registration question and the registrant's answer. */
    public record Answer(String question, String answer) {
    }

    /** The kind of change; its JSON value is the lower-case label. */
    public enum Type {
        REGISTERED("registered"), CANCELLED("cancelled"), ATTENDED("attended"), NO_SHOW("no-show"),
        EVENT_CREATED("event-created", true), EVENT_CHANGED("event-changed", true), EVENT_CANCELLED("event-cancelled", true);

        private final String label;
        private final boolean aboutEvent;

        Type(String label) {
            this(label, false);
        }

        Type(String label, boolean aboutEvent) {
            this.label = label;
            this.aboutEvent = aboutEvent;
        }

        @JsonValue
        public String label() {
            return label;
        }

        @JsonCreator
        public static Type of(String label) {
            for (Type t : values()) {
                if (t.label.equals(label)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown change type " + label);
        }
    }

    /** Where the change came from. */
    public enum Source {
        POLL, FORM, CAMPAIGN, CONTACT, WEBHOOK;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Source of(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }
    }
}
