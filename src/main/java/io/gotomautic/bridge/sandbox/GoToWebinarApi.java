package io.gotomautic.bridge.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.gotomautic.bridge.sandbox.GoToState.Attendance;
import io.gotomautic.bridge.sandbox.GoToState.Organizer;
import io.gotomautic.bridge.sandbox.GoToState.Registration;
import io.gotomautic.bridge.sandbox.GoToState.Session;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars.NewRegistrant;
import io.gotomautic.bridge.sandbox.GoToWebinars.Question;
import io.gotomautic.bridge.sandbox.GoToWebinars.Registrant;
import io.gotomautic.bridge.sandbox.GoToWebinars.Response;
import io.gotomautic.bridge.sandbox.GoToWebinars.Webinar;

/**
 * GoToWebinar REST v2 as the contract describes it. Keys are JSON strings or numbers exactly where GoTo's
 * schemas put them (list {@code webinarKey} a string, GET-one keys numbers), so clients meet the same mix.
 */
final class GoToWebinarApi {

    static final String BASE = "/G2W/rest/v2";
    private static final String ORGANIZER = BASE + "/organizers/{organizerKey}";
    private static final String WEBINAR = ORGANIZER + "/webinars/{webinarKey}";
    /** The older "version" of the registrant API, which honours only names and email. */
    private static final String V1_1_MEDIA_TYPE = "application/vnd.citrix.g2wapi-v1.1+json";
    /** Registrant fields beyond the names and email that a create may carry and GET one returns. */
    private static final List<String> DETAIL_FIELDS = List.of("source", "address", "city", "state", "zipCode", "country",
            "phone", "organization", "jobTitle", "questionsAndComments", "industry", "numberOfEmployees",
            "purchasingTimeFrame", "purchasingRole", "implementationTimeFrame", "employeeCount");
    /** Standard registration fields with the choices GoTo offers for the multiple-choice ones. */
    private static final Map<String, List<String>> STANDARD_FIELDS = standardFields();

    private volatile boolean omitEmptyEmbedded = true;
    private volatile boolean duplicateRegistrantDetails = true;

    void omitEmptyEmbedded(boolean omit) {
        this.omitEmptyEmbedded = omit;
    }

    void duplicateRegistrantDetails(boolean withDetails) {
        this.duplicateRegistrantDetails = withDetails;
    }

    void routes(SimServer server, GoToIdentity identity) {
        server.route("GET", BASE + "/accounts/{accountKey}/webinars", identity.guard(this::accountWebinars))
                .route("GET", ORGANIZER + "/webinars", identity.guard(this::webinarsInRange))
                .route("GET", WEBINAR, identity.guard(this::webinar))
                .route("GET", WEBINAR + "/registrants/fields", identity.guard(this::registrationFields))
                .route("GET", WEBINAR + "/registrants", identity.guard(this::registrants))
                .route("POST", WEBINAR + "/registrants", identity.guard(this::register))
                .route("GET", WEBINAR + "/registrants/{registrantKey}", identity.guard(this::registrant))
                .route("DELETE", WEBINAR + "/registrants/{registrantKey}", identity.guard(this::deleteRegistrant))
                .route("GET", ORGANIZER + "/sessions", identity.guard(this::organizerSessions))
                .route("GET", WEBINAR + "/sessions", identity.guard(this::webinarSessions))
                .route("GET", WEBINAR + "/sessions/{sessionKey}/attendees", identity.guard(this::sessionAttendees))
                .route("GET", WEBINAR + "/attendees", identity.guard(this::webinarAttendees));
    }

    private SimResponse accountWebinars(SimRequest req, GoToState state) {
        if (GoToWire.key(req, "accountKey") != state.organizer().accountKey()) {
            throw GoToWire.notFound("Account not found");
        }
        return webinarsInRange(req, state);
    }

