package io.gotomautic.bridge.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

import io.gotomautic.bridge.sandbox.GoToState.Attendance;
import io.gotomautic.bridge.sandbox.GoToState.Registration;
import io.gotomautic.bridge.sandbox.GoToState.RegistrantStatus;
import io.gotomautic.bridge.sandbox.GoToState.Session;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinarEvent.Change;
import io.gotomautic.bridge.sandbox.GoToWebinarEvent.RegistrantAdded;
import io.gotomautic.bridge.sandbox.GoToWebinarEvent.RegistrantJoined;
import io.gotomautic.bridge.sandbox.GoToWebinarEvent.WebinarChanged;

/**
 * GoToWebinar's part of the world: webinars, their registrants, past sessions and attendance. What GoTo has webhook
 * events for (a webinar created, changed or cancelled, a registrant added, a join) is published to the world.
 */
public final class GoToWebinars {

    public static final String SINGLE_SESSION = "single_session";
    public static final String SERIES = "series";
    public static final String SEQUENCE = "sequence";

    public record Answer(long answerKey, String answer) {
    }

    /** A custom registration question; with answers it is multiple choice, else a short answer. */
    public record Question(long questionKey, String question, boolean required, List<Answer> answers) {
        public String type() {
            return answers.isEmpty() ? "shortAnswer" : "multipleChoice";
        }
    }

    public record Webinar(long key, String webinarId, String subject, String description, String recurrenceType,
                          String timeZone, List<TimeRange> times, boolean manualApproval, List<Question> questions,
                          boolean cancelled) {
        public Instant start() {
            return times.get(0).start();
        }

        public Instant end() {
            return times.get(times.size() - 1).end();
        }

        public boolean overlaps(Instant from, Instant to) {
            return times.stream().anyMatch(t -> t.overlaps(from, to));
        }

        /** The text of one of its custom questions; empty for a key that is none of them. */
        public String question(long questionKey) {
            return questions.stream().filter(q -> q.questionKey() == questionKey).map(Question::question).findFirst()
                    .orElse("");
        }
    }

    /** A registrant's answer to one custom question. */
    public record Response(long questionKey, String answer) {
    }

    public record NewRegistrant(String firstName, String lastName, String email, Instant registeredAt,
                                Map<String, String> details, List<Response> responses) {
        public NewRegistrant {
            details = Map.copyOf(details);
            responses = List.copyOf(responses);
        }

        public static NewRegistrant of(String firstName, String lastName, String email, Instant registeredAt) {
            return new NewRegistrant(firstName, lastName, email, registeredAt, Map.of(), List.of());
        }
    }

    public record Registrant(long key, long webinarKey, String firstName, String lastName, String email,
                             RegistrantStatus status, Instant registrationDate, String joinUrl, String timeZone,
                             Map<String, String> details, List<Response> responses, boolean cancelled) {
        Registrant with(RegistrantStatus newStatus, boolean nowCancelled) {
            return new Registrant(key, webinarKey, firstName, lastName, email, newStatus, registrationDate, joinUrl,
                    timeZone, details, responses, nowCancelled);
        }
    }

    /** What a test or the demo sets up; everything but the subject and times has a plausible default. */
    public static final class WebinarSpec {
        private final String subject;
        private Long key;
        private String description;
        private String recurrenceType;
        private String timeZone = "Europe/Berlin";
        private final List<TimeRange> times = new ArrayList<>();
        private boolean manualApproval;
        private final List<QuestionDraft> questions = new ArrayList<>();

        private WebinarSpec(String subject) {
            this.subject = subject;
        }

        /** A key chosen by the caller instead of a generated one. */
        public WebinarSpec key(long key) {
            this.key = key;
            return this;
        }

        public WebinarSpec description(String description) {
            this.description = description;
            return this;
        }

        public WebinarSpec timeZone(String timeZone) {
            this.timeZone = timeZone;
            return this;
        }

        public WebinarSpec times(TimeRange... times) {
            this.times.addAll(Arrays.asList(times));
            return this;
        }

        /** {@link #SERIES} or {@link #SEQUENCE}; without it a webinar with several times is a series. */
        public WebinarSpec recurrence(String recurrenceType) {
            this.recurrenceType = recurrenceType;
            return this;
        }

