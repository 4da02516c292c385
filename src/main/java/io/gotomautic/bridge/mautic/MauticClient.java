package io.gotomautic.bridge.mautic;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.http.HttpTransport;
import io.gotomautic.bridge.http.HttpTransportException;
import io.gotomautic.bridge.http.RetryAfter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mautic's REST API as the sync needs it. Each method is one or a few plain calls: the client does not retry (the
 * outbox does), except that an OAuth2 token Mautic rejects with 401 is fetched anew once. A call that fails throws a
 * {@link MauticException} saying whether a later attempt may help; the items of a batch fail one by one, in the
 * results. Mautic's quirks handled here: lists keyed by id or given as arrays, {@code total} as a string, batches of
 * at most 200, and {@code errors} in an answer whose status says 200.
 */
public class MauticClient {

    private static final Logger LOG = LoggerFactory.getLogger(MauticClient.class);
    /** Mautic's {@code api_batch_max_limit}: a larger batch is refused whole with a 500. */
    static final int BATCH_MAX = 200;
    /** Adding contacts to a segment has no documented cap; large chunks keep a big event's push to a few calls. */
    static final int SEGMENT_BATCH = 2000;
    /** Mautic has no cap on {@code limit}; 100 keeps pages small and calls few. */
    static final int PAGE_SIZE = 100;

    /**
     * One upserted contact, in input order: its id, 200/201 and its names as Mautic now has them (blank when
     * unknown), or id 0 with the item's status and Mautic's message.
     */
    public record ContactResult(long id, int status, String error, String firstName, String lastName) {

        /**
         * Why the item has no id: transient for 429 and 5xx, which a later batch may get past, permanent otherwise. A
         * 403 is the role's (no permission to create contacts, or to edit those of other users): the same permission
         * mends it for every contact, so it is a setting.
         */
        public MauticException failure(String email) {
            boolean transientFailure = status == 429 || status >= 500;
            String fix = status == 403 ? fix("POST /api/contacts/batch/new", status, "", null) : null;
            // a dead letter names its contact; a failure that waits or holds is Mautic's, shown by /health: no address
            String who = transientFailure || fix != null ? "a contact" : "contact " + email;
            return new MauticException(status, "Mautic did not save " + who + " (HTTP " + status + "): " + error,
                    transientFailure, null, null, fix);
        }
    }

    /** A contact field; {@code options} are those of a select or multiselect, empty for other types. */
    public record Field(long id, String alias, String type, List<Option> options) {
    }

    public record Option(String label, String value) {
    }

    private final HttpTransport http;
    private final String baseUrl;
    private final MauticAuth auth;
    private final AtomicLong calls = new AtomicLong();

    /** {@code auth} is {@code basic} (user and password) or {@code oauth2} (client credentials at {@code <base>/oauth/v2/token}). */
    public MauticClient(HttpTransport http, String baseUrl, String auth, String userOrClientId, String passwordOrSecret) {
        this.http = http;
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.auth = MauticAuth.of(auth, this.baseUrl, userOrClientId, passwordOrSecret, this::send);
    }

    /** The client of mautic.url with the credentials mautic.auth names. */
    public static MauticClient of(io.gotomautic.bridge.config.Settings settings, HttpTransport http) {
        boolean oauth = settings.get("mautic.auth").equals("oauth2");
        return new MauticClient(http, settings.get("mautic.url"), settings.get("mautic.auth"),
                settings.get(oauth ? "mautic.client-id" : "mautic.username"), settings.get(oauth ? "mautic.client-secret" : "mautic.password"));
    }

