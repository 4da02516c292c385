package io.gotomautic.bridge.sandbox;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.gotomautic.bridge.sandbox.GoToAssistSessions.NewSession;
import io.gotomautic.bridge.sandbox.GoToAssistSessions.Session;
import io.gotomautic.bridge.sandbox.GoToAssistSessions.Status;
import io.gotomautic.bridge.sandbox.GoToState.Organizer;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;

/** GoToAssist Remote Support v1: start a screen-sharing session, list and read sessions. */
final class GoToAssistApi {

    static final String BASE = "/G2A/rest/v1";
    private static final String SCREEN_SHARING = "screen_sharing";

    private volatile boolean createReturnsCustomerJoinUrl = true;

    void createReturnsCustomerJoinUrl(boolean include) {
        this.createReturnsCustomerJoinUrl = include;
    }

    void routes(SimServer server, GoToIdentity identity) {
        server.route("POST", BASE + "/sessions", identity.guard(this::create))
                .route("GET", BASE + "/sessions", identity.guard(this::sessions))
                .route("GET", BASE + "/sessions/{sessionId}", identity.guard(this::session));
    }

    /** The expert's launch link and the customer's join link; whether GoTo sends the latter here is unsure. */
    private SimResponse create(SimRequest req, GoToState state) {
        JsonNode json = req.json();
        sessionType(GoToWire.requiredText(json, "sessionType"));
        Session s = state.assistSessions().create(new NewSession(GoToWire.optionalText(json, "customerName"),
                GoToWire.optionalText(json, "customerEmail"), GoToWire.optionalText(json, "partnerObject"),
                GoToWire.optionalText(json, "partnerObjectUrl"), GoToWire.optionalText(json, "sessionStatusCallbackUrl"),
                GoToWire.optionalText(json, "machineUuid")));
        ObjectNode body = GoToWire.object().put("sessionToken", s.sessionToken());
        body.putObject("startScreenSharing").put("launchUrl", s.launchUrl());
        if (createReturnsCustomerJoinUrl) {
            body.put("customerJoinUrl", s.customerJoinUrl());
        }
        return SimResponse.json(200, body);
    }

    private SimResponse sessions(SimRequest req, GoToState state) {
        sessionType(req.query("sessionType").orElseThrow(() -> GoToWire.badRequest("Required parameter 'sessionType' is missing")));
        TimeRange range = GoToWire.requiredRange(req, "fromTime", "toTime");
        List<Session> matching = state.assistSessions().all().stream()
                .filter(s -> !s.createdAt().isBefore(range.start()) && !s.createdAt().isAfter(range.end())).toList();
        ObjectNode body = GoToWire.object().put("totalNumSessions", matching.size());
        ArrayNode list = body.putArray("sessions");
        matching.forEach(s -> list.add(record(s, state).put("sessionStartToken", s.sessionToken())));
        return SimResponse.json(200, body);
    }

    private SimResponse session(SimRequest req, GoToState state) {
        return SimResponse.json(200, record(state.assistSessions().session(req.param("sessionId"))
                .orElseThrow(() -> GoToWire.notFound("Session not found")), state));
    }

    private static ObjectNode record(Session s, GoToState state) {
        Organizer o = state.organizer();
        NewSession r = s.request();
        ObjectNode node = GoToWire.object().put("sessionId", String.valueOf(s.sessionId())).put("sessionType", SCREEN_SHARING)
                .put("status", s.status().wire()).put("accountKey", String.valueOf(o.accountKey()))
                .put("expertName", o.name()).put("expertEmail", o.email()).put("expertUserKey", String.valueOf(o.key()))
                .put("partnerObject", r.partnerObject()).put("partnerObjectUrl", r.partnerObjectUrl())
                .put("startedAt", GoToWire.time(s.startedAt())).put("customerJoinedAt", GoToWire.time(s.customerJoinedAt()))
                .put("endedAt", GoToWire.time(s.endedAt())).put("customerName", r.customerName())
                .put("customerEmail", r.customerEmail()).put("customerJoinUrl", s.customerJoinUrl())
                .put("notes", s.notes())
                .put("sessionRecordingUrl", s.status() == Status.COMPLETE
                        ? "https://recordings.gotoassist.com/" + s.sessionId() : null);
        node.putArray("collaborators");
        return node.put("unattendedMachineName", r.machineUuid() == null ? null : "Unattended " + r.machineUuid())
                .put("unattendedMachineUuid", r.machineUuid()).put("accountName", o.lastName() + " Support");
    }

    private static void sessionType(String type) {
        if (!SCREEN_SHARING.equals(type)) {
            throw GoToWire.badRequest("Unsupported sessionType '" + type + "'; only screen_sharing exists");
        }
    }
}
