package io.gotomautic.bridge.sandbox;

import static io.gotomautic.bridge.sandbox.MauticViews.map;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

import io.gotomautic.bridge.sandbox.MauticState.Contact;
import io.gotomautic.bridge.sandbox.MauticState.ContactSave;
import io.gotomautic.bridge.sandbox.MauticState.Email;
import io.gotomautic.bridge.sandbox.MauticState.Field;
import io.gotomautic.bridge.sandbox.MauticState.Rejected;
import io.gotomautic.bridge.sandbox.MauticState.SaveMode;
import io.gotomautic.bridge.sandbox.MauticState.Segment;
import io.gotomautic.bridge.sandbox.MauticViews.ListShape;

/** The {@code /api} endpoints: each parses the request, asks {@link MauticState}, and answers in Mautic's shapes. */
final class MauticRoutes {

    static final String VERSION = "5.1.1";
    static final int BATCH_MAX = 200;
    private static final String BAD_REQUEST = "This is a bad request.";
    private static final Set<String> NOTE_TYPES = Set.of("general", "email", "call", "meeting");
    private static final Set<String> FIELD_TYPES = Set.of("text", "textarea", "email", "tel", "url", "html", "number", "date",
            "datetime", "time", "timezone", "country", "region", "locale", "lookup", "boolean", "select", "multiselect");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MauticAuth auth;
    private final MauticState state;
    private final MauticViews views;
    private final MauticWebhooks webhooks;
    private final MauticContactSearch search;
    private final Supplier<String> siteUrl;
    volatile boolean rejectUnpublishedEmailSends;
    volatile String emailSendFailure;

    MauticRoutes(MauticAuth auth, MauticState state, MauticViews views, MauticWebhooks webhooks, Supplier<String> siteUrl) {
        this.auth = auth;
        this.state = state;
        this.views = views;
        this.webhooks = webhooks;
        this.search = new MauticContactSearch(state);
        this.siteUrl = siteUrl;
    }

