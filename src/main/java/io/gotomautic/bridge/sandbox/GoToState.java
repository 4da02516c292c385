package io.gotomautic.bridge.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The simulated GoTo world one organizer sees: webinars, trainings, meetings and remote-support sessions.
 * Thread-safe: each product keeps its own lock, so the server's threads and a test can use it at once.
 * Other organizers at the same GoTo have worlds of their own, sharing its clock and keys ({@code GoToPlatform}).
 */
public final class GoToState {

    /** A start and end, as GoTo reports times of webinars, sessions and join/leave segments. */
    public record TimeRange(Instant start, Instant end) {
        public TimeRange {
            if (!end.isAfter(start)) {
                throw new IllegalArgumentException("end " + end + " is not after start " + start);
            }
        }

        public static TimeRange of(Instant start, Duration length) {
            return new TimeRange(start, start.plus(length));
        }

        public Duration length() {
            return Duration.between(start, end);
        }

        /** Whether any part of this range lies inside [from, to]. */
        public boolean overlaps(Instant from, Instant to) {
            return !start.isAfter(to) && !end.isBefore(from);
        }
    }

    /** The organizer the access tokens belong to; its key is also its user key. */
    public record Organizer(long key, long accountKey, String email, String firstName, String lastName) {
        public String name() {
            return firstName + " " + lastName;
        }
    }

    /** GoToWebinar and GoToTraining registrants share these states. */
    public enum RegistrantStatus { APPROVED, DENIED, WAITING }

    /** What a registration did: added the registrant, or found the one already registered with that email. */
    public record Registration<R>(R registrant, boolean created) {
    }

    /** A past session of a webinar or training ({@code eventKey}). */
    public record Session(long key, long eventKey, TimeRange time) {
    }

    /** When one registrant was in one session, one segment per join and leave. */
    public record Attendance(long sessionKey, long registrantKey, List<TimeRange> segments) {
        public Attendance {
            segments = List.copyOf(segments);
        }

        public long seconds() {
            return segments.stream().mapToLong(s -> s.length().toSeconds()).sum();
        }
    }

    /** Past sessions of events and who attended them; webinars and trainings each keep one. */
    public static final class Sessions {
        private final GoToState state;
        private final Map<Long, Session> sessions = new LinkedHashMap<>();
        private final List<Attendance> attendance = new ArrayList<>();

        private Sessions(GoToState state) {
            this.state = state;
        }

        synchronized Session add(long eventKey, TimeRange time) {
            Session s = new Session(state.newKey(), eventKey, time);
            sessions.put(s.key(), s);
            return s;
        }

        synchronized Attendance attend(long sessionKey, long registrantKey, List<TimeRange> segments) {
            if (!sessions.containsKey(sessionKey)) {
                throw new IllegalArgumentException("no session " + sessionKey);
            }
            Attendance a = new Attendance(sessionKey, registrantKey, segments);
            attendance.add(a);
            return a;
        }

        synchronized Optional<Session> session(long key) {
            return Optional.ofNullable(sessions.get(key));
        }

        /** Sessions of one event, earliest first. */
        synchronized List<Session> of(long eventKey) {
            return sessions.values().stream().filter(s -> s.eventKey() == eventKey)
                    .sorted(Comparator.comparing(s -> s.time().start())).toList();
        }

        synchronized List<Session> all() {
            return sessions.values().stream().sorted(Comparator.comparing(s -> s.time().start())).toList();
        }

        synchronized List<Attendance> attendance(long sessionKey) {
            return attendance.stream().filter(a -> a.sessionKey() == sessionKey).toList();
        }
    }

    private static final long DEFAULT_SEED = 20_260_615L;

    private final GoToPlatform platform;
    private volatile Organizer organizer;
    private final GoToWebinars webinars;
    private final GoToTrainings trainings;
    private final GoToMeetings meetings;
    private final GoToAssistSessions assistSessions;

    public GoToState() {
        this(DEFAULT_SEED);
    }

    public GoToState(long seed) {
        this(new GoToPlatform(seed), "organizer@example.com", "Ada", "Lovelace");
    }

    private GoToState(GoToPlatform platform, String email, String firstName, String lastName) {
        this.platform = platform;
        this.organizer = new Organizer(newKey(), newKey(), email, firstName, lastName);
        this.webinars = new GoToWebinars(this, new Sessions(this));
        this.trainings = new GoToTrainings(this, new Sessions(this));
        this.meetings = new GoToMeetings(this);
        this.assistSessions = new GoToAssistSessions(this);
    }

    /** Another organizer's world, empty, at the same GoTo: the same clock, and keys never used in this one. */
    GoToState another(String email, String firstName, String lastName) {
        return new GoToState(platform, email, firstName, lastName);
    }

    /**
     * Makes "now" controllable, e.g. {@code Clock.offset(Clock.systemUTC(), Duration.ofHours(2))} to expire tokens;
     * for every organizer's world at this GoTo, as there is one time for all.
     */
    public GoToState useClock(Clock clock) {
        platform.useClock(clock);
        return this;
    }

    public Instant now() {
        return platform.now();
    }

    /** Who hears of the webinar events in every organizer's world at this GoTo (one listener: the webhooks). */
    void onWebinarEvents(BiConsumer<GoToState, GoToWebinarEvent> listener) {
        platform.onWebinarEvents(listener);
    }

    /** Tells the listener of something that happened in this world. */
    void publish(GoToWebinarEvent event) {
        platform.publish(this, event);
    }

    public Organizer organizer() {
        return organizer;
    }

    /**
     * Makes another organizer the one the tokens belong to, e.g. with keys a test chose. Data keeps belonging
     * to "the organizer": answers read its keys when they are rendered.
     */
    public GoToState useOrganizer(Organizer organizer) {
        this.organizer = organizer;
        return this;
    }

    public GoToWebinars webinars() {
        return webinars;
    }

    public GoToTrainings trainings() {
        return trainings;
    }

    public GoToMeetings meetings() {
        return meetings;
    }

    public GoToAssistSessions assistSessions() {
        return assistSessions;
    }

    /**
     * A new unique 64-bit key like GoTo's: uniformly drawn, so about half are negative and almost nine in ten
     * have 19 digits — exactly the values that break clients which parse JSON numbers as doubles.
     */
    public long newKey() {
        return platform.newKey();
    }

    /** Reserves a key a test chose, so generated keys never collide with it. */
    long reserveKey(long key) {
        return platform.reserveKey(key);
    }

    /** A unique 9-digit public id, the number people type to join. */
    public long newPublicId() {
        return platform.newPublicId();
    }

    /** An opaque URL-safe token, for join, host and launch links. */
    public String newToken() {
        return platform.newToken();
    }
}
