package io.gotomautic.bridge.gotoapi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.sync.EventSnapshot;
import io.gotomautic.bridge.sync.EventSnapshot.Participant;
import io.gotomautic.bridge.sync.EventSnapshot.Session;
import io.gotomautic.bridge.sync.EventSnapshot.Standing;
import io.gotomautic.bridge.sync.EventSource;
import io.gotomautic.bridge.sync.KnownEvents;

/**
 * GoToTraining v1. Its training list has no paging and no date filter and drops a training once its last
 * time has passed, which is exactly when attendance and no-shows become final. So the trainings the database
 * knows and has not settled are synced too, and the reports API (completed sessions in a date range) finds
 * the ones never listed, e.g. created and held between two polls.
 *
 * <p>Report sessions name their training only by {@code trainingName}, never by key, so such a training is
 * keyed by its first session ({@value #BY_REPORT} + sessionKey) and its people come from the session reports,
 * which list every registrant (absentees with 0 minutes) but no registrant key or join link.
 */
public class TrainingSource implements EventSource {

    static final String BASE = "/G2T/rest/organizers/";
    static final String REPORTS = "/G2T/rest/reports/organizers/";
    static final String BY_REPORT = "report-session-";

    private final GoToClient client;
    private final KnownEvents known;

    public TrainingSource(GoToClient client, KnownEvents known) {
        this.client = client;
        this.known = known;
    }

    @Override
    public String product() {
        return "training";
    }

    @Override
    public List<EventRef> events(Instant from, Instant to) {
        Map<String, EventRef> listed = new LinkedHashMap<>();
        for (JsonNode training : client.get(BASE + client.organizer().key() + "/trainings")) {
            GoToTime.Span span = GoToTime.span(training.path("times"), "startDate", "endDate");
            String key = training.path("trainingKey").asText();
            listed.put(key, new EventRef(key, training.path("name").asText(), span.start(), span.end()));
        }
        for (EventRef t : known.unsettled(product(), from, to)) {
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
        Map<String, List<JsonNode>> unlisted = new LinkedHashMap<>();
        for (JsonNode s : reportSessions(from, to)) {
            if (!names.contains(s.path("trainingName").asText())) {
                unlisted.computeIfAbsent(s.path("trainingName").asText(), n -> new ArrayList<>()).add(s);
            }
        }
        unlisted.forEach((name, sessions) -> {
            List<Session> held = sessions.stream().map(TrainingSource::session).toList();
            Session first = held.stream().min(Comparator.comparing(Session::start)).orElseThrow();
            Instant end = held.stream().map(Session::end).max(Instant::compareTo).orElseThrow();
            events.add(new EventRef(BY_REPORT + first.key(), name, first.start(), end));
        });
        return events;
    }

    @Override
    public EventSnapshot snapshot(EventRef event, Instant now) {
        boolean fromReport = event.key().startsWith(BY_REPORT);
        Map<String, Participant> people = new LinkedHashMap<>();
        List<JsonNode> held = new ArrayList<>();
        if (fromReport) {
            reportSessions(event.startsAt(), event.endsAt()).stream()
                    .filter(s -> s.path("trainingName").asText().equals(event.title())).forEach(held::add);
        } else {
            registrants(event).forEach(p -> people.put(p.email().toLowerCase(Locale.ROOT), p));
            if (event.startsAt().isBefore(now)) {
                client.get(REPORTS + client.organizer().key() + "/trainings/" + event.key()).forEach(held::add);
            }
        }
        List<Session> sessions = new ArrayList<>();
        for (JsonNode s : held) {
            Session session = session(s);
            sessions.add(session);
            for (JsonNode a : client.get(REPORTS + client.organizer().key() + "/sessions/" + session.key() + "/attendees")) {
                String email = a.path("email").asText("");
                long seconds = a.path("timeInSession").asLong() * 60;
                Participant p = people.get(email.toLowerCase(Locale.ROOT));
                // Without the registrant list the report is it: everyone there is registered. With it, someone
                // the report adds (registered once, since cancelled) only matters with time in the session.
                if (p == null && !email.isBlank() && (fromReport || seconds > 0)) {
                    p = new Participant(email, a.path("givenName").asText(null), a.path("surname").asText(null), null,
                            null, fromReport ? Standing.REGISTERED : Standing.PRESENT, new LinkedHashMap<>());
                    people.put(email.toLowerCase(Locale.ROOT), p);
                }
                if (p != null && seconds > 0) {
                    p.secondsBySession().merge(session.key(), seconds, Long::sum);
                }
            }
        }
        // a training only in the reports is no longer scheduled, so none of its times is ahead
        boolean ended = fromReport || !event.endsAt().isAfter(now);
        return new EventSnapshot(product(), event.key(), event.title(), event.startsAt(), event.endsAt(), sessions,
                List.copyOf(people.values()), ended, now);
    }

    private List<Participant> registrants(EventRef event) {
        JsonNode registrants = client.get(BASE + client.organizer().key() + "/trainings/" + event.key() + "/registrants");
        List<Participant> people = new ArrayList<>();
        for (JsonNode r : registrants) {
            people.add(new Participant(r.path("email").asText(), r.path("givenName").asText(null),
                    r.path("surname").asText(null), r.path("registrantKey").asText(), r.path("joinUrl").asText(null),
                    WebinarSource.standing(r), new LinkedHashMap<>()));
        }
        return people;
    }

    /** Completed sessions in a range; a POST because GoToTraining takes the range as a JSON body. */
    private List<JsonNode> reportSessions(Instant from, Instant to) {
        List<JsonNode> sessions = new ArrayList<>();
        client.post(REPORTS + client.organizer().key() + "/sessions", Map.of(
                "startDate", from.truncatedTo(ChronoUnit.SECONDS).toString(),
                "endDate", to.truncatedTo(ChronoUnit.SECONDS).toString())).forEach(sessions::add);
        return sessions;
    }

    private static Session session(JsonNode s) {
        return new Session(s.path("sessionKey").asText(), GoToTime.parse(s.path("sessionStartTime").asText()),
                GoToTime.parse(s.path("sessionEndTime").asText()));
    }
}