    /** Literal paths come before templates of the same length, because the server takes the first match. */
    void register(SimServer s) {
        s.route("POST", "/oauth/v2/token", auth::token);
        s.route("GET", "/oauth/v2/token", auth::token);

        api(s, "GET", "/api/contacts", this::listContacts);
        api(s, "POST", "/api/contacts/new", this::newContact);
        api(s, "POST", "/api/contacts/batch/new", r -> batch(r, "POST /api/contacts/batch/new",
                m -> state.saveContact(null, m, SaveMode.NEW), 201));
        api(s, "PATCH", "/api/contacts/batch/edit", r -> batch(r, "PATCH /api/contacts/batch/edit",
                m -> state.saveContact(batchId(m), m, SaveMode.PATCH), 200));
        api(s, "PUT", "/api/contacts/batch/edit", r -> batch(r, "PUT /api/contacts/batch/edit",
                m -> state.saveContact(batchId(m), m, SaveMode.PUT), 200));
        api(s, "GET", "/api/contacts/{id}", r -> ok(200, map("contact", views.contact(contact(r), false))));
        api(s, "PATCH", "/api/contacts/{id}/edit", r -> editContact(r, SaveMode.PATCH));
        api(s, "PUT", "/api/contacts/{id}/edit", r -> editContact(r, SaveMode.PUT));
        api(s, "GET", "/api/contacts/{id}/segments", this::contactSegments);
        api(s, "GET", "/api/contacts/{id}/notes", this::contactNotes);
        api(s, "GET", "/api/contacts/{id}/activity", this::contactActivity);
        api(s, "POST", "/api/contacts/{id}/utm/add", this::addUtm);
        api(s, "POST", "/api/contacts/{id}/points/{op}/{delta}", this::adjustPoints);
        api(s, "POST", "/api/notes/new", this::newNote);

        api(s, "GET", "/api/segments", r -> list(r, "lists", state.segments().stream().filter(x -> published(r, x.published()))
                .map(views::segment).toList(), ListShape.KEYED));
        api(s, "POST", "/api/segments/new", this::newSegment);
        api(s, "GET", "/api/segments/{id}", r -> ok(200, map("list", views.segment(state.segment(id(r, "id"))
                .orElseThrow(MauticRoutes::notFound)))));
        api(s, "PATCH", "/api/segments/{id}/edit", this::editSegment);
        api(s, "POST", "/api/segments/{id}/contact/{contactId}/add", r -> segmentMembership(r, true));
        api(s, "POST", "/api/segments/{id}/contact/{contactId}/remove", r -> segmentMembership(r, false));
        api(s, "POST", "/api/segments/{id}/contacts/add", this::addToSegment);
        api(s, "DELETE", "/api/segments/{id}/delete", r -> ok(200, map("list", views.segment(
                state.segment(id(r, "id")).map(x -> state.deleteSegment(x.id())).orElseThrow(MauticRoutes::notFound)))));

        api(s, "GET", "/api/fields/contact", r -> list(r, "fields", state.fields().stream().map(views::field).toList(),
                ListShape.KEYED));
        api(s, "POST", "/api/fields/contact/new", this::newField);
        api(s, "GET", "/api/fields/contact/{id}", r -> ok(200, map("field", views.field(state.field(id(r, "id"))
                .orElseThrow(MauticRoutes::notFound)))));
        api(s, "PATCH", "/api/fields/contact/{id}/edit", this::editField);

        api(s, "GET", "/api/campaigns", r -> list(r, "campaigns", state.campaigns().stream()
                .filter(x -> published(r, x.published())).map(views::campaign).toList(), ListShape.KEYED));
        api(s, "GET", "/api/campaigns/{id}", r -> ok(200, map("campaign", views.campaign(state.campaign(id(r, "id"))
                .orElseThrow(MauticRoutes::notFound)))));
        api(s, "POST", "/api/campaigns/{id}/contact/{contactId}/add", r -> {
            state.addToCampaign(id(r, "id"), id(r, "contactId"));
            return ok(200, map("success", 1));
        });
        api(s, "POST", "/api/campaigns/{id}/contact/{contactId}/remove", r -> {
            state.removeFromCampaign(id(r, "id"), id(r, "contactId"));
            return ok(200, map("success", 1));
        });

        api(s, "GET", "/api/emails", r -> list(r, "emails", state.emails().stream().filter(x -> published(r, x.published()))
                .map(views::email).toList(), ListShape.KEYED));
        api(s, "GET", "/api/emails/{id}", r -> ok(200, map("email", views.email(state.email(id(r, "id"))
                .orElseThrow(MauticRoutes::notFound)))));
        api(s, "POST", "/api/emails/{id}/contact/{contactId}/send", this::sendEmail);

        api(s, "GET", "/api/forms", r -> list(r, "forms", state.forms().stream().filter(x -> published(r, x.published()))
                .map(views::form).toList(), ListShape.ARRAY));
        api(s, "GET", "/api/forms/{id}", r -> ok(200, map("form", views.form(state.form(id(r, "id"))
                .orElseThrow(MauticRoutes::notFound)))));
        api(s, "PATCH", "/api/forms/{id}/edit", r -> ok(200, map("form", views.form(state.editForm(id(r, "id"), object(r))))));

        api(s, "GET", "/api/hooks/triggers", r -> {
            Map<String, Object> triggers = new LinkedHashMap<>();
            MauticWebhooks.TRIGGERS.forEach(t -> triggers.put(t, map("label", t, "description", t)));
            return ok(200, map("triggers", triggers));
        });
        api(s, "GET", "/api/hooks", r -> list(r, "hooks", state.hooks().stream().map(MauticViews::hook).toList(), ListShape.KEYED));
        api(s, "POST", "/api/hooks/new", this::newHook);
        api(s, "GET", "/api/hooks/{id}", r -> ok(200, map("hook", MauticViews.hook(state.hook(id(r, "id"))
                .orElseThrow(MauticRoutes::notFound)))));
        api(s, "DELETE", "/api/hooks/{id}/delete", r -> ok(200, map("hook", MauticViews.hook(state.deleteHook(id(r, "id"))
                .orElseThrow(MauticRoutes::notFound)))));
        api(s, "PATCH", "/api/hooks/{id}/edit", this::editHook);

        api(s, "GET", "/api/users/self", r -> ok(200, auth.self()));
        api(s, "POST", "/api/users/{id}/permissioncheck", this::permissionCheck);
    }

