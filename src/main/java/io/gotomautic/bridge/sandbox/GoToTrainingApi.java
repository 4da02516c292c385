package io.gotomautic.bridge.sandbox;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.gotomautic.bridge.sandbox.GoToState.Attendance;
import io.gotomautic.bridge.sandbox.GoToState.Organizer;
import io.gotomautic.bridge.sandbox.GoToState.Registration;
import io.gotomautic.bridge.sandbox.GoToState.Session;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToTrainings.Registrant;
import io.gotomautic.bridge.sandbox.GoToTrainings.Training;

/**
 * GoToTraining REST v1: no paging anywhere, keys as strings, people as givenName/surname and times as
 * startDate/endDate — unlike GoToWebinar.
 */
final class GoToTrainingApi {

    static final String BASE = "/G2T/rest";
    private static final String TRAINING = BASE + "/organizers/{organizerKey}/trainings/{trainingKey}";
    private static final String REPORTS = BASE + "/reports/organizers/{organizerKey}";

    void routes(SimServer server, GoToIdentity identity) {
        server.route("GET", BASE + "/organizers/{organizerKey}/trainings", identity.guard(this::trainings))
                .route("GET", TRAINING, identity.guard(this::training))
                .route("GET", TRAINING + "/registrants", identity.guard(this::registrants))
                .route("POST", TRAINING + "/registrants", identity.guard(this::register))
                .route("GET", TRAINING + "/registrants/{registrantKey}", identity.guard(this::registrant))
                .route("DELETE", TRAINING + "/registrants/{registrantKey}", identity.guard(this::cancelRegistrant))
                .route("POST", REPORTS + "/sessions", identity.guard(this::sessionsInRange))
                .route("GET", REPORTS + "/trainings/{trainingKey}", identity.guard(this::sessionsOfTraining))
                .route("GET", REPORTS + "/sessions/{sessionKey}/attendees", identity.guard(this::attendees))
                .route("GET", BASE + "/trainings/{trainingKey}/start", identity.guard(this::start));
    }

    /** Only trainings still to come or under way; completed ones drop out of this list. */
    private SimResponse trainings(SimRequest req, GoToState state) {
        ArrayNode body = GoToWire.array();
        state.trainings().all().stream().filter(t -> t.end().isAfter(state.now())).map(t -> training(t, state))
                .forEach(body::add);
        return SimResponse.json(200, body);
    }

    private SimResponse training(SimRequest req, GoToState state) {
        return SimResponse.json(200, training(trainingOf(req, state), state));
    }

    private SimResponse registrants(SimRequest req, GoToState state) {
        ArrayNode body = GoToWire.array();
        state.trainings().registrants(trainingOf(req, state).key()).stream().map(GoToTrainingApi::registrant).forEach(body::add);
        return SimResponse.json(200, body);
    }

    private SimResponse register(SimRequest req, GoToState state) {
        Training t = trainingOf(req, state);
        JsonNode json = req.json();
        Registration<Registrant> r = state.trainings().register(t.key(), GoToWire.requiredText(json, "givenName"),
                GoToWire.requiredText(json, "surname"), GoToWire.requiredText(json, "email"), state.now());
        Registrant registrant = r.registrant();
        if (!r.created()) {
            // The one G2T error body confirmed from a real payload: incident and registrantKey as numbers.
            throw new SimError(409, "DuplicateRegistrant", GoToWire.object().put("errorCode", "DuplicateRegistrant")
                    .put("description", "Registration failed, email address already in use.")
                    .put("incident", GoToWire.incident()).put("registrantKey", registrant.key()));
        }
        return SimResponse.json(201, GoToWire.object().put("joinUrl", registrant.joinUrl())
                .put("confirmationUrl", registrant.confirmationUrl()).put("registrantKey", String.valueOf(registrant.key())));
    }

    private SimResponse registrant(SimRequest req, GoToState state) {
        return SimResponse.json(200, registrant(registrantOf(req, trainingOf(req, state), state)));
    }

    private SimResponse cancelRegistrant(SimRequest req, GoToState state) {
        state.trainings().cancelRegistrant(registrantOf(req, trainingOf(req, state), state).key());
        return SimResponse.empty(204);
    }

    /** Completed sessions in a date range; a POST because the range comes as a JSON body. */
    private SimResponse sessionsInRange(SimRequest req, GoToState state) {
        JsonNode json = req.json();
        TimeRange range = GoToWire.requiredRange(
                GoToWire.parseTime(GoToWire.requiredText(json, "startDate"), "startDate"),
                GoToWire.parseTime(GoToWire.requiredText(json, "endDate"), "endDate"));
        return sessions(state.trainings().sessions().stream()
                .filter(s -> s.time().overlaps(range.start(), range.end())).toList(), state);
    }