        /** Registrants wait for the organizer's approval instead of being approved at once. */
        public WebinarSpec manualApproval() {
            this.manualApproval = true;
            return this;
        }

        /** A custom question; with choices it is multiple choice. */
        public WebinarSpec question(String question, boolean required, String... choices) {
            questions.add(new QuestionDraft(question, required, List.of(choices)));
            return this;
        }
    }

    private record QuestionDraft(String question, boolean required, List<String> choices) {
    }

    private final GoToState state;
    private final GoToState.Sessions sessions;
    private final Map<Long, Webinar> webinars = new LinkedHashMap<>();
    private final Map<Long, Registrant> registrants = new LinkedHashMap<>();
    /** Registrant keys per webinar, so a registration does not scan every registrant (benchmarks hold 100,000). */
    private final Map<Long, List<Long>> byWebinar = new java.util.HashMap<>();
    private Duration listingLag = Duration.ZERO;

    GoToWebinars(GoToState state, GoToState.Sessions sessions) {
        this.state = state;
        this.sessions = sessions;
    }

    public static WebinarSpec webinar(String subject) {
        return new WebinarSpec(subject);
    }

    public synchronized Webinar add(WebinarSpec spec) {
        List<TimeRange> times = sorted(spec.times);
        long key = spec.key != null ? state.reserveKey(spec.key) : state.newKey();
        List<Question> questions = spec.questions.stream().map(q -> new Question(state.newKey(), q.question(),
                q.required(), q.choices().stream().map(a -> new Answer(state.newKey(), a)).toList())).toList();
        String recurrence = spec.recurrenceType != null ? spec.recurrenceType
                : spec.times.size() == 1 ? SINGLE_SESSION : SERIES;
        Webinar w = new Webinar(key, String.valueOf(state.newPublicId()), spec.subject,
                spec.description != null ? spec.description : spec.subject + " — live session with Q&A",
                recurrence, spec.timeZone, times, spec.manualApproval, questions, false);
        change(w, Change.NEW);
        return w;
    }

    /** A cancelled webinar is gone from lists and answers 404. */
    public synchronized void cancel(long webinarKey) {
        Webinar w = require(webinarKey);
        change(w, w.subject(), w.times(), true, Change.DELETED);
    }

    /** The organizer renames the webinar in GoTo (what GoTo's PUT of the webinar does to its subject). */
    public synchronized void rename(long webinarKey, String subject) {
        Webinar w = require(webinarKey);
        change(w, subject, w.times(), w.cancelled(), Change.UPDATED);
    }

    /** The organizer moves the webinar to other times (what GoTo's PUT of the webinar does to its times). */
    public synchronized void reschedule(long webinarKey, TimeRange... times) {
        Webinar w = require(webinarKey);
        change(w, w.subject(), sorted(List.of(times)), w.cancelled(), Change.UPDATED);
    }

    /** The webinar with what an organizer can change changed. */
    private void change(Webinar w, String subject, List<TimeRange> times, boolean cancelled, Change change) {
        change(new Webinar(w.key(), w.webinarId(), subject, w.description(), w.recurrenceType(), w.timeZone(), times,
                w.manualApproval(), w.questions(), cancelled), change);
    }

    private void change(Webinar changed, Change change) {
        webinars.put(changed.key(), changed);
        state.publish(new WebinarChanged(changed, change));
    }

    private static List<TimeRange> sorted(List<TimeRange> times) {
        if (times.isEmpty()) {
            throw new IllegalArgumentException("a webinar needs at least one time");
        }
        return times.stream().sorted(Comparator.comparing(TimeRange::start)).toList();
    }

    public synchronized Optional<Webinar> webinar(long key) {
        return Optional.ofNullable(webinars.get(key));
    }

    /** Every webinar including cancelled ones, earliest first. */
    public synchronized List<Webinar> all() {
        return webinars.values().stream().sorted(Comparator.comparing(Webinar::start)).toList();
    }

