package io.gotomautic.bridge.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.gotomautic.bridge.sandbox.GoToState.TimeRange;

/** GoToAssist Remote Support's part of the world: screen-sharing sessions between the organizer and customers. */
public final class GoToAssistSessions {

    public enum Status {
        WAITING("waiting"), ACTIVE("active"), COMPLETE("complete"), ABANDONED("abandoned"), NOT_STARTED("notStarted");

        private final String wire;

        Status(String wire) {
            this.wire = wire;
        }

        /** The spelling the API uses. */
        public String wire() {
            return wire;
        }
    }

    /** What POST /sessions may carry besides the session type. */
    public record NewSession(String customerName, String customerEmail, String partnerObject, String partnerObjectUrl,
                             String statusCallbackUrl, String machineUuid) {
    }

    public record Session(long sessionId, String sessionToken, Status status, Instant createdAt, Instant startedAt,
                          Instant customerJoinedAt, Instant endedAt, NewSession request, String customerJoinUrl,
                          String launchUrl, String notes, boolean createdViaApi) {
    }

    private final GoToState state;
    private final Map<Long, Session> sessions = new LinkedHashMap<>();

    GoToAssistSessions(GoToState state) {
        this.state = state;
    }

    /** A session as POST /sessions starts it: waiting for the expert to launch and the customer to join. */
    public synchronized Session create(NewSession request) {
        return put(request, Status.WAITING, state.now(), null, null, null, true, null);
    }

    /** A session that already happened; an abandoned one never had the customer join. */
    public synchronized Session addPast(String customerName, String customerEmail, TimeRange time, Status status,
                                        String notes) {
        NewSession request = new NewSession(customerName, customerEmail, null, null, null, null);
        Instant joined = status == Status.ABANDONED ? null : time.start().plus(Duration.ofSeconds(45));
        return put(request, status, time.start().minus(Duration.ofMinutes(2)), time.start(), joined, time.end(), false,
                notes);
    }

    /** By session id or session token, as the API accepts either. */
    public synchronized Optional<Session> session(String idOrToken) {
        return sessions.values().stream()
                .filter(s -> String.valueOf(s.sessionId()).equals(idOrToken) || s.sessionToken().equals(idOrToken))
                .findFirst();
    }

    /** Every session, oldest first. */
    public synchronized List<Session> all() {
        return sessions.values().stream().sorted(Comparator.comparing(Session::createdAt)).toList();
    }

    /** The sessions clients started through POST /sessions, with their launch and join links. */
    public synchronized List<Session> createdViaApi() {
        return sessions.values().stream().filter(Session::createdViaApi).toList();
    }

    private Session put(NewSession request, Status status, Instant created, Instant started, Instant joined,
                        Instant ended, boolean viaApi, String notes) {
        String token = state.newToken();
        Session s = new Session(state.newKey(), token, status, created, started, joined, ended, request,
                "https://www.fastsupport.com/" + state.newPublicId(), "https://launch.getgo.com/launch.html?token=" + token,
                notes, viaApi);
        sessions.put(s.sessionId(), s);
        return s;
    }
}
