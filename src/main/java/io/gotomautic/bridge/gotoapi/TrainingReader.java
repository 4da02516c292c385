package io.gotomautic.bridge.gotoapi;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.sync.EventRef;
import io.gotomautic.bridge.sync.EventSnapshot;
import io.gotomautic.bridge.sync.EventSnapshot.Participant;
import io.gotomautic.bridge.sync.EventSnapshot.Session;
import io.gotomautic.bridge.sync.EventSnapshot.Standing;
import io.gotomautic.bridge.sync.KnownEvents;

/**
 * GoToTraining v1's answers, as the training pull route hands them over. Its training list has no paging and no
 * date filter and drops a training once its last time has passed, which is exactly when attendance and no-shows
 * become final. So the trainings the database knows and has not settled are synced too, and the reports API
 * (completed sessions in a date range) finds the ones never listed, e.g. created and held between two polls.
 *
 * <p>Report sessions name their training only by {@code trainingName}, never by key, so such a training is
 * keyed by its first session ({@value #BY_REPORT} + sessionKey) and its people come from the session reports,
 * which list every registrant (absentees with 0 minutes) but no registrant key or join link.
 */
public class TrainingReader {

    public static final String BY_REPORT = "report-session-";

    /** Fields of a registrant the change carries otherwise: not part of their detail. */
    private static final Set<String> LISTED = Set.of("email", "givenName", "surname", "registrantKey", "joinUrl", "status",
            "registrationDate");

    private final KnownEvents known;
    private final BooleanSupplier details;

    /**
     * @param details whether a {@code bridge.mautic.map} names a GoTo field now: GoToTraining's listing has every
     *                field of its registrants, so their detail is taken from it, with no call per registrant
     */
    public TrainingReader(KnownEvents known, BooleanSupplier details) {
        this.known = known;
        this.details = details;
    }

    /**
     * @param trainings       {@code goto:training/listTrainings}
     * @param reportSessions  {@code goto:training/listSessionsByDate} over the window
     */
    public List<EventRef> events(Object trainings, Object reportSessions, Instant from, Instant to) {
        Map<String, EventRef> listed = new LinkedHashMap<>();
        for (JsonNode training : GoToJson.tree(trainings)) {
            GoToTime.Span span = GoToTime.span(training.path("times"), "startDate", "endDate");
            String key = training.path("trainingKey").asText();
            listed.put(key, new EventRef(key, training.path("name").asText(), span.start(), span.end()));
        }
        for (EventRef t : known.unsettled("training", from, to)) {
            listed.putIfAbsent(t.key(), t);
        }
        List<EventRef> events = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (EventRef t : listed.values()) {
            names.add(t.title());
            if (!t.startsAt().isAfter(to) && !t.endsAt().isBefore(from)) {
                events.add(t);
            }
        }
        // completed sessions of trainings never listed, one event per training name
        Map<String, List<Session>> unlisted = new LinkedHashMap<>();
        for (JsonNode s : GoToJson.tree(reportSessions)) {
            if (!names.contains(s.path("trainingName").asText())) {
                unlisted.computeIfAbsent(s.path("trainingName").asText(), n -> new ArrayList<>()).add(session(s));
            }
        }
        unlisted.forEach((name, held) -> {
            Session first = held.stream().min(Comparator.comparing(Session::start)).orElseThrow();
            Instant end = held.stream().map(Session::end).max(Instant::compareTo).orElseThrow();
            events.add(new EventRef(BY_REPORT + first.key(), name, first.start(), end));
        });
        return events;
    }

    public void registrants(EventSnapshot.Builder snapshot, Object registrants) {
        boolean details = this.details.getAsBoolean();
        for (JsonNode r : GoToJson.tree(registrants)) {
            snapshot.put(new Participant(r.path("email").asText(), r.path("givenName").asText(null),
                    r.path("surname").asText(null), r.path("registrantKey").asText(), r.path("joinUrl").asText(null),
                    WebinarReader.standing(r), new LinkedHashMap<>()));
            if (details) {
                snapshot.details(r.path("email").asText(), new EventSnapshot.Details(WebinarReader.fields(r, LISTED), List.of()));
            }
        }
    }

    /** The held sessions of a listed training ({@code goto:training/listSessions}). */
    public void sessions(EventSnapshot.Builder snapshot, Object sessions) {
        for (JsonNode s : GoToJson.tree(sessions)) {
            snapshot.session(session(s));
        }
    }

    /**
     * The sessions of a training known only from the reports: those of the range named like it. It is no longer
     * scheduled, so none of its times is ahead.
     */
    public void reportSessions(EventSnapshot.Builder snapshot, Object sessionsByDate) {
        for (JsonNode s : GoToJson.tree(sessionsByDate)) {
            if (s.path("trainingName").asText().equals(snapshot.event().title())) {
                snapshot.session(session(s));
            }
        }
        snapshot.ended(true);
    }

    /** One session's attendance report ({@code goto:training/listAttendees}); minutes in the session. */
    public void attendees(EventSnapshot.Builder snapshot, String sessionKey, Object attendees) {
        boolean fromReport = snapshot.event().key().startsWith(BY_REPORT);
        for (JsonNode a : GoToJson.tree(attendees)) {
            String email = a.path("email").asText("");
            long seconds = a.path("timeInSession").asLong() * 60;
            Participant p = email.isBlank() ? null : snapshot.person(email);
            // Without the registrant list the report is it: everyone there is registered. With it, someone
            // the report adds (registered once, since cancelled) only matters with time in the session.
            if (p == null && !email.isBlank() && (fromReport || seconds > 0)) {
                p = snapshot.add(new Participant(email, a.path("givenName").asText(null), a.path("surname").asText(null), null,
                        null, fromReport ? Standing.REGISTERED : Standing.PRESENT, new LinkedHashMap<>()));
            }
            if (p != null && seconds > 0) {
                p.secondsBySession().merge(sessionKey, seconds, Long::sum);
            }
        }
    }

    private static Session session(JsonNode s) {
        return new Session(s.path("sessionKey").asText(), GoToTime.parse(s.path("sessionStartTime").asText()),
                GoToTime.parse(s.path("sessionEndTime").asText()));
    }
}