    /** Creates or updates (matched by email) each contact; fields by alias, {@code tags} adds, {@code "-tag"} removes. */
    public List<ContactResult> upsertContacts(List<Map<String, Object>> contacts) {
        List<ContactResult> results = new ArrayList<>(contacts.size());
        for (List<Map<String, Object>> chunk : chunks(contacts, BATCH_MAX)) {
            JsonNode answer = call("POST", "/api/contacts/batch/new", chunk);
            // all three are keyed by the item's index in the request; a failed item leaves a gap in "contacts"
            Map<String, JsonNode> saved = entries(answer.path("contacts"));
            Map<String, JsonNode> codes = entries(answer.path("statusCodes"));
            Map<String, JsonNode> errors = entries(answer.path("errors"));
            for (int i = 0; i < chunk.size(); i++) {
                String index = String.valueOf(i);
                results.add(itemResult(saved.get(index), codes.get(index), errors.get(index)));
            }
        }
        return results;
    }

    /** The contact with exactly this email (case-insensitive, as Mautic compares); the newest when several share it. */
    public Optional<Long> findContactIdByEmail(String email) {
        if (email == null || email.isBlank()) {
            return Optional.empty();
        }
        // where…eq rather than search=email:, whose LIKE would read _ and % in the address as wildcards
        JsonNode answer = call("GET", "/api/contacts" + query("where[0][col]", "email", "where[0][expr]", "eq",
                "where[0][val]", email.trim(), "orderBy", "id", "orderByDir", "DESC", "limit", "1", "minimal", "1"), null);
        return entries(answer.path("contacts")).values().stream().map(c -> c.path("id").asLong(0)).filter(id -> id > 0)
                .findFirst();
    }

    /** Every segment, published or not, by name (the first one when names repeat). */
    public Map<String, Long> segmentsByName() {
        Map<String, Long> byName = new LinkedHashMap<>();
        for (JsonNode segment : pages("/api/segments", "lists")) {
            byName.putIfAbsent(segment.path("name").asText(), segment.path("id").asLong());
        }
        return byName;
    }

    /** A new published segment; returns its id. */
    public long createSegment(String name) {
        JsonNode answer = call("POST", "/api/segments/new", Map.of("name", name, "isPublished", true));
        return entity(answer, "list", "POST /api/segments/new").path("id").asLong();
    }

    /** Adds points to the contact's score ({@code POST /api/contacts/{id}/points/plus/{points}}). */
    public void addPoints(long contactId, int points) {
        call("POST", "/api/contacts/" + contactId + "/points/plus/" + points, null);
    }

    /** Gives the segment a new name (its alias, which filters may use, stays). */
    public void renameSegment(long segmentId, String name) {
        call("PATCH", "/api/segments/" + segmentId + "/edit", Map.of("name", name));
    }

    /** Adds the contacts, 200 per call; per contact whether Mautic added it (false for unknown contacts). */
    public Map<Long, Boolean> addToSegment(long segmentId, Collection<Long> contactIds) {
        Map<Long, Boolean> added = new LinkedHashMap<>();
        for (List<Long> chunk : chunks(List.copyOf(contactIds), SEGMENT_BATCH)) {
            JsonNode answer = call("POST", "/api/segments/" + segmentId + "/contacts/add", Map.of("ids", chunk));
            Map<String, JsonNode> details = entries(answer.path("details"));
            for (Long id : chunk) {
                added.put(id, details.getOrDefault(String.valueOf(id), MissingNode.getInstance()).path("success").asBoolean(false));
            }
        }
        return added;
    }

    /** Changes existing contacts (each map carries the contact's {@code id}), 200 per call; failed items are logged. */
    public void editContacts(List<Map<String, Object>> contacts) {
        for (List<Map<String, Object>> chunk : chunks(contacts, BATCH_MAX)) {
            JsonNode answer = call("PATCH", "/api/contacts/batch/edit", chunk);
            entries(answer.path("errors")).forEach((index, error) -> LOG.warn("Mautic refused to edit contact {}: {}",
                    chunk.get(Integer.parseInt(index)).get("id"), EmailAddress.masked(error.path("message").asText())));
        }
    }