    private SimResponse webinarsInRange(SimRequest req, GoToState state) {
        TimeRange range = GoToWire.requiredRange(req, "fromTime", "toTime");
        GoToWire.Page page = GoToWire.page(req, "size", GoToWire.DEFAULT_PAGE_SIZE);
        List<ObjectNode> items = state.webinars().all().stream()
                .filter(w -> !w.cancelled() && w.overlaps(range.start(), range.end()))
                .map(w -> webinarSummary(w, state)).toList();
        return SimResponse.json(200, GoToWire.embeddedPage("webinars", items, page, omitEmptyEmbedded));
    }

    private SimResponse webinar(SimRequest req, GoToState state) {
        Webinar w = webinarOf(req, state);
        Organizer o = state.organizer();
        ObjectNode body = GoToWire.object()
                .put("webinarKey", w.key())
                .put("webinarID", w.webinarId())
                .put("subject", w.subject())
                .put("description", w.description())
                .put("organizerKey", o.key())
                .put("organizerEmail", o.email())
                .put("organizerName", o.name());
        body.set("times", GoToWire.times(w.times(), "startTime", "endTime"));
        Instant now = state.now();
        body.put("registrationUrl", registrationUrl(w))
                .put("inSession", w.times().stream().anyMatch(t -> t.overlaps(now, now)))
                .put("impromptu", false)
                .put("type", w.recurrenceType())
                .put("timeZone", w.timeZone())
                .put("numberOfRegistrants", state.webinars().registrants(w.key()).size())
                .put("registrationLimit", 1000)
                .put("locale", "en_US")
                .put("accountKey", String.valueOf(o.accountKey()))
                .put("recurrencePeriod", recurrencePeriod(w))
                .put("experienceType", "CLASSIC")
                .put("isPasswordProtected", false);
        return SimResponse.json(200, body);
    }

    private SimResponse registrationFields(SimRequest req, GoToState state) {
        Webinar w = webinarOf(req, state);
        ObjectNode body = GoToWire.object();
        ArrayNode fields = body.putArray("fields");
        STANDARD_FIELDS.forEach((field, answers) -> {
            ObjectNode f = fields.addObject().put("field", field)
                    .put("required", List.of("firstName", "lastName", "email").contains(field)).put("maxSize", 128);
            answers.forEach(f.putArray("answers")::add);
        });
        ArrayNode questions = body.putArray("questions");
        for (Question q : w.questions()) {
            ObjectNode node = questions.addObject().put("questionKey", q.questionKey()).put("question", q.question())
                    .put("required", q.required()).put("type", q.type()).put("maxSize", 256);
            ArrayNode answers = node.putArray("answers");
            q.answers().forEach(a -> answers.addObject().put("answerKey", a.answerKey()).put("answer", a.answer()));
        }
        return SimResponse.json(200, body);
    }

    /** A bare array unless the client asks for a page; then the {data,total,page,limit,pageSize} form. */
    private SimResponse registrants(SimRequest req, GoToState state) {
        Webinar w = webinarOf(req, state);
        List<ObjectNode> all = state.webinars().listed(w.key()).stream().map(this::registrantSummary).toList();
        if (req.query("page").isEmpty() && req.query("limit").isEmpty()) {
            return SimResponse.json(200, GoToWire.array().addAll(all));
        }
        GoToWire.Page page = GoToWire.page(req, "limit", GoToWire.MAX_PAGE_SIZE);
        List<ObjectNode> data = page.slice(all);
        ObjectNode body = GoToWire.object();
        body.putArray("data").addAll(data);
        body.put("total", all.size()).put("page", page.number()).put("limit", page.size()).put("pageSize", data.size());
        return SimResponse.json(200, body);
    }