    /** What Mautic answers about each permission asked for: granted unless one of the calls it allows is denied. */
    private SimResponse permissionCheck(SimRequest r) {
        if (id(r, "id") != MauticAuth.API_USER_ID) {
            throw notFound();
        }
        Object asked = object(r).get("permissions");
        List<String> permissions = asked instanceof List<?> l ? l.stream().map(String::valueOf).toList()
                : asked == null ? List.of() : List.of(asked.toString());
        if (permissions.isEmpty()) {
            throw new Rejected(400, "permissions is required", "permissions");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        permissions.forEach(p -> answer.put(p, auth.grants(p)));
        return ok(200, answer);
    }

    /** Like Mautic 5.x's PATCH: only the fields sent change. */
    private SimResponse editHook(SimRequest r) {
        MauticState.Hook h = state.hook(id(r, "id")).orElseThrow(MauticRoutes::notFound);
        Map<String, Object> body = object(r);
        List<String> triggers = body.get("triggers") instanceof List<?> t ? t.stream().map(String::valueOf).toList() : h.triggers();
        if (triggers.isEmpty()) {
            throw new Rejected(400, "At least one trigger is required.", "triggers");
        }
        MauticState.Hook edited = state.editHook(new MauticState.Hook(h.id(),
                body.containsKey("name") ? text(body.get("name")) : h.name(),
                body.containsKey("description") ? text(body.get("description")) : h.description(),
                body.containsKey("webhookUrl") ? text(body.get("webhookUrl")) : h.url(),
                body.containsKey("secret") ? text(body.get("secret")) : h.secret(), triggers,
                body.containsKey("eventsOrderbyDir") ? text(body.get("eventsOrderbyDir")) : h.eventsOrderbyDir(),
                body.containsKey("isPublished") ? Boolean.parseBoolean(String.valueOf(body.get("isPublished"))) : h.published()));
        return ok(200, map("hook", MauticViews.hook(edited)));
    }

    /** Mautic's error envelope; batch items use their own shape (see {@link #batch}). */
    static Map<String, Object> errors(int status, String message, Object details) {
        return map("errors", List.of(map("code", status, "message", message, "details", details, "type", null)));
    }

    static SimResponse ok(int status, Object body) {
        return SimResponse.rawJson(status, MauticPhpJson.write(body)).withHeader("Mautic-Version", VERSION);
    }

    private void api(SimServer server, String method, String template, SimServer.Handler handler) {
        server.route(method, template, request -> {
            auth.check(request);
            if (!template.contains("/batch/")) {
                auth.requirePermission(method + " " + template);
            }
            try {
                return handler.handle(request);
            } catch (Rejected r) {
                throw r.field() == null ? new SimError(r.status(), r.getMessage())
                        : new SimError(r.status(), message(r), errors(r.status(), message(r), map(r.field(), List.of(r.getMessage()))));
            }
        });
    }

    // ---- contacts ----

    private SimResponse listContacts(SimRequest r) {
        Map<String, Object> q = nest(r.query());
        List<Contact> found = search.find(q);
        List<Map<String, Object>> items = page(found, q).stream().map(c -> views.contact(c, false)).toList();
        // total is a string: it comes from a raw COUNT
        return ok(200, MauticViews.list("contacts", String.valueOf(found.size()), items, ListShape.KEYED_OBJECT));
    }

    private SimResponse newContact(SimRequest r) {
        ContactSave save = state.saveContact(null, object(r), SaveMode.NEW);
        webhooks.contactSaved(save);
        return contactAnswer(save);
    }

    private SimResponse editContact(SimRequest r, SaveMode mode) {
        long id = id(r, "id");
        ContactSave save = state.saveContact(id, object(r), mode);
        webhooks.contactSaved(save);
        return contactAnswer(save);
    }

    private SimResponse contactAnswer(ContactSave save) {
        SimResponse answer = ok(save.created() ? 201 : 200, map("contact", views.contact(save.contact(), false)));
        return save.created() ? answer.withHeader("Location", siteUrl.get() + "/api/contacts/" + save.contact().id()) : answer;
    }

    /** Every item is saved on its own: a failed item leaves a gap in {@code contacts} and an entry in {@code errors}. */
    /** A batch checks the role's permission per item ({@code checkEntityAccess}): each item refused is a 403 of its own. */
    private SimResponse batch(SimRequest r, String call, Function<Map<String, Object>, ContactSave> save, int status) {
        List<?> items = array(r);
        if (items.size() > BATCH_MAX) {
            throw new SimError(500, "A max of " + BATCH_MAX + " entities are supported at a time.");
        }
        SortedMap<Integer, Object> contacts = new TreeMap<>();
        SortedMap<Integer, Object> failures = new TreeMap<>();
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            try {
                if (!(items.get(i) instanceof Map<?, ?>)) {
                    throw new Rejected(400, BAD_REQUEST);
                }
                if (auth.denies(call)) {
                    throw new Rejected(403, MauticState.ACCESS_DENIED);
                }
                @SuppressWarnings("unchecked")
                ContactSave saved = save.apply((Map<String, Object>) items.get(i));
                webhooks.contactSaved(saved);
                contacts.put(i, views.contact(saved.contact(), false));
                codes.add(saved.created() ? 201 : 200);
            } catch (Rejected e) {
                codes.add(e.status());
                failures.put(i, map("message", message(e), "code", e.status(), "type", "api"));
            }
        }
        Map<String, Object> body = map("contacts", MauticViews.phpArray(contacts), "statusCodes", codes);
        if (!failures.isEmpty()) {
            body.put("errors", MauticViews.phpArray(failures));
        }
        return ok(status, body);
    }