    /** The contact's UTM rows, each as Mautic returns it ({@code utmCampaign}, {@code utmMedium}, …). */
    public List<JsonNode> utmRows(long contactId) {
        JsonNode contact = entity(call("GET", "/api/contacts/" + contactId, null), "contact", "GET /api/contacts/{id}");
        return List.copyOf(entries(contact.path("utmtags")).values());
    }

    /** The texts of the contact's notes. */
    public List<String> noteTexts(long contactId) {
        return pages("/api/contacts/" + contactId + "/notes", "notes").stream().map(n -> n.path("text").asText()).toList();
    }

    public void removeFromSegment(long segmentId, long contactId) {
        call("POST", "/api/segments/" + segmentId + "/contact/" + contactId + "/remove", null);
    }

    /** A UTM row ({@code utm_campaign}, {@code utm_source}, … {@code url}, {@code referer}): it shows on the contact's timeline. */
    public void addUtm(long contactId, Map<String, String> utm) {
        call("POST", "/api/contacts/" + contactId + "/utm/add", utm);
    }

    /** A general note on the contact's Notes tab (notes are not timeline events). */
    public void addNote(long contactId, String text) {
        call("POST", "/api/notes/new", Map.of("lead", contactId, "text", text, "type", "general"));
    }

    /** Every contact field by alias. */
    public Map<String, Field> contactFields() {
        Map<String, Field> byAlias = new LinkedHashMap<>();
        for (JsonNode field : pages("/api/fields/contact", "fields")) {
            Field f = field(field);
            byAlias.put(f.alias(), f);
        }
        return byAlias;
    }