    private SimResponse register(SimRequest req, GoToState state) {
        Webinar w = webinarOf(req, state);
        JsonNode json = req.json();
        String firstName = GoToWire.requiredText(json, "firstName");
        String lastName = GoToWire.requiredText(json, "lastName");
        String email = GoToWire.requiredText(json, "email");
        if (!email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw GoToWire.badRequest("Field 'email' is not a valid email address: " + email);
        }
        // The v1.1 media type honours only names and email, so custom questions cannot be answered through it.
        boolean basicOnly = req.header("Accept").map(a -> a.contains(V1_1_MEDIA_TYPE)).orElse(false);
        Map<String, String> details = new LinkedHashMap<>();
        List<Response> responses = List.of();
        if (!basicOnly) {
            DETAIL_FIELDS.forEach(f -> Optional.ofNullable(GoToWire.optionalText(json, f)).ifPresent(v -> details.put(f, v)));
            responses = responses(w, json.path("responses"));
        }
        Registration<Registrant> r = state.webinars().register(w.key(),
                new NewRegistrant(firstName, lastName, email, state.now(), details, responses));
        Registrant registrant = r.registrant();
        if (!r.created()) {
            throw duplicate(registrant);
        }
        return SimResponse.json(201, GoToWire.object().put("registrantKey", registrant.key())
                .put("joinUrl", registrant.joinUrl()).put("status", registrant.status().name()).put("asset", true));
    }

    /** The contract's best guess at GoTo's 409 body, optionally without the registrant's key and link. */
    private SimError duplicate(Registrant existing) {
        ObjectNode body = GoToWire.object().put("errorCode", "DuplicateRegistrant")
                .put("description", "The requested registrant is already registered.")
                .put("incident", String.valueOf(GoToWire.incident()));
        if (duplicateRegistrantDetails) {
            body.put("registrantKey", existing.key()).put("joinUrl", existing.joinUrl());
        }
        return new SimError(409, "The user is already registered", body);
    }

    /** Answers to the webinar's custom questions; every required one must be answered. */
    private static List<Response> responses(Webinar w, JsonNode sent) {
        Map<Long, String> answers = new LinkedHashMap<>();
        for (JsonNode r : sent) {
            long questionKey = r.path("questionKey").asLong();
            Question q = w.questions().stream().filter(x -> x.questionKey() == questionKey).findFirst()
                    .orElseThrow(() -> GoToWire.badRequest("Unknown questionKey " + r.path("questionKey").asText()));
            String answer = r.hasNonNull("answerKey")
                    ? q.answers().stream().filter(a -> a.answerKey() == r.path("answerKey").asLong()).findFirst()
                            .orElseThrow(() -> GoToWire.badRequest("Unknown answerKey " + r.path("answerKey").asText()
                                    + " for question '" + q.question() + "'")).answer()
                    : r.path("responseText").asText("");
            if (!answer.isBlank()) {
                answers.put(questionKey, answer);
            }
        }
        for (Question q : w.questions()) {
            if (q.required() && !answers.containsKey(q.questionKey())) {
                throw GoToWire.badRequest("Required question '" + q.question() + "' (questionKey " + q.questionKey()
                        + ") was not answered");
            }
        }
        List<Response> out = new ArrayList<>();
        answers.forEach((k, v) -> out.add(new Response(k, v)));
        return out;
    }

    private SimResponse registrant(SimRequest req, GoToState state) {
        Webinar w = webinarOf(req, state);
        Registrant r = registrantOf(req, w, state);
        ObjectNode body = registrantSummary(r);
        DETAIL_FIELDS.forEach(f -> body.put(f, r.details().getOrDefault(f, "")));
        body.put("type", r.registrationDate().isAfter(w.start()) ? "LATE" : "REGULAR").put("unsubscribed", false);
        ArrayNode responses = body.putArray("responses");
        r.responses().forEach(resp -> responses.addObject().put("question", w.question(resp.questionKey()))
                .put("answer", resp.answer()));
        return SimResponse.json(200, body);
    }

    private SimResponse deleteRegistrant(SimRequest req, GoToState state) {
        Webinar w = webinarOf(req, state);
        Registrant r = registrantOf(req, w, state);
        if (!w.end().isAfter(state.now())) {
            throw GoToWire.badRequest("The webinar must be a scheduled, future webinar");
        }
        state.webinars().cancelRegistrant(r.key());
        return SimResponse.empty(204);
    }