    /** A batch edit item names its contact; a rubbish id is one that does not exist (PATCH 404s, PUT creates). */
    private static Long batchId(Map<String, Object> item) {
        Object id = item.get("id");
        if (id == null) {
            throw new Rejected(400, BAD_REQUEST);
        }
        try {
            return Long.parseLong(id.toString().trim());
        } catch (NumberFormatException e) {
            return -1L;
        }
    }

    private SimResponse contactSegments(SimRequest r) {
        Contact c = contact(r);
        List<Map<String, Object>> lists = state.segmentsOf(c.id()).stream().map(m -> {
            Segment s = state.segment(m.segmentId()).orElseThrow();
            return map("id", s.id(), "name", s.name(), "alias", s.alias(), "isPublished", s.published(),
                    "dateAdded", MauticDates.iso(m.dateAdded()), "manuallyAdded", m.manuallyAdded(), "manuallyRemoved", false);
        }).toList();
        return ok(200, MauticViews.list("lists", lists.size(), lists, ListShape.KEYED));
    }

    private SimResponse contactNotes(SimRequest r) {
        Contact c = contact(r);
        List<Map<String, Object>> notes = state.notes(c.id()).stream().map(views::note).toList();
        return ok(200, MauticViews.list("notes", notes.size(), page(notes, nest(r.query())), ListShape.ARRAY));
    }

    private SimResponse contactActivity(SimRequest r) {
        Contact c = contact(r);
        Map<String, Object> q = nest(r.query());
        Map<?, ?> filters = q.get("filters") instanceof Map<?, ?> f ? f : Map.of();
        List<?> include = filters.get("includeEvents") instanceof List<?> l ? l : List.of();
        List<?> exclude = filters.get("excludeEvents") instanceof List<?> l ? l : List.of();
        java.time.Instant from = filters.get("dateFrom") == null ? java.time.Instant.MIN : MauticDates.parse(filters.get("dateFrom").toString());
        List<Map<String, Object>> events = state.activity(c.id()).stream()
                .filter(a -> include.isEmpty() || include.contains(a.event())).filter(a -> !exclude.contains(a.event()))
                .filter(a -> !a.timestamp().isBefore(from))
                .map(MauticViews::activity).toList();
        int limit = q.get("limit") == null ? 25 : Math.max(1, MauticState.toInt(q.get("limit")));
        int pageNo = q.get("page") == null ? 1 : Math.max(1, MauticState.toInt(q.get("page")));
        List<Map<String, Object>> shown = events.stream().skip((long) (pageNo - 1) * limit).limit(limit).toList();
        Map<String, Object> types = new LinkedHashMap<>();
        state.activity(c.id()).forEach(a -> types.put(a.event(), a.eventType()));
        return ok(200, map("events", shown,
                "filters", map("search", "", "includeEvents", include, "excludeEvents", exclude),
                "order", List.of("timestamp", "DESC"), "types", types.isEmpty() ? List.of() : types,
                "total", events.size(), "page", pageNo, "limit", limit, "maxPages", (events.size() + limit - 1) / limit));
    }

