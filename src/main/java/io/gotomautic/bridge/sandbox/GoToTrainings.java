package io.gotomautic.bridge.sandbox;

import java.time.Instant;
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

/** GoToTraining's part of the world: trainings, registrants, past sessions and attendance. */
public final class GoToTrainings {

    public record Training(long key, String trainingId, String name, String description, String timeZone,
                           List<TimeRange> times) {
        public Instant end() {
            return times.get(times.size() - 1).end();
        }
    }

    public record Registrant(long key, long trainingKey, String givenName, String surname, String email,
                             RegistrantStatus status, Instant registrationDate, String joinUrl, String confirmationUrl,
                             boolean cancelled) {
    }

    private final GoToState state;
    private final GoToState.Sessions sessions;
    private final Map<Long, Training> trainings = new LinkedHashMap<>();
    private final Map<Long, Registrant> registrants = new LinkedHashMap<>();

    GoToTrainings(GoToState state, GoToState.Sessions sessions) {
        this.state = state;
        this.sessions = sessions;
    }

    public synchronized Training add(String name, String description, String timeZone, TimeRange... times) {
        if (times.length == 0) {
            throw new IllegalArgumentException("a training needs at least one time");
        }
        Training t = new Training(state.newKey(), String.valueOf(state.newPublicId()), name, description, timeZone,
                Arrays.stream(times).sorted(Comparator.comparing(TimeRange::start)).toList());
        trainings.put(t.key(), t);
        return t;
    }

    public synchronized Optional<Training> training(long key) {
        return Optional.ofNullable(trainings.get(key));
    }

    /** Every training in creation order, the order GoToTraining lists them in. */
    public synchronized List<Training> all() {
        return List.copyOf(trainings.values());
    }

    /** Registers a person unless the email (in any letter case) is already registered, in one step. */
    public synchronized Registration<Registrant> register(long trainingKey, String givenName, String surname,
                                                          String email, Instant registeredAt) {
        if (!trainings.containsKey(trainingKey)) {
            throw new NoSuchElementException("no training " + trainingKey);
        }
        Optional<Registrant> existing = registrants(trainingKey).stream()
                .filter(r -> r.email().equalsIgnoreCase(email)).findFirst();
        if (existing.isPresent()) {
            return new Registration<>(existing.get(), false);
        }
        long key = state.newKey();
        Registrant r = new Registrant(key, trainingKey, givenName, surname, email, RegistrantStatus.APPROVED,
                registeredAt, "https://global.gototraining.com/join/training/" + trainingKey + "/" + key,
                "https://attendee.gototraining.com/registration/confirmation.tmpl?registrant=" + key
                        + "&training=" + trainingKey, false);
        registrants.put(key, r);
        return new Registration<>(r, true);
    }

    /** Registers a person now; fails if the email is already registered for the training. */
    public Registrant addRegistrant(long trainingKey, String givenName, String surname, String email) {
        Registration<Registrant> r = register(trainingKey, givenName, surname, email, state.now());
        if (!r.created()) {
            throw new IllegalStateException(email + " is already registered for training " + trainingKey);
        }
        return r.registrant();
    }

    /** Cancels a registration; the person may register again. */
    public synchronized void cancelRegistrant(long registrantKey) {
        Registrant r = registrant(registrantKey).orElseThrow(() -> new NoSuchElementException("no registrant " + registrantKey));
        registrants.put(registrantKey, new Registrant(r.key(), r.trainingKey(), r.givenName(), r.surname(), r.email(),
                r.status(), r.registrationDate(), r.joinUrl(), r.confirmationUrl(), true));
    }

    /** The registrants still registered for a training, in registration order. */
    public synchronized List<Registrant> registrants(long trainingKey) {
        return registrants.values().stream().filter(r -> r.trainingKey() == trainingKey && !r.cancelled())
                .sorted(Comparator.comparing(Registrant::registrationDate)).toList();
    }

    public synchronized Optional<Registrant> registrant(long registrantKey) {
        return Optional.ofNullable(registrants.get(registrantKey));
    }

    public Session addSession(long trainingKey, TimeRange time) {
        training(trainingKey).orElseThrow(() -> new NoSuchElementException("no training " + trainingKey));
        return sessions.add(trainingKey, time);
    }

    public Attendance recordAttendance(long sessionKey, long registrantKey, TimeRange... segments) {
        registrant(registrantKey).orElseThrow(() -> new NoSuchElementException("no registrant " + registrantKey));
        return sessions.attend(sessionKey, registrantKey, List.of(segments));
    }

    public List<Session> sessions(long trainingKey) {
        return sessions.of(trainingKey);
    }

    public List<Session> sessions() {
        return sessions.all();
    }

    public Optional<Session> session(long sessionKey) {
        return sessions.session(sessionKey);
    }

    public List<Attendance> attendance(long sessionKey) {
        return sessions.attendance(sessionKey);
    }
}