    private SimResponse organizerSessions(SimRequest req, GoToState state) {
        TimeRange range = GoToWire.requiredRange(req, "fromTime", "toTime");
        GoToWire.Page page = GoToWire.page(req, "size", GoToWire.DEFAULT_PAGE_SIZE);
        List<ObjectNode> items = state.webinars().sessions().stream()
                .filter(s -> s.time().overlaps(range.start(), range.end()))
                .flatMap(s -> state.webinars().webinar(s.eventKey()).filter(w -> !w.cancelled())
                        .map(w -> sessionInfo(s, w, state)).stream())
                .toList();
        return SimResponse.json(200, GoToWire.embeddedPage("sessionInfoResources", items, page, omitEmptyEmbedded));
    }

    private SimResponse webinarSessions(SimRequest req, GoToState state) {
        Webinar w = webinarOf(req, state);
        GoToWire.Page page = GoToWire.page(req, "size", GoToWire.DEFAULT_PAGE_SIZE);
        List<ObjectNode> items = state.webinars().sessions(w.key()).stream().map(s -> sessionInfo(s, w, state)).toList();
        return SimResponse.json(200, GoToWire.embeddedPage("sessionInfoResources", items, page, omitEmptyEmbedded));
    }

    /** A bare array, not paged; only people who joined, absentees are left out. */
    private SimResponse sessionAttendees(SimRequest req, GoToState state) {
        Webinar w = webinarOf(req, state);
        long sessionKey = GoToWire.key(req, "sessionKey");
        Session s = state.webinars().session(sessionKey).filter(x -> x.eventKey() == w.key())
                .orElseThrow(() -> GoToWire.notFound("Session not found"));
        return SimResponse.json(200, GoToWire.array().addAll(attendees(s, state)));
    }

    private SimResponse webinarAttendees(SimRequest req, GoToState state) {
        Webinar w = webinarOf(req, state);
        GoToWire.Page page = GoToWire.page(req, "size", GoToWire.DEFAULT_PAGE_SIZE);
        List<ObjectNode> items = state.webinars().sessions(w.key()).stream().flatMap(s -> attendees(s, state).stream()).toList();
        return SimResponse.json(200, GoToWire.embeddedPage("attendeeParticipationResponses", items, page, omitEmptyEmbedded));
    }

    private static List<ObjectNode> attendees(Session s, GoToState state) {
        List<ObjectNode> out = new ArrayList<>();
        for (Attendance a : state.webinars().attendance(s.key())) {
            Registrant r = state.webinars().registrant(a.registrantKey()).orElseThrow();
            ObjectNode node = GoToWire.object().put("registrantKey", r.key()).put("sessionKey", s.key())
                    .put("firstName", r.firstName()).put("lastName", r.lastName()).put("email", r.email())
                    .put("attendanceTimeInSeconds", a.seconds());
            ArrayNode segments = node.putArray("attendance");
            a.segments().stream().sorted(Comparator.comparing(TimeRange::start)).forEach(t -> segments.addObject()
                    .put("joinTime", GoToWire.time(t.start())).put("leaveTime", GoToWire.time(t.end())));
            out.add(node);
        }
        return out;
    }

    private static ObjectNode webinarSummary(Webinar w, GoToState state) {
        Organizer o = state.organizer();
        ObjectNode node = GoToWire.object()
                .put("webinarKey", String.valueOf(w.key()))
                .put("webinarID", w.webinarId())
                .put("organizerKey", String.valueOf(o.key()))
                .put("accountKey", String.valueOf(o.accountKey()))
                .put("subject", w.subject())
                .put("description", w.description());
        node.set("times", GoToWire.times(w.times(), "startTime", "endTime"));
        return node.put("timeZone", w.timeZone())
                .put("locale", "en_US")
                .put("approvalType", w.manualApproval() ? "MANUAL" : "AUTOMATIC")
                .put("registrationUrl", registrationUrl(w))
                .put("impromptu", false)
                .put("isPasswordProtected", false)
                .put("recurrenceType", w.recurrenceType())
                .put("experienceType", "CLASSIC");
    }