    private SimResponse sessionsOfTraining(SimRequest req, GoToState state) {
        return sessions(state.trainings().sessions(trainingOf(req, state).key()), state);
    }

    private static SimResponse sessions(List<Session> sessions, GoToState state) {
        ArrayNode body = GoToWire.array();
        for (Session s : sessions) {
            Training t = state.trainings().training(s.eventKey()).orElseThrow();
            ObjectNode node = body.addObject().put("sessionKey", String.valueOf(s.key())).put("trainingName", t.name())
                    .put("sessionStartTime", GoToWire.time(s.time().start()))
                    .put("sessionEndTime", GoToWire.time(s.time().end()))
                    .put("attendanceCount", state.trainings().attendance(s.key()).size())
                    .put("duration", s.time().length().toMinutes());
            node.putArray("organizers").add(organizerNode(state));
        }
        return SimResponse.json(200, body);
    }

    /** Everyone registered: attendees with their minutes, then the no-shows at the bottom with 0. */
    private SimResponse attendees(SimRequest req, GoToState state) {
        Session s = state.trainings().session(GoToWire.key(req, "sessionKey"))
                .orElseThrow(() -> GoToWire.error(404, "NoSuchSession", "Session not found"));
        ArrayNode body = GoToWire.array();
        Set<Long> attended = new HashSet<>();
        for (Attendance a : state.trainings().attendance(s.key())) {
            Registrant r = state.trainings().registrant(a.registrantKey()).orElseThrow();
            attended.add(r.key());
            ObjectNode node = person(body.addObject(), r).put("timeInSession", minutes(a.seconds()));
            ArrayNode parts = node.putArray("inSessionTimes");
            a.segments().stream().sorted(Comparator.comparing(TimeRange::start)).forEach(seg -> parts.addObject()
                    .put("joinTime", GoToWire.time(seg.start())).put("leaveTime", GoToWire.time(seg.end()))
                    .put("timeInPartOfSession", minutes(seg.length().toSeconds())));
        }
        state.trainings().registrants(s.eventKey()).stream().filter(r -> !attended.contains(r.key()))
                .forEach(r -> person(body.addObject(), r).put("timeInSession", 0).putArray("inSessionTimes"));
        return SimResponse.json(200, body);
    }

    private SimResponse start(SimRequest req, GoToState state) {
        Training t = state.trainings().training(GoToWire.key(req, "trainingKey"))
                .orElseThrow(() -> GoToWire.error(404, "NoSuchTraining", "Training not found"));
        return SimResponse.json(200, GoToWire.object().put("hostURL",
                "https://global.gototraining.com/start/training/" + t.key() + "?authToken=" + state.newToken()));
    }

    private static ObjectNode training(Training t, GoToState state) {
        ObjectNode node = GoToWire.object().put("trainingKey", String.valueOf(t.key())).put("trainingId", t.trainingId())
                .put("name", t.name()).put("description", t.description()).put("timeZone", t.timeZone());
        node.set("times", GoToWire.times(t.times(), "startDate", "endDate"));
        node.putArray("organizers").add(organizerNode(state));
        node.putObject("registrationSettings").put("disableConfirmationEmail", false).put("disableWebRegistration", false);
        return node;
    }

    private static ObjectNode organizerNode(GoToState state) {
        Organizer o = state.organizer();
        return GoToWire.object().put("organizerKey", String.valueOf(o.key())).put("email", o.email())
                .put("givenName", o.firstName()).put("surname", o.lastName());
    }

    private static ObjectNode registrant(Registrant r) {
        return person(GoToWire.object(), r).put("status", r.status().name())
                .put("registrationDate", GoToWire.time(r.registrationDate())).put("joinUrl", r.joinUrl())
                .put("confirmationUrl", r.confirmationUrl()).put("registrantKey", String.valueOf(r.key()));
    }

    private static ObjectNode person(ObjectNode node, Registrant r) {
        return node.put("givenName", r.givenName()).put("surname", r.surname()).put("email", r.email());
    }

    private static long minutes(long seconds) {
        return Math.round(seconds / 60.0);
    }

    private static Training trainingOf(SimRequest req, GoToState state) {
        return state.trainings().training(GoToWire.key(req, "trainingKey"))
                .orElseThrow(() -> GoToWire.error(404, "NoSuchTraining", "Training not found"));
    }

    private static Registrant registrantOf(SimRequest req, Training t, GoToState state) {
        return state.trainings().registrant(GoToWire.key(req, "registrantKey"))
                .filter(r -> r.trainingKey() == t.key() && !r.cancelled())
                .orElseThrow(() -> GoToWire.error(404, "NoSuchRegistrant", "Registrant not found"));
    }
}