    private SimResponse addUtm(SimRequest r) {
        long id = id(r, "id");
        state.addUtm(id, object(r));
        return ok(200, map("contact", views.contact(state.contact(id).orElseThrow(), false)));
    }

    private SimResponse adjustPoints(SimRequest r) {
        long id = id(r, "id");
        int delta = MauticState.toInt(r.param("delta"));
        Object eventName = object(r).get("eventName");
        ContactSave save = state.adjustPoints(id, r.param("op"), delta, eventName == null ? null : eventName.toString());
        webhooks.contactSaved(save);
        return ok(200, map("success", 1));
    }

    private SimResponse newNote(SimRequest r) {
        Map<String, Object> body = object(r);
        if (blank(body.get("lead"))) {
            throw new Rejected(400, "lead ID is mandatory");
        }
        if (blank(body.get("text"))) {
            throw new Rejected(400, "This value should not be blank.", "text");
        }
        String type = blank(body.get("type")) ? "general" : body.get("type").toString();
        if (!NOTE_TYPES.contains(type)) {
            throw new Rejected(400, "The value you selected is not a valid choice.", "type");
        }
        Instant when = blank(body.get("dateTime")) ? null : MauticDates.parse(body.get("dateTime").toString());
        long lead = (long) MauticState.toInt(body.get("lead"));
        return ok(201, map("note", views.note(state.addNote(lead, body.get("text").toString(), type, when))));
    }

    // ---- segments ----

    private SimResponse newSegment(SimRequest r) {
        Map<String, Object> body = object(r);
        if (blank(body.get("name"))) {
            throw new Rejected(400, "A name is required.", "name");
        }
        boolean published = !body.containsKey("isPublished") || MauticState.truthy(body.get("isPublished"));
        Segment s = state.addSegment(body.get("name").toString(), text(body.get("alias")), text(body.get("description")), published);
        return ok(201, map("list", views.segment(s))).withHeader("Location", siteUrl.get() + "/api/segments/" + s.id());
    }

    /** A partial edit: the name (the alias stays, as Mautic keeps one it has) and whether it is published. */
    private SimResponse editSegment(SimRequest r) {
        long id = state.segment(id(r, "id")).orElseThrow(MauticRoutes::notFound).id();
        Map<String, Object> body = object(r);
        if (body.containsKey("name") && blank(body.get("name"))) {
            throw new Rejected(400, "A name is required.", "name");
        }
        Segment s = state.editSegment(id, body.containsKey("name") ? body.get("name").toString() : null,
                body.containsKey("isPublished") ? MauticState.truthy(body.get("isPublished")) : null);
        return ok(200, map("list", views.segment(s)));
    }

    private SimResponse segmentMembership(SimRequest r, boolean add) {
        long segment = id(r, "id");
        long contact = id(r, "contactId", MauticState.CONTACT_NOT_FOUND);
        if (add) {
            state.addToSegment(segment, contact);
        } else {
            state.removeFromSegment(segment, contact);
        }
        return ok(200, map("success", 1));
    }