    private ObjectNode registrantSummary(Registrant r) {
        return GoToWire.object().put("firstName", r.firstName()).put("lastName", r.lastName()).put("email", r.email())
                .put("registrantKey", r.key()).put("registrationDate", GoToWire.time(r.registrationDate()))
                .put("status", r.status().name()).put("joinUrl", r.joinUrl()).put("timeZone", r.timeZone());
    }

    /** GoTo's reporting session; here its keys are strings. */
    private static ObjectNode sessionInfo(Session s, Webinar w, GoToState state) {
        Organizer o = state.organizer();
        int registrantCount = state.webinars().registrants(w.key()).size();
        return GoToWire.object()
                .put("sessionKey", String.valueOf(s.key()))
                .put("webinarKey", String.valueOf(w.key()))
                .put("webinarName", w.subject())
                .put("startTime", GoToWire.time(s.time().start()))
                .put("endTime", GoToWire.time(s.time().end()))
                .put("registrantsAttended", state.webinars().attendance(s.key()).size())
                .put("registrantCount", registrantCount)
                .put("accountKey", String.valueOf(o.accountKey()))
                .put("creatingOrganizerKey", String.valueOf(o.key()))
                .put("creatingOrganizerName", o.name())
                .put("startingOrganizerKey", String.valueOf(o.key()))
                .put("startingOrganizerName", o.name())
                .put("totalPollCount", 0)
                .put("timeZone", w.timeZone())
                .put("experienceType", "CLASSIC")
                .put("webinarID", w.webinarId())
                .put("webinarType", w.recurrenceType())
                .put("numRegLinkClicks", registrantCount * 3)
                .put("numOpenedInvitations", registrantCount * 2)
                .put("includeCertificate", false)
                .put("followupEmailTriggered", true);
    }

    private static Webinar webinarOf(SimRequest req, GoToState state) {
        return state.webinars().webinar(GoToWire.key(req, "webinarKey")).filter(w -> !w.cancelled())
                .orElseThrow(() -> GoToWire.notFound("Webinar with specified key does not exist"));
    }

    private static Registrant registrantOf(SimRequest req, Webinar w, GoToState state) {
        return state.webinars().registrant(GoToWire.key(req, "registrantKey"))
                .filter(r -> r.webinarKey() == w.key() && !r.cancelled())
                .orElseThrow(() -> GoToWire.notFound("Registrant not found"));
    }

    private static String registrationUrl(Webinar w) {
        return "https://attendee.gotowebinar.com/register/" + w.key();
    }

    /** How often a recurring webinar repeats, read from the gap between its first two times. */
    private static String recurrencePeriod(Webinar w) {
        if (w.times().size() < 2) {
            return "never";
        }
        long days = Duration.between(w.times().get(0).start(), w.times().get(1).start()).toDays();
        return days <= 1 ? "daily" : days <= 7 ? "weekly" : "monthly";
    }

    private static Map<String, List<String>> standardFields() {
        Map<String, List<String>> f = new LinkedHashMap<>();
        for (String plain : List.of("firstName", "lastName", "email", "address", "city", "state", "zipCode", "country",
                "phone", "organization", "jobTitle", "questionsAndComments")) {
            f.put(plain, List.of());
        }
        f.put("industry", List.of("Advertising", "Education", "Finance", "Healthcare", "Technology", "Other"));
        f.put("numberOfEmployees", List.of("1-20", "21-50", "51-100", "101-500", "501-1,000", "1,001-5,000", "5,001+"));
        f.put("purchasingTimeFrame", List.of("Within 1 month", "1-3 months", "4-6 months", "More than 6 months", "No timeframe"));
        f.put("purchasingRole", List.of("Decision Maker", "Evaluator/Recommender", "Influencer", "Not involved"));
        return f;
    }
}