    /** A new contact field; a select or multiselect needs {@code options}, other types take an empty list. */
    public Field createContactField(String alias, String label, String type, List<Option> options) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("alias", alias);
        body.put("label", label);
        body.put("type", type);
        if (!options.isEmpty()) {
            body.put("properties", Map.of("list", options));
        }
        return field(entity(call("POST", "/api/fields/contact/new", body), "field", "POST /api/fields/contact/new"));
    }

    /**
     * Creates those of the fields ({@code alias}, {@code label}, {@code type}: text-like, no options) Mautic lacks;
     * returns their aliases, in order.
     */
    public List<String> ensureContactFields(List<Map<String, String>> wanted) {
        Map<String, Field> existing = contactFields();
        List<String> created = new ArrayList<>();
        for (Map<String, String> field : wanted) {
            if (!existing.containsKey(field.get("alias"))) {
                createContactField(field.get("alias"), field.get("label"), field.get("type"), List.of());
                created.add(field.get("alias"));
            }
        }
        return created;
    }

    /** Replaces the options: Mautic replaces {@code properties} as sent, so the list must be complete. */
    public void setFieldOptions(long fieldId, List<Option> options) {
        call("PATCH", "/api/fields/contact/" + fieldId + "/edit", Map.of("properties", Map.of("list", options)));
    }

    /**
     * Sends the email to the contact with tokens ({@code name} or {@code {name}}, written {@code {name}} in the email).
     *
     * @throws MauticException permanent when Mautic answers {@code success: false} (with a 200) or 404 (no such
     *                         email or contact): no retry would change its mind
     */
    public void sendEmail(long emailId, long contactId, Map<String, String> tokens) {
        JsonNode answer = call("POST", "/api/emails/" + emailId + "/contact/" + contactId + "/send",
                Map.of("tokens", tokens == null ? Map.of() : tokens));
        if (!answer.path("success").asBoolean(false)) {
            JsonNode failed = answer.path("failed");
            throw new MauticException(200, "Mautic did not send email " + emailId + " to contact " + contactId + ": "
                    + (failed.isTextual() ? failed.asText() : failed.isMissingNode() ? "no reason given" : failed.toString()),
                    false, null, null);
        }
    }

    /**
     * Whether Mautic's activity feed shows email {@code emailId} sent to the contact at or after {@code since}: how a
     * send whose answer was lost (a crash, a timeout) is recognised, since the send API itself cannot be repeated
     * safely. The event's details carry the send's stat row ({@code stat.email_id}).
     */
    public boolean emailSentSince(long contactId, long emailId, java.time.Instant since) {
        String from = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .format(since.atOffset(java.time.ZoneOffset.UTC));
        JsonNode answer = call("GET", "/api/contacts/" + contactId + "/activity" + query("filters[includeEvents][]", "email.sent",
                "filters[dateFrom]", from, "limit", "100"), null);
        for (JsonNode event : answer.path("events")) {
            if (event.path("details").path("stat").path("email_id").asLong() == emailId) {
                return true;
            }
        }
        return false;
    }

    /** The API user ({@code GET /api/users/self}): its {@code id}, {@code username} and {@code role}. */
    public JsonNode self() {
        return entityOrSelf(call("GET", "/api/users/self", null));
    }

    /** Whether the user's role has each permission ({@code bundle:level:permission}), as Mautic answers. */
    public Map<String, Boolean> permissions(long userId, List<String> permissions) {
        JsonNode answer = call("POST", "/api/users/" + userId + "/permissioncheck", Map.of("permissions", permissions));
        Map<String, Boolean> granted = new LinkedHashMap<>();
        for (String p : permissions) {
            granted.put(p, answer.path(p).asBoolean(false));
        }
        return granted;
    }

    /** Every webhook, as Mautic shows it ({@code webhookUrl}, {@code secret}, {@code triggers}, {@code isPublished}). */
    public List<JsonNode> hooks() {
        return pages("/api/hooks", "hooks");
    }

    /** A new webhook; returns its id. */
    public long createHook(Map<String, Object> hook) {
        return entity(call("POST", "/api/hooks/new", hook), "hook", "POST /api/hooks/new").path("id").asLong();
    }

    public void editHook(long id, Map<String, Object> changes) {
        call("PATCH", "/api/hooks/" + id + "/edit", changes);
    }

    public void addToCampaign(long campaignId, long contactId) {
        call("POST", "/api/campaigns/" + campaignId + "/contact/" + contactId + "/add", null);
    }

    /** HTTP calls made so far, token requests and the retry after a 401 included. */
    public long calls() {
        return calls.get();
    }

    // ---- the one way calls are made ----

    private JsonNode call(String method, String path, Object body) {
        // the query (an email address) stays out of messages and logs
        String what = method + " " + path.replaceAll("\\?.*", "");
        boolean renewed = false;
        while (true) {
            String authorization = auth.header();
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Authorization", authorization);
            headers.put("Accept", "application/json");
            if (body != null) {
                headers.put("Content-Type", "application/json");
            }
            HttpTransport.Response r = send(method, baseUrl + path, headers, body, what);
            if (r.status() == 401 && !renewed && auth.rejected(authorization)) {
                renewed = true;
                continue;
            }
            JsonNode answer = answer(r);
            if (!r.ok()) {
                throw failure(what, r, answer, r.status() == 401 ? auth.keys() : null);
            }
            if (!answer.isObject()) {
                throw malformed(what, r.status());
            }
            // a 200 can still carry errors; a batch's errors are per item, next to its statusCodes
            if (answer.has("errors") && !answer.has("statusCodes")) {
                throw failure(what, r, answer, null);
            }
            return answer;
        }
    }

    private HttpTransport.Response send(String method, String url, Map<String, String> headers, Object body, String what) {
        calls.incrementAndGet();
        try {
            return http.send(method, url, headers, body);
        } catch (HttpTransportException e) {
            // the transport's message names the URL, which may hold an email address in its query
            Throwable reason = e.getCause() == null ? e : e.getCause();
            throw new MauticException(0, "Mautic " + what + " got no answer: " + reason.getClass().getSimpleName()
                    + (reason.getMessage() == null ? "" : ": " + reason.getMessage()), true, null, e);
        }
    }

    /** Every item of a list endpoint, page by page, until Mautic's {@code total} (a number, or a string for contacts) is reached. */
    private List<JsonNode> pages(String path, String plural) {
        List<JsonNode> all = new ArrayList<>();
        while (true) {
            JsonNode page = call("GET", path + query("start", String.valueOf(all.size()), "limit", String.valueOf(PAGE_SIZE)), null);
            Collection<JsonNode> items = entries(page.path(plural)).values();
            all.addAll(items);
            JsonNode total = page.path("total");
            boolean done = items.isEmpty()
                    || (total.isMissingNode() ? items.size() < PAGE_SIZE : all.size() >= total.asLong());
            if (done) {
                return all;
            }
        }
    }

    /**
     * Mautic's lists: an object keyed by entity id (or by request index in a batch), or an array when PHP saw keys
     * 0..n-1. Either reads as key → item, array positions as keys; anything else as empty.
     */
    static Map<String, JsonNode> entries(JsonNode node) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                out.put(String.valueOf(i), node.get(i));
            }
        } else if (node.isObject()) {
            node.properties().forEach(e -> out.put(e.getKey(), e.getValue()));
        }
        return out;
    }

    private static <T> List<List<T>> chunks(List<T> items, int size) {
        List<List<T>> chunks = new ArrayList<>();
        for (int from = 0; from < items.size(); from += size) {
            chunks.add(items.subList(from, Math.min(items.size(), from + size)));
        }
        return chunks;
    }

    /** The entity of a single-entity answer ({@code {"list": {...}}}); one without an id is as good as malformed. */
    /** {@code /api/users/self} answers the user itself, not wrapped in {@code user} as other entities are. */
    private static JsonNode entityOrSelf(JsonNode answer) {
        return answer.has("user") ? answer.get("user") : answer;
    }

    private static JsonNode entity(JsonNode answer, String key, String what) {
        JsonNode entity = answer.path(key);
        if (entity.path("id").asLong(0) <= 0) {
            throw new MauticException(200, "Mautic " + what + " succeeded but answered no " + key + " with an id", true, null, null);
        }
        return entity;
    }

    /** One batch item from the entries at its index: saved with an id, or failed with Mautic's message. */
    private static ContactResult itemResult(JsonNode saved, JsonNode code, JsonNode error) {
        long id = saved == null ? 0 : saved.path("id").asLong(0);
        if (error == null && id > 0) {
            JsonNode all = saved.path("fields").path("all");
            return new ContactResult(id, code == null ? 0 : code.asInt(), null, all.path("firstname").asText(""),
                    all.path("lastname").asText(""));
        }
        int status = code != null ? code.asInt() : error != null ? error.path("code").asInt(0) : 0;
        return new ContactResult(0, status, error == null ? "Mautic answered no contact for this item"
                : error.path("message").asText("failed"), "", "");
    }

    private static Field field(JsonNode f) {
        List<Option> options = entries(f.path("properties").path("list")).values().stream()
                .map(o -> new Option(o.path("label").asText(), o.path("value").asText())).toList();
        return new Field(f.path("id").asLong(), f.path("alias").asText(), f.path("type").asText(), options);
    }

    private static String query(String... pairs) {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            q.append(i == 0 ? '?' : '&').append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return q.toString();
    }

    // ---- answers, shared with MauticAuth ----

    /** The answer's JSON; a missing node when it is empty or not JSON. */
    static JsonNode answer(HttpTransport.Response r) {
        return r.json() == null ? MissingNode.getInstance() : r.json();
    }

    /**
     * A refused call: transient for 408, 429 and 5xx (with the wait a Retry-After asks for), permanent otherwise. {@code checkKeys}
     * names the settings to look at when the credentials were refused.
     */
    static MauticException failure(String what, HttpTransport.Response r, JsonNode body, String checkKeys) {
        JsonNode error = entries(body.path("errors")).values().stream().findFirst().orElse(MissingNode.getInstance());
        int status = r.ok() && error.path("code").asInt(0) > 0 ? error.path("code").asInt() : r.status();
        // Mautic's envelope, or the bare OAuth error of a token endpoint that was not rewritten
        String type = error.path("type").asText(body.path("error").asText(""));
        String text = error.path("message").asText(body.path("error_description").asText(""));
        boolean transientFailure = status == 408 || status == 429 || status >= 500;
        // a 429 or a 503 (maintenance) may say how long to wait, in seconds or as an HTTP-date
        Duration retryAfter = transientFailure ? RetryAfter.of(r).orElse(null) : null;
        String message = "Mautic " + what + " failed: HTTP " + status + (type.isEmpty() ? "" : " " + type)
                + (text.isEmpty() ? "" : " (" + text + ")")
                + (retryAfter == null ? "" : "; retry after " + retryAfter.toSeconds() + " s")
                + (checkKeys == null ? "" : "; check " + checkKeys);
        return new MauticException(status, message, transientFailure, retryAfter, null,
                fix(what, status, type, checkKeys));
    }

    /**
     * The one line for the operator when a refusal concerns every change; null when it concerns one entity or is
     * passing. Mautic's 403 body is the same for a permission the API user's role lacks and for one entity it may not
     * touch (an unpublished segment, a contact owned by another user), so the call tells them apart: a call about one
     * entity (an id in its path) is that entity's refusal, except for the field definitions, which every change needs.
     */
    private static String fix(String what, int status, String type, String checkKeys) {
        if (checkKeys != null) {
            return "Mautic refuses the bridge's credentials (" + status + "): check " + checkKeys;
        }
        if (status != 403) {
            return null;
        }
        if (type.equals("api_disabled")) {
            return "Mautic's API is disabled (403): enable it in Mautic's Configuration › API Settings";
        }
        if (type.equals("access_denied")) {
            return "Mautic has HTTP basic auth turned off (403): turn it on in Mautic's Configuration › API Settings, or use mautic.auth = oauth2";
        }
        String path = what.substring(what.indexOf(' ') + 1);
        if (!path.startsWith("/api/fields/") && path.matches(".*/\\d+(/.*)?")) {
            return null;
        }
        String[] about = PERMISSIONS.entrySet().stream().filter(e -> what.startsWith(e.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse(new String[] {"answer " + what, "for it"});
        return "Mautic refuses to " + about[0] + " (403): give the API user's role the permission " + about[1]
                + " (Mautic's Settings › Roles)";
    }

    /** Per call (method and path prefix): what was refused, and the role permission that allows it. */
    private static final Map<String, String[]> PERMISSIONS = permissions();

    private static Map<String, String[]> permissions() {
        Map<String, String[]> p = new LinkedHashMap<>();
        String fields = "Contacts › Custom Fields: Full";
        p.put("POST /api/fields/contact/new", new String[] {"create contact fields", fields});
        p.put("GET /api/fields/contact", new String[] {"list contact fields", fields});
        p.put("PATCH /api/fields/contact", new String[] {"edit contact fields", fields});
        p.put("GET /api/contacts", new String[] {"read contacts", "Contacts: View (others' too)"});
        p.put("POST /api/contacts", new String[] {"create or edit contacts", "Contacts: View, Edit and Create (others' too)"});
        p.put("PATCH /api/contacts", new String[] {"edit contacts", "Contacts: View and Edit (others' too)"});
        p.put("GET /api/segments", new String[] {"list segments", "Segments: View (others' too)"});
        p.put("POST /api/segments", new String[] {"create segments", "Segments: Create and Edit (others' too)"});
        p.put("POST /api/notes", new String[] {"add notes", "Contacts: Edit (others' too)"});
        return p;
    }

    static MauticException malformed(String what, int status) {
        return new MauticException(status, "Mautic " + what + " answered HTTP " + status + " with a body that is not the JSON expected",
                true, null, null);
    }
}