    private SimResponse addToSegment(SimRequest r) {
        Segment s = state.segment(id(r, "id")).orElseThrow(MauticRoutes::notFound);
        if (!s.published()) {
            throw new Rejected(403, MauticState.ACCESS_DENIED);
        }
        Object ids = object(r).get("ids");
        if (ids == null) {
            throw new Rejected(400, BAD_REQUEST);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        for (Object id : ids instanceof List<?> l ? l : List.of(ids.toString().split(","))) {
            boolean success;
            try {
                state.addToSegment(s.id(), Long.parseLong(id.toString().trim()));
                success = true;
            } catch (Rejected | NumberFormatException e) {
                success = false;
            }
            details.put(id.toString().trim(), map("success", success));
        }
        return ok(200, map("success", 1, "details", details));
    }

    // ---- custom fields ----

    private SimResponse newField(SimRequest r) {
        Map<String, Object> body = object(r);
        if (blank(body.get("label"))) {
            throw new Rejected(400, "A label is required.", "label");
        }
        String type = blank(body.get("type")) ? "text" : body.get("type").toString();
        if (!FIELD_TYPES.contains(type)) {
            throw new Rejected(400, "The value you selected is not a valid choice.", "type");
        }
        JsonNode properties = SimServer.JSON.valueToTree(body.get("properties"));
        requireProperties(type, properties);
        Field created = state.addField(body.get("label").toString(), text(body.get("alias")), type, text(body.get("group")),
                properties);
        Field f = state.updateField(created.id(), old -> withChanges(old, body));
        return ok(201, map("field", views.field(f))).withHeader("Location", siteUrl.get() + "/api/fields/contact/" + f.id());
    }

    /** PATCH replaces {@code properties} as sent: this is how select options are changed. */
    private SimResponse editField(SimRequest r) {
        Map<String, Object> body = object(r);
        Field f = state.updateField(id(r, "id"), old -> {
            Field changed = withChanges(old, body);
            requireProperties(changed.type(), changed.properties());
            return changed;
        });
        return ok(200, map("field", views.field(f)));
    }

    private static Field withChanges(Field f, Map<String, Object> body) {
        Object unique = body.containsKey("isUniqueIdentifier") ? body.get("isUniqueIdentifier") : body.get("isUniqueIdentifer");
        return new Field(f.id(), body.containsKey("label") ? text(body.get("label")) : f.label(), f.alias(), f.type(),
                body.containsKey("group") ? text(body.get("group")) : f.group(),
                body.containsKey("order") ? MauticState.toInt(body.get("order")) : f.order(),
                body.containsKey("isPublished") ? MauticState.truthy(body.get("isPublished")) : f.published(), f.fixed(),
                body.containsKey("isRequired") ? MauticState.truthy(body.get("isRequired")) : f.required(),
                unique != null ? MauticState.truthy(unique) : f.uniqueIdentifier(),
                body.containsKey("defaultValue") ? text(body.get("defaultValue")) : f.defaultValue(),
                body.containsKey("properties") ? SimServer.JSON.valueToTree(body.get("properties")) : f.properties());
    }

    private static void requireProperties(String type, JsonNode p) {
        boolean needsList = type.equals("select") || type.equals("multiselect");
        if (needsList && (p == null || !p.path("list").isArray() || p.path("list").isEmpty())) {
            throw new Rejected(400, "A list of options is required.");
        }
        if (type.equals("boolean") && (p == null || p.path("yes").asText().isBlank())) {
            throw new Rejected(400, "A 'positive' label is required.");
        }
        if (type.equals("boolean") && p.path("no").asText().isBlank()) {
            throw new Rejected(400, "A 'negative' label is required.");
        }
    }

    // ---- emails, webhooks ----

    private SimResponse sendEmail(SimRequest r) {
        long emailId = id(r, "id");
        long contactId = id(r, "contactId", MauticState.CONTACT_NOT_FOUND);
        Email email = state.email(emailId).orElseThrow(MauticRoutes::notFound);
        if (rejectUnpublishedEmailSends && !email.published()) {
            throw notFound();
        }
        Object tokens = object(r).get("tokens");
        Map<String, ?> given = tokens instanceof Map<?, ?> m ? toStringKeys(m) : Map.of();
        String failure = emailSendFailure;
        state.recordSend(emailId, contactId, given, failure == null);
        return ok(200, failure == null ? map("success", true) : map("success", false, "failed", failure));
    }

    private SimResponse newHook(SimRequest r) {
        Map<String, Object> body = object(r);
        if (blank(body.get("name"))) {
            throw new Rejected(400, "A name is required.", "name");
        }
        if (blank(body.get("webhookUrl"))) {
            throw new Rejected(400, "A valid URL is required.", "webhookUrl");
        }
        if (!(body.get("triggers") instanceof List<?> triggers) || triggers.isEmpty()) {
            throw new Rejected(400, "At least one trigger is required.", "triggers");
        }
        String secret = blank(body.get("secret")) ? newSecret() : body.get("secret").toString();
        MauticState.Hook h = state.addHook(body.get("name").toString(), text(body.get("description")),
                body.get("webhookUrl").toString(), secret, triggers.stream().map(String::valueOf).toList(),
                text(body.get("eventsOrderbyDir")));
        return ok(201, map("hook", MauticViews.hook(h))).withHeader("Location", siteUrl.get() + "/api/hooks/" + h.id());
    }

    /** 5.x generates a secret when none is given, so every webhook is signed. */
    static String newSecret() {
        byte[] raw = new byte[24];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    // ---- request helpers ----

    private Contact contact(SimRequest r) {
        return state.contact(id(r, "id")).orElseThrow(MauticRoutes::notFound);
    }

    private static long id(SimRequest r, String name) {
        return id(r, name, MauticState.ITEM_NOT_FOUND);
    }

    private static long id(SimRequest r, String name, String notFound) {
        try {
            return Long.parseLong(r.param(name));
        } catch (NumberFormatException e) {
            throw new Rejected(404, notFound);
        }
    }

    private static Rejected notFound() {
        return new Rejected(404, MauticState.ITEM_NOT_FOUND);
    }

    private static SimResponse list(SimRequest r, String plural, List<Map<String, Object>> all, ListShape shape) {
        return ok(200, MauticViews.list(plural, all.size(), page(all, nest(r.query())), shape));
    }

    private static boolean published(SimRequest r, boolean isPublished) {
        return isPublished || !r.query("published").map(MauticState::truthy).orElse(false);
    }

    /** {@code start} and {@code limit} (default 30); {@code limit=0} means everything and ignores {@code start}. */
    private static <T> List<T> page(List<T> all, Map<String, Object> q) {
        int limit = q.get("limit") == null ? 30 : MauticState.toInt(q.get("limit"));
        if (limit <= 0) {
            return all;
        }
        int start = q.get("start") == null ? 0 : Math.max(0, MauticState.toInt(q.get("start")));
        return all.stream().skip(start).limit(limit).toList();
    }

    /** The body as a JSON object or form fields; an array or other JSON is a bad request. */
    private static Map<String, Object> object(SimRequest r) {
        Object body = body(r);
        if (!(body instanceof Map<?, ?>)) {
            throw new Rejected(400, BAD_REQUEST);
        }
        return toStringKeys((Map<?, ?>) body);
    }

    /** A batch body: a JSON array, or form fields indexed 0..n. */
    private static List<?> array(SimRequest r) {
        Object body = body(r);
        if (body instanceof List<?> l) {
            return l;
        }
        if (body instanceof Map<?, ?> m && !m.isEmpty()) {
            return new ArrayList<>(m.values());
        }
        throw new Rejected(400, BAD_REQUEST);
    }

    private static Object body(SimRequest r) {
        String text = r.bodyText().trim();
        if (text.isEmpty()) {
            return Map.of();
        }
        if (r.isJson() || text.startsWith("{") || text.startsWith("[")) {
            return SimServer.JSON.convertValue(r.json(), Object.class);
        }
        return nest(SimRequest.parseQuery(text));
    }

    /** PHP's reading of bracketed names: {@code a[]=1&a[]=2} a list, {@code where[0][col]=x} nested maps. */
    static Map<String, Object> nest(Map<String, List<String>> flat) {
        Map<String, Object> root = new LinkedHashMap<>();
        flat.forEach((key, values) -> {
            int bracket = key.indexOf('[');
            List<String> path = new ArrayList<>();
            path.add(bracket < 0 ? key : key.substring(0, bracket));
            if (bracket >= 0) {
                for (String part : key.substring(bracket + 1).split("\\[")) {
                    path.add(part.endsWith("]") ? part.substring(0, part.length() - 1) : part);
                }
            }
            for (String v : values) {
                put(root, path, v);
            }
        });
        return root;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> node, List<String> path, String value) {
        Map<String, Object> current = node;
        for (int i = 0; i < path.size(); i++) {
            String key = path.get(i);
            boolean last = i == path.size() - 1;
            if (last) {
                current.putIfAbsent(key, value);
                return;
            }
            if (i + 1 == path.size() - 1 && path.get(i + 1).isEmpty()) {
                Object list = current.computeIfAbsent(key, k -> new ArrayList<>());
                if (list instanceof List<?>) {
                    ((List<Object>) list).add(value);
                }
                return;
            }
            Object next = current.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
            if (!(next instanceof Map<?, ?>)) {
                return;
            }
            current = (Map<String, Object>) next;
        }
    }

    private static Map<String, Object> toStringKeys(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    /** A form error names its field first, as Mautic's API messages do. */
    private static String message(Rejected r) {
        return r.field() == null ? r.getMessage() : r.field() + ": " + r.getMessage();
    }

    private static boolean blank(Object v) {
        return v == null || v.toString().isBlank();
    }

    private static String text(Object v) {
        return v == null ? null : v.toString();
    }
}
