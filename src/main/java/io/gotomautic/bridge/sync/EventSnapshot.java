package io.gotomautic.bridge.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.gotomautic.bridge.change.Change;

/**
 * One GoTo event as GoTo shows it now: its sessions and everyone registered for it or present in it. The
 * reconciler compares this with what the database knows and turns the differences into changes.
 *
 * @param account the GoTo account the event belongs to
 * @param ended true once the last session has ended, when absentees become no-shows
 * @param takenAt when GoTo was asked
 */
public record EventSnapshot(String product, String account, String eventKey, String title, Instant startsAt, Instant endsAt,
                            List<Session> sessions, List<Participant> participants, boolean ended, Instant takenAt,
                            Map<String, Details> details) {

    /**
     * The registrant's GoTo detail, fetched for some registrants ({@code details}, by lower-cased e-mail): the fields
     * GoTo's listing lacks (organization, jobTitle, …) and the answers to the registration questions.
     */
    public record Details(Map<String, Object> fields, List<Change.Answer> answers) {
        public Details {
            fields = Map.copyOf(fields);
            answers = List.copyOf(answers);
        }
    }

    /** A scheduled or held session of the event. */
    public record Session(String key, Instant start, Instant end) {
    }

    /** How GoTo lists a person for the event. */
    public enum Standing {
        /** registered and approved */
        REGISTERED,
        /** registered, waiting for approval: not in Mautic until approved */
        PENDING,
        /** registration cancelled or denied */
        CANCELLED,
        /** present without a registration (meetings, assist sessions) */
        PRESENT
    }

    /**
     * A person, keyed by e-mail (compared lower-cased).
     *
     * @param secondsBySession time in each held session, keyed by session key; absent = not there
     */
    public record Participant(String email, String firstName, String lastName, String registrantKey, String joinUrl,
                              Standing standing, Map<String, Long> secondsBySession) {

        public long totalSeconds() {
            return secondsBySession.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * A snapshot while a pull route gathers it, one GoTo answer at a time: the route's steps add the registrants,
     * the sessions and the time in each, then the reconcile step takes {@link #build()}.
     */
    public static final class Builder {

        private final String product;
        private final String account;
        private final EventRef event;
        private final Instant takenAt;
        private final Map<String, Participant> people = new LinkedHashMap<>();
        private final List<Session> sessions = new ArrayList<>();
        private final Map<String, Details> details = new LinkedHashMap<>();
        private Boolean ended;

        public Builder(String product, String account, EventRef event, Instant takenAt) {
            this.product = product;
            this.account = account;
            this.event = event;
            this.takenAt = takenAt;
        }

        public EventRef event() {
            return event;
        }

        /** Whether the event has begun, so it has sessions and attendance to ask for. */
        public boolean isStarted() {
            return event.startsAt() != null && event.startsAt().isBefore(takenAt);
        }

        /** The keys of the sessions added so far, for the route to ask each one's attendance. */
        public List<String> getSessionKeys() {
            return sessions.stream().map(Session::key).toList();
        }

        /** Everyone added so far. */
        public java.util.Collection<Participant> people() {
            return people.values();
        }

        /** The person with this e-mail, or null. */
        public Participant person(String email) {
            return people.get(email.toLowerCase(Locale.ROOT));
        }

        /** Adds the person, or keeps the one already there with that e-mail; returns the one kept. */
        public Participant add(Participant p) {
            return people.computeIfAbsent(p.email().toLowerCase(Locale.ROOT), k -> p);
        }

        /** Puts the person in, in place of one with that e-mail. */
        public void put(Participant p) {
            people.put(p.email().toLowerCase(Locale.ROOT), p);
        }

        /** The registrant's detail, fetched by the route for the one with this e-mail. */
        public void details(String email, Details d) {
            details.put(email.toLowerCase(Locale.ROOT), d);
        }

        /** Adds the session unless one with its key is there. */
        public void session(Session s) {
            if (sessions.stream().noneMatch(known -> known.key().equals(s.key()))) {
                sessions.add(s);
            }
        }

        /** Whether the event is over, when its product says so otherwise than by its end time. */
        public void ended(boolean over) {
            this.ended = over;
        }

        public EventSnapshot build() {
            boolean over = ended != null ? ended : event.endsAt() != null && !event.endsAt().isAfter(takenAt);
            return new EventSnapshot(product, account, event.key(), event.title(), event.startsAt(), event.endsAt(),
                    List.copyOf(sessions), List.copyOf(people.values()), over, takenAt, Map.copyOf(details));
        }
    }
}