    /**
     * Registers a person unless someone with the same email (in any letter case) is already registered; that
     * check and the insert are one step so concurrent registrations of one email give one registrant.
     */
    public synchronized Registration<Registrant> register(long webinarKey, NewRegistrant r) {
        Webinar w = require(webinarKey);
        Optional<Registrant> existing = registrants(webinarKey).stream()
                .filter(x -> x.email().equalsIgnoreCase(r.email())).findFirst();
        if (existing.isPresent()) {
            return new Registration<>(existing.get(), false);
        }
        long key = state.newKey();
        Registrant created = new Registrant(key, webinarKey, r.firstName(), r.lastName(), r.email(),
                w.manualApproval() ? RegistrantStatus.WAITING : RegistrantStatus.APPROVED, r.registeredAt(),
                "https://global.gotowebinar.com/join/" + webinarKey + "/" + key, w.timeZone(), r.details(),
                r.responses(), false);
        registrants.put(key, created);
        byWebinar.computeIfAbsent(webinarKey, k -> new ArrayList<>()).add(key);
        state.publish(new RegistrantAdded(w, created));
        return new Registration<>(created, true);
    }

    /** Registers a person now; fails if the email is already registered for the webinar. */
    public Registrant addRegistrant(long webinarKey, String firstName, String lastName, String email) {
        Registration<Registrant> r = register(webinarKey, NewRegistrant.of(firstName, lastName, email, state.now()));
        if (!r.created()) {
            throw new IllegalStateException(email + " is already registered for webinar " + webinarKey);
        }
        return r.registrant();
    }

    public synchronized Registrant setStatus(long registrantKey, RegistrantStatus status) {
        Registrant r = requireRegistrant(registrantKey);
        registrants.put(registrantKey, r.with(status, r.cancelled()));
        return registrants.get(registrantKey);
    }

    /** A cancelled registrant disappears from the registrant list, as after a DELETE. */
    public synchronized void cancelRegistrant(long registrantKey) {
        Registrant r = requireRegistrant(registrantKey);
        registrants.put(registrantKey, r.with(r.status(), true));
    }

    /** The registrants still registered for a webinar, in registration order. */
    public synchronized List<Registrant> registrants(long webinarKey) {
        return byWebinar.getOrDefault(webinarKey, List.of()).stream().map(registrants::get).filter(r -> !r.cancelled())
                .sorted(Comparator.comparing(Registrant::registrationDate)).toList();
    }

    /**
     * GoTo's registrant lists lag ("can take as long as two hours" to reflect changes): with a lag set, the list
     * endpoint does not show a registration younger than the lag yet. Zero (the default) lists at once.
     */
    public synchronized void listingLag(Duration lag) {
        listingLag = lag;
    }

    /** The registrants the list endpoint shows now. */
    public synchronized List<Registrant> listed(long webinarKey) {
        Instant shownUpTo = state.now().minus(listingLag);
        return registrants(webinarKey).stream().filter(r -> !r.registrationDate().isAfter(shownUpTo)).toList();
    }

    /** One registrant, cancelled or not. */
    public synchronized Optional<Registrant> registrant(long registrantKey) {
        return Optional.ofNullable(registrants.get(registrantKey));
    }

    public Session addSession(long webinarKey, TimeRange time) {
        require(webinarKey);
        return sessions.add(webinarKey, time);
    }

    /** Records that a registrant was in a session, one segment per join and leave: each join is a registrant.joined. */
    public Attendance recordAttendance(long sessionKey, long registrantKey, TimeRange... segments) {
        requireRegistrant(registrantKey);
        Attendance a = sessions.attend(sessionKey, registrantKey, List.of(segments));
        long webinarKey = sessions.session(sessionKey).orElseThrow().eventKey();
        a.segments().forEach(t -> state.publish(new RegistrantJoined(webinarKey, sessionKey, registrantKey, t.start())));
        return a;
    }

    public List<Session> sessions(long webinarKey) {
        return sessions.of(webinarKey);
    }

    /** Sessions of every webinar, earliest first. */
    public List<Session> sessions() {
        return sessions.all();
    }

    public Optional<Session> session(long sessionKey) {
        return sessions.session(sessionKey);
    }

    public List<Attendance> attendance(long sessionKey) {
        return sessions.attendance(sessionKey);
    }

    private synchronized Webinar require(long webinarKey) {
        Webinar w = webinars.get(webinarKey);
        if (w == null) {
            throw new NoSuchElementException("no webinar " + webinarKey);
        }
        return w;
    }

    private synchronized Registrant requireRegistrant(long registrantKey) {
        Registrant r = registrants.get(registrantKey);
        if (r == null) {
            throw new NoSuchElementException("no registrant " + registrantKey);
        }
        return r;
    }
}
