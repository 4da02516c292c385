package io.gotomautic.bridge.sandbox;

import java.text.Normalizer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Everything a simulated Mautic holds, behind one lock. The records handed out are immutable snapshots;
 * changes go through methods that apply Mautic's rules (upsert by email, blank and zero handling, tag
 * removal, segment access) and throw {@link Rejected} where Mautic refuses.
 */
public final class MauticState {

    static final String ITEM_NOT_FOUND = "Item was not found.";
    static final String CONTACT_NOT_FOUND = "Contact not found.";
    static final String ACCESS_DENIED = "You do not have access to the requested area/action.";
    static final String EMAIL_INVALID = "A valid email is required.";

    private static final Set<String> CONTACT_SPECIAL_KEYS = Set.of("id", "tags", "ipAddress", "lastActive", "owner",
            "stage", "companies", "doNotContact", "frequencyRules", "overwriteWithBlank", "points");
    private static final Set<String> IDENTIFYING_FIELDS = Set.of("email", "firstname", "lastname", "company");
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
    private static final Pattern NUMERIC = Pattern.compile("^\\s*-?\\d+(\\.\\d+)?\\s*$");

    /** Mautic refusing a change: the status it answers with, its message, and the form field at fault if any. */
    public static final class Rejected extends RuntimeException {
        private final int status;
        private final String field;

        Rejected(int status, String message) {
            this(status, message, null);
        }

        Rejected(int status, String message, String field) {
            super(message);
            this.status = status;
            this.field = field;
        }

        public int status() {
            return status;
        }

        /** The form field the message is about, or null. */
        public String field() {
            return field;
        }
    }

    /** How a contact save treats what the body leaves out or blanks: POST /new, PATCH /edit or PUT /edit. */
    public enum SaveMode { NEW, PATCH, PUT }

    public record Contact(long id, Map<String, String> fields, Set<String> tags, int points, List<String> ipAddresses,
                          Instant dateAdded, Instant dateModified, Instant dateIdentified, Instant lastActive) {
        public String email() {
            return fields.get("email");
        }

        /** The stored value of a field, null when empty. */
        public String field(String alias) {
            return fields.get(alias);
        }

        public boolean isAnonymous() {
            return IDENTIFYING_FIELDS.stream().noneMatch(fields::containsKey);
        }
    }

    /** What one save did; decides which webhook Mautic fires. */
    public record ContactSave(Contact contact, boolean created, boolean changed, boolean newlyIdentified) {
    }

    public record Option(String label, String value) {
    }

    public record Field(long id, String label, String alias, String type, String group, int order, boolean published,
                        boolean fixed, boolean required, boolean uniqueIdentifier, String defaultValue, JsonNode properties) {
        public Field {
            properties = properties == null ? JsonNodeFactory.instance.objectNode() : properties.deepCopy();
        }

        @Override
        public JsonNode properties() {
            return properties.deepCopy();
        }

        /** Select, multiselect and lookup options: contact fields keep them in a flat {@code properties.list}. */
        public List<Option> options() {
            return optionsOf(properties.path("list"));
        }

        Field withProperties(JsonNode p) {
            return new Field(id, label, alias, type, group, order, published, fixed, required, uniqueIdentifier, defaultValue, p);
        }
    }

    public record Segment(long id, String name, String alias, String publicName, String description, boolean published,
                          boolean global, Instant dateAdded) {
    }

    public record Membership(long segmentId, long contactId, Instant dateAdded, boolean manuallyAdded) {
    }

    public record Campaign(long id, String name, String description, boolean published, Instant dateAdded) {
    }

    public record Email(long id, String name, String subject, String emailType, boolean published, String customHtml,
                        Instant dateAdded) {
    }

    /** One call of the send-to-contact endpoint, with the tokens as Mautic stored them (braces wrapped). */
    public record EmailSend(long emailId, long contactId, Map<String, String> tokens, boolean success, Instant at) {
    }

    public record FormField(long id, String label, String alias, String type, int order, boolean required,
                            String defaultValue, JsonNode properties, String mappedObject, String mappedField) {
        public FormField {
            properties = properties == null ? JsonNodeFactory.instance.objectNode() : properties.deepCopy();
        }

        @Override
        public JsonNode properties() {
            return properties.deepCopy();
        }

        /** A form select keeps its options one level deeper than a contact field: {@code properties.list.list}. */
        public List<Option> options() {
            return optionsOf(properties.path("list").path("list"));
        }

        boolean syncsFromContactField() {
            return properties.path("syncList").asInt() == 1 && "contact".equals(mappedObject) && mappedField != null;
        }
    }

    public record Form(long id, String name, String alias, String description, boolean published, List<FormField> fields,
                       Instant dateAdded) {
        public Optional<FormField> field(String alias) {
            return fields.stream().filter(f -> f.alias().equals(alias)).findFirst();
        }
    }

    public record Submission(long id, long formId, long contactId, Map<String, String> results, Instant dateSubmitted) {
    }

    /** A submission and the contact save it caused. */
    public record FormSubmission(Submission submission, ContactSave save) {
    }

    public record Note(long id, long contactId, String text, String type, Instant dateTime, Instant dateAdded) {
    }

    public record UtmRow(long id, long contactId, String utmSource, String utmMedium, String utmCampaign, String utmContent,
                         String utmTerm, String url, String referer, String query, String userAgent, String remoteHost,
                         Instant dateAdded) {
    }

    /** A timeline entry as the activity API shows it. */
    public record Activity(long id, long contactId, String event, String eventType, String label, Instant timestamp,
                           Map<String, Object> details) {
    }

    public record Hook(long id, String name, String description, String url, String secret, List<String> triggers,
                       String eventsOrderbyDir, boolean published) {
    }

    private final Map<String, Long> sequences = new HashMap<>();
    private final Map<Long, Contact> contacts = new TreeMap<>();
    /** Lower-cased email → contact ids, so an upsert does not scan every contact (benchmarks hold 100,000). */
    private final Map<String, java.util.Set<Long>> idsByEmail = new java.util.HashMap<>();
    private final Map<Long, Field> fields = new TreeMap<>();
    private final Map<String, Long> tags = new LinkedHashMap<>();
    private final Map<Long, Segment> segments = new TreeMap<>();
    private final Map<Long, Map<Long, Membership>> members = new HashMap<>();
    private final Map<Long, Campaign> campaigns = new TreeMap<>();
    private final Map<Long, Set<Long>> campaignMembers = new HashMap<>();
    private final Map<Long, Email> emails = new TreeMap<>();
    private final List<EmailSend> sends = new ArrayList<>();
    private final Map<Long, Form> forms = new TreeMap<>();
    private final List<Submission> submissions = new ArrayList<>();
    private final List<Note> notes = new ArrayList<>();
    private final List<UtmRow> utmRows = new ArrayList<>();
    private final List<Activity> activity = new ArrayList<>();
    private final Map<Long, Hook> hooks = new TreeMap<>();

    MauticState() {
        String[][] fixed = {
            {"title", "Title", "text", "core"}, {"firstname", "First Name", "text", "core"},
            {"lastname", "Last Name", "text", "core"}, {"company", "Primary company", "text", "core"},
            {"position", "Position", "text", "core"}, {"email", "Email", "email", "core"},
            {"mobile", "Mobile", "tel", "core"}, {"phone", "Phone", "tel", "core"}, {"points", "Points", "number", "core"},
            {"address1", "Address Line 1", "text", "core"}, {"city", "City", "text", "core"},
            {"state", "State", "region", "core"}, {"zipcode", "Zip Code", "text", "core"},
            {"country", "Country", "country", "core"}, {"preferred_locale", "Preferred Locale", "locale", "core"},
            {"timezone", "Preferred Timezone", "timezone", "core"}, {"website", "Website", "url", "core"},
            {"facebook", "Facebook", "text", "social"}, {"linkedin", "LinkedIn", "text", "social"},
            {"twitter", "Twitter", "text", "social"},
        };
        for (String[] f : fixed) {
            long id = next("field");
            fields.put(id, new Field(id, f[1], f[0], f[2], f[3], (int) id, true, true, false, f[0].equals("email"), null, null));
        }
    }

    // ---- contacts ----

    public synchronized Optional<Contact> contact(long id) {
        return Optional.ofNullable(contacts.get(id));
    }

    /** Case-insensitive, as MySQL's collation makes it; the newest contact wins when several share the address. */
    public synchronized Optional<Contact> contactByEmail(String email) {
        if (email == null || email.isBlank()) {
            return Optional.empty();
        }
        return idsByEmail.getOrDefault(email.trim().toLowerCase(java.util.Locale.ROOT), java.util.Set.of()).stream()
                .map(contacts::get).max(Comparator.comparing(Contact::dateAdded).thenComparing(Contact::id));
    }

    private void store(Contact c) {
        Contact before = contacts.put(c.id(), c);
        if (before != null && before.email() != null) {
            idsByEmail.getOrDefault(before.email().toLowerCase(java.util.Locale.ROOT), new java.util.HashSet<>()).remove(c.id());
        }
        if (c.email() != null) {
            idsByEmail.computeIfAbsent(c.email().toLowerCase(java.util.Locale.ROOT), e -> new java.util.HashSet<>()).add(c.id());
        }
    }

    public synchronized List<Contact> contacts() {
        return List.copyOf(contacts.values());
    }

    /** A contact as POST /api/contacts/new makes it: upserted by email. */
    public Contact upsertContact(Map<String, ?> values) {
        return saveContact(null, values, SaveMode.NEW).contact();
    }

    /**
     * Saves a contact with Mautic's API rules. Without an id the body's email finds the contact to update (201 vs 200);
     * with an id that does not exist PATCH is refused with 404 and PUT creates.
     */
    public synchronized ContactSave saveContact(Long id, Map<String, ?> body, SaveMode mode) {
        Contact existing = id != null ? contacts.get(id) : uniqueMatch(body);
        if (id != null && existing == null && mode != SaveMode.PUT) {
            throw new Rejected(404, ITEM_NOT_FOUND);
        }
        boolean overwriteBlank = mode == SaveMode.PUT || truthy(body.get("overwriteWithBlank"));
        Map<String, String> values = existing == null ? new LinkedHashMap<>() : new LinkedHashMap<>(existing.fields());
        if (mode == SaveMode.PUT) {
            values.keySet().removeIf(alias -> !body.containsKey(alias));
        }
        for (Map.Entry<String, ?> e : body.entrySet()) {
            Field f = fieldByAlias(e.getKey());
            if (CONTACT_SPECIAL_KEYS.contains(e.getKey()) || f == null || !f.published()) {
                continue;
            }
            // Mautic drops every 0 from POST and PATCH bodies before saving
            if (mode != SaveMode.PUT && isZero(e.getValue())) {
                continue;
            }
            String v = storedValue(f, e.getValue());
            if (v == null || v.isBlank()) {
                if (overwriteBlank) {
                    values.remove(f.alias());
                }
                continue;
            }
            if (f.type().equals("email") && !EMAIL.matcher(v.trim()).matches()) {
                throw new Rejected(400, EMAIL_INVALID, f.alias());
            }
            values.put(f.alias(), f.type().equals("email") ? v.trim() : v);
        }
        int points = existing == null ? 0 : existing.points();
        Object p = body.get("points");
        if (p != null && (mode == SaveMode.PUT || !isZero(p))) {
            points = toInt(p);
        }
        Set<String> tagSet = new LinkedHashSet<>(existing == null ? Set.of() : existing.tags());
        modifyTags(tagSet, body.get("tags"));
        List<String> ips = new ArrayList<>(existing == null ? List.of() : existing.ipAddresses());
        Object ip = body.get("ipAddress");
        if (ip != null && !ip.toString().isBlank() && !ips.contains(ip.toString())) {
            ips.add(ip.toString());
        }
        Instant lastActive = existing == null ? null : existing.lastActive();
        if (body.get("lastActive") != null && !body.get("lastActive").toString().isBlank()) {
            lastActive = MauticDates.parse(body.get("lastActive").toString());
        }
        Instant now = now();
        long contactId = existing != null ? existing.id() : next("contact");
        Contact draft = new Contact(contactId, Map.copyOf(values), Collections.unmodifiableSet(tagSet), points, List.copyOf(ips),
                existing == null ? now : existing.dateAdded(), now,
                existing == null ? null : existing.dateIdentified(), lastActive);
        boolean changed = existing == null || !sameData(existing, draft);
        if (!changed) {
            return new ContactSave(existing, false, false, false);
        }
        boolean identifies = draft.dateIdentified() == null && !draft.isAnonymous();
        Contact saved = new Contact(draft.id(), draft.fields(), draft.tags(), draft.points(), draft.ipAddresses(),
                draft.dateAdded(), draft.dateModified(), identifies ? now : draft.dateIdentified(), draft.lastActive());
        store(saved);
        return new ContactSave(saved, existing == null, true, identifies);
    }

    /** POST /api/contacts/{id}/points/{op}/{delta}; set is refused here as Mautic does. */
    public synchronized ContactSave adjustPoints(long contactId, String op, int delta, String eventName) {
        Contact c = requireContact(contactId, ITEM_NOT_FOUND);
        int points = switch (op) {
            case "plus" -> c.points() + delta;
            case "minus" -> c.points() - delta;
            case "times" -> c.points() * delta;
            case "divide" -> {
                if (delta == 0) {
                    throw new Rejected(400, "This is a bad request.");
                }
                yield c.points() / delta;
            }
            default -> throw new Rejected(400, "Invalid operator");
        };
        Contact saved = new Contact(c.id(), c.fields(), c.tags(), points, c.ipAddresses(), c.dateAdded(), now(),
                c.dateIdentified(), c.lastActive());
        store(saved);
        String name = eventName == null || eventName.isBlank() ? "API" : eventName;
        record(c.id(), "point.gained", "Point gained", name + " / " + (points - c.points()),
                Map.of("delta", points - c.points(), "newPoints", points));
        return new ContactSave(saved, false, points != c.points(), false);
    }

    public synchronized UtmRow addUtm(long contactId, Map<String, ?> body) {
        requireContact(contactId, CONTACT_NOT_FOUND);
        Object date = body.get("lastActive");
        Object query = body.get("query");
        UtmRow row = new UtmRow(next("utm"), contactId, text(body.get("utm_source")), text(body.get("utm_medium")),
                text(body.get("utm_campaign")), text(body.get("utm_content")), text(body.get("utm_term")),
                text(body.get("url")), text(body.get("referer")),
                query instanceof Map<?, ?> m ? MauticPhpJson.write(m) : text(query),
                text(body.get("useragent")), text(body.get("remotehost")),
                date == null ? now() : MauticDates.parse(date.toString()));
        utmRows.add(row);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("utmcampaign", row.utmCampaign());
        details.put("utmsource", row.utmSource());
        details.put("utmmedium", row.utmMedium());
        record(contactId, "lead.utmtagsadded", "UTM tags recorded", row.utmCampaign(), details);
        return row;
    }

    public synchronized List<UtmRow> utmRows(long contactId) {
        return utmRows.stream().filter(r -> r.contactId() == contactId).toList();
    }

    public synchronized Note addNote(long contactId, String text, String type, Instant dateTime) {
        requireContact(contactId, CONTACT_NOT_FOUND);
        Instant now = now();
        Note note = new Note(next("note"), contactId, text, type, (dateTime == null ? now : dateTime).truncatedTo(ChronoUnit.MINUTES), now);
        notes.add(note);
        return note;
    }

    /** Newest first, as {@code GET /api/contacts/{id}/notes} orders them. */
    public synchronized List<Note> notes(long contactId) {
        return notes.stream().filter(n -> n.contactId() == contactId)
                .sorted(Comparator.comparing(Note::dateAdded).thenComparing(Note::id).reversed()).toList();
    }

    /** Newest first. */
    public synchronized List<Activity> activity(long contactId) {
        return activity.stream().filter(a -> a.contactId() == contactId)
                .sorted(Comparator.comparing(Activity::timestamp).thenComparing(Activity::id).reversed()).toList();
    }

    /** The id a tag got when it was first used. */
    public synchronized Optional<Long> tagId(String tag) {
        return Optional.ofNullable(tags.get(tag));
    }

    // ---- custom fields ----

    public synchronized List<Field> fields() {
        return fields.values().stream().sorted(Comparator.comparing(Field::order).thenComparing(Field::id)).toList();
    }

    public synchronized Optional<Field> field(String alias) {
        return Optional.ofNullable(fieldByAlias(alias));
    }

    public synchronized Optional<Field> field(long id) {
        return Optional.ofNullable(fields.get(id));
    }

    /** A custom field, its alias taken from the label when none is given; a given alias already in use is refused. */
    public synchronized Field addField(String label, String alias, String type, String group, JsonNode properties) {
        if (alias != null && !alias.isBlank() && fieldByAlias(alias) != null) {
            throw new Rejected(400, "Another field is already using the alias '" + alias + "'.", "alias");
        }
        String a = alias != null && !alias.isBlank() ? alias : alias(label, '_', s -> fieldByAlias(s) != null);
        long id = next("field");
        Field f = new Field(id, label, a, type, group == null ? "core" : group, fields.size() + 1, true, false, false, false,
                null, properties);
        fields.put(id, f);
        return f;
    }

    public synchronized Field updateField(long id, UnaryOperator<Field> change) {
        Field f = fields.get(id);
        if (f == null) {
            throw new Rejected(404, ITEM_NOT_FOUND);
        }
        Field changed = change.apply(f);
        fields.put(id, changed);
        return changed;
    }

    /** Replaces the options of a select or multiselect field, as a PATCH of {@code properties.list} does. */
    public Field setFieldOptions(String alias, List<Option> options) {
        Field f = field(alias).orElseThrow(() -> new Rejected(404, ITEM_NOT_FOUND));
        ObjectNode p = (ObjectNode) f.properties();
        p.set("list", SimServer.JSON.valueToTree(options));
        return updateField(f.id(), x -> x.withProperties(p));
    }

    // ---- segments ----

    public synchronized Segment addSegment(String name, String alias, String description, boolean published) {
        String a = alias(alias == null || alias.isBlank() ? name : alias, '-',
                s -> segments.values().stream().anyMatch(x -> x.alias().equals(s)));
        Segment s = new Segment(next("segment"), name, a, name, description, published, false, now());
        segments.put(s.id(), s);
        return s;
    }

    public synchronized List<Segment> segments() {
        return List.copyOf(segments.values());
    }

    /** A segment deleted (in the UI or by the API): its memberships go with it. */
    public synchronized Segment deleteSegment(long id) {
        Segment s = segments.remove(id);
        if (s == null) {
            throw new IllegalArgumentException(ITEM_NOT_FOUND);
        }
        members.remove(id);
        return s;
    }

    /** Renamed or (un)published through the API; null leaves that as it is. */
    public synchronized Segment editSegment(long id, String name, Boolean published) {
        Segment s = segments.get(id);
        if (s == null) {
            throw new IllegalArgumentException(ITEM_NOT_FOUND);
        }
        Segment changed = new Segment(s.id(), name == null ? s.name() : name, s.alias(), name == null ? s.publicName() : name,
                s.description(), published == null ? s.published() : published, s.global(), s.dateAdded());
        segments.put(id, changed);
        return changed;
    }

    /** Published or unpublished by hand in the UI. */
    public synchronized Segment publishSegment(long id, boolean published) {
        Segment s = segments.get(id);
        Segment changed = new Segment(s.id(), s.name(), s.alias(), s.publicName(), s.description(), published, s.global(), s.dateAdded());
        segments.put(id, changed);
        return changed;
    }

    public synchronized Optional<Segment> segment(long id) {
        return Optional.ofNullable(segments.get(id));
    }

    public synchronized Optional<Segment> segmentByName(String name) {
        return segments.values().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public synchronized Optional<Segment> segmentByAlias(String alias) {
        return segments.values().stream().filter(s -> s.alias().equals(alias)).findFirst();
    }

    /** Mautic checks access against the user's segments, which hold only published ones: so 403 when unpublished. */
    public synchronized boolean addToSegment(long segmentId, long contactId) {
        Segment s = accessibleSegment(segmentId, contactId);
        Map<Long, Membership> m = members.computeIfAbsent(segmentId, k -> new LinkedHashMap<>());
        if (m.containsKey(contactId)) {
            return false;
        }
        m.put(contactId, new Membership(segmentId, contactId, now(), true));
        record(contactId, "segment_membership", "Segment membership", s.name(), Map.of("segment", s.name(), "action", "added"));
        return true;
    }

    public synchronized boolean removeFromSegment(long segmentId, long contactId) {
        Segment s = accessibleSegment(segmentId, contactId);
        Map<Long, Membership> m = members.getOrDefault(segmentId, Map.of());
        if (!m.containsKey(contactId)) {
            return false;
        }
        m.remove(contactId);
        record(contactId, "segment_membership", "Segment membership", s.name(), Map.of("segment", s.name(), "action", "removed"));
        return true;
    }

    public synchronized Set<Long> segmentMembers(long segmentId) {
        return Set.copyOf(members.getOrDefault(segmentId, Map.of()).keySet());
    }

    public synchronized List<Membership> segmentsOf(long contactId) {
        return members.values().stream().map(m -> m.get(contactId)).filter(Objects::nonNull)
                .sorted(Comparator.comparing(Membership::segmentId)).toList();
    }

    // ---- campaigns ----

    public synchronized Campaign addCampaign(String name, String description, boolean published) {
        Campaign c = new Campaign(next("campaign"), name, description, published, now());
        campaigns.put(c.id(), c);
        return c;
    }

    public synchronized List<Campaign> campaigns() {
        return List.copyOf(campaigns.values());
    }

    public synchronized Optional<Campaign> campaign(long id) {
        return Optional.ofNullable(campaigns.get(id));
    }

    public synchronized Optional<Campaign> campaignByName(String name) {
        return campaigns.values().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** Adding a member again re-includes it, so it is not an error. */
    public synchronized void addToCampaign(long campaignId, long contactId) {
        campaignMembership(campaignId, contactId).add(contactId);
    }

    public synchronized void removeFromCampaign(long campaignId, long contactId) {
        campaignMembership(campaignId, contactId).remove(contactId);
    }

    public synchronized Set<Long> campaignMembers(long campaignId) {
        return Set.copyOf(campaignMembers.getOrDefault(campaignId, Set.of()));
    }

    // ---- emails ----

    public synchronized Email addEmail(String name, String subject, String customHtml, boolean published) {
        Email e = new Email(next("email"), name, subject, "template", published, customHtml, now());
        emails.put(e.id(), e);
        return e;
    }

    public synchronized List<Email> emails() {
        return List.copyOf(emails.values());
    }

    public synchronized Optional<Email> email(long id) {
        return Optional.ofNullable(emails.get(id));
    }

    public synchronized Optional<Email> emailByName(String name) {
        return emails.values().stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** Records a send to one contact; token keys get the braces Mautic wraps them in. */
    public synchronized EmailSend recordSend(long emailId, long contactId, Map<String, ?> tokens, boolean success) {
        if (!emails.containsKey(emailId)) {
            throw new Rejected(404, ITEM_NOT_FOUND);
        }
        requireContact(contactId, CONTACT_NOT_FOUND);
        Map<String, String> wrapped = new LinkedHashMap<>();
        tokens.forEach((k, v) -> wrapped.put(k.startsWith("{") && k.endsWith("}") ? k : "{" + k + "}", v == null ? "" : v.toString()));
        EmailSend send = new EmailSend(emailId, contactId, Collections.unmodifiableMap(wrapped), success, now());
        sends.add(send);
        if (success) {
            // the shape of Mautic's email timeline event: the send's stat row, and its state
            Map<String, Object> stat = new LinkedHashMap<>();
            stat.put("id", sends.size());
            stat.put("email_id", emailId);
            stat.put("lead_id", contactId);
            stat.put("email_name", emails.get(emailId).name());
            stat.put("dateSent", MauticDates.iso(send.at()));
            record(contactId, "email.sent", "Email sent", emails.get(emailId).name(), Map.of("stat", stat, "type", "sent"));
        }
        return send;
    }

    public synchronized List<EmailSend> emailSends() {
        return List.copyOf(sends);
    }

    public synchronized List<EmailSend> emailSends(long emailId) {
        return sends.stream().filter(s -> s.emailId() == emailId).toList();
    }

    // ---- forms ----

    /** A form; the ids and order of the fields given are assigned here. */
    public synchronized Form addForm(String name, String alias, boolean published, List<FormField> formFields) {
        List<FormField> numbered = new ArrayList<>();
        for (FormField f : formFields) {
            numbered.add(new FormField(next("formfield"), f.label(), f.alias(), f.type(), numbered.size() + 1, f.required(),
                    f.defaultValue(), f.properties(), f.mappedObject(), f.mappedField()));
        }
        Form form = new Form(next("form"), name, alias, null, published, List.copyOf(numbered), now());
        forms.put(form.id(), form);
        return form;
    }

    public synchronized List<Form> forms() {
        return forms.values().stream().map(this::withSyncedOptions).toList();
    }

    /** The form as Mautic loads it: select fields set to sync take their options from the mapped contact field. */
    public synchronized Optional<Form> form(long id) {
        return Optional.ofNullable(forms.get(id)).map(this::withSyncedOptions);
    }

    public synchronized Optional<Form> formByAlias(String alias) {
        return forms.values().stream().filter(f -> f.alias().equals(alias)).findFirst().map(this::withSyncedOptions);
    }

    /**
     * PATCH /api/forms/{id}/edit: a field with an id is edited and its {@code properties} replaced wholesale, a field
     * without one is added, and the fields sent are numbered 1..n in request order; nothing is deleted.
     */
    public synchronized Form editForm(long id, Map<String, ?> patch) {
        Form form = forms.get(id);
        if (form == null) {
            throw new Rejected(404, ITEM_NOT_FOUND);
        }
        Map<Long, FormField> byId = new LinkedHashMap<>();
        form.fields().forEach(f -> byId.put(f.id(), f));
        List<?> sent = patch.get("fields") instanceof List<?> l ? l : List.of();
        int order = 0;
        for (Object item : sent) {
            Map<?, ?> m = item instanceof Map<?, ?> x ? x : Map.of();
            order++;
            FormField old = m.get("id") == null ? null : byId.get((long) toInt(m.get("id")));
            FormField edited = editFormField(old, m, order, byId.values());
            byId.put(edited.id(), edited);
        }
        Form changed = new Form(id, stringOr(patch.get("name"), form.name()), stringOr(patch.get("alias"), form.alias()),
                stringOr(patch.get("description"), form.description()),
                patch.containsKey("isPublished") ? truthy(patch.get("isPublished")) : form.published(),
                byId.values().stream().sorted(Comparator.comparing(FormField::order).thenComparing(FormField::id)).toList(),
                form.dateAdded());
        forms.put(id, changed);
        return withSyncedOptions(changed);
    }

    /** A public submission: maps the results onto the contact fields, upserts the contact by email, records it. */
    public synchronized FormSubmission submitForm(String formIdOrAlias, Map<String, String> results) {
        Form form = forms.values().stream()
                .filter(f -> f.alias().equals(formIdOrAlias) || String.valueOf(f.id()).equals(formIdOrAlias)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no form " + formIdOrAlias));
        if (!form.published()) {
            throw new IllegalStateException("form " + formIdOrAlias + " is not published");
        }
        Map<String, String> kept = new LinkedHashMap<>();
        Map<String, Object> contactValues = new LinkedHashMap<>();
        for (FormField f : form.fields()) {
            String v = results.get(f.alias());
            if (v == null) {
                continue;
            }
            kept.put(f.alias(), v);
            if ("contact".equals(f.mappedObject()) && f.mappedField() != null) {
                contactValues.put(f.mappedField(), v);
            }
        }
        ContactSave save = saveContact(null, contactValues, SaveMode.NEW);
        Submission s = new Submission(next("submission"), form.id(), save.contact().id(), Collections.unmodifiableMap(kept), now());
        submissions.add(s);
        record(s.contactId(), "form.submitted", "Form submitted", form.name(), Map.of("formId", form.id()));
        return new FormSubmission(s, save);
    }

    public synchronized List<Submission> submissions() {
        return List.copyOf(submissions);
    }

    // ---- webhooks ----

    public synchronized Hook addHook(String name, String description, String url, String secret, List<String> triggers,
                                     String orderDir) {
        Hook h = new Hook(next("hook"), name, description, url, secret, List.copyOf(triggers),
                orderDir == null ? "ASC" : orderDir, true);
        hooks.put(h.id(), h);
        return h;
    }

    public synchronized Hook editHook(Hook edited) {
        hooks.put(edited.id(), edited);
        return edited;
    }

    public synchronized List<Hook> hooks() {
        return List.copyOf(hooks.values());
    }

    public synchronized Optional<Hook> hook(long id) {
        return Optional.ofNullable(hooks.get(id));
    }

    /** Published hooks subscribed to the event type. */
    public synchronized List<Hook> hooksFor(String eventType) {
        return hooks.values().stream().filter(h -> h.published() && h.triggers().contains(eventType)).toList();
    }

    synchronized void unpublishHook(long id) {
        hooks.computeIfPresent(id, (k, h) -> new Hook(h.id(), h.name(), h.description(), h.url(), h.secret(), h.triggers(),
                h.eventsOrderbyDir(), false));
    }

    public synchronized Optional<Hook> deleteHook(long id) {
        return Optional.ofNullable(hooks.remove(id));
    }

    // ---- helpers ----

    private Contact uniqueMatch(Map<String, ?> body) {
        Object email = body.get("email");
        return email == null ? null : contactByEmail(email.toString()).orElse(null);
    }

    private Contact requireContact(long id, String message) {
        Contact c = contacts.get(id);
        if (c == null) {
            throw new Rejected(404, message);
        }
        return c;
    }

    private Segment requireSegment(long id) {
        Segment s = segments.get(id);
        if (s == null) {
            throw new Rejected(404, ITEM_NOT_FOUND);
        }
        return s;
    }

    private Segment accessibleSegment(long segmentId, long contactId) {
        Segment s = requireSegment(segmentId);
        requireContact(contactId, CONTACT_NOT_FOUND);
        if (!s.published()) {
            throw new Rejected(403, ACCESS_DENIED);
        }
        return s;
    }

    private Set<Long> campaignMembership(long campaignId, long contactId) {
        if (!campaigns.containsKey(campaignId)) {
            throw new Rejected(404, ITEM_NOT_FOUND);
        }
        requireContact(contactId, CONTACT_NOT_FOUND);
        return campaignMembers.computeIfAbsent(campaignId, k -> new LinkedHashSet<>());
    }

    private Field fieldByAlias(String alias) {
        return fields.values().stream().filter(f -> f.alias().equals(alias)).findFirst().orElse(null);
    }

    private Form withSyncedOptions(Form form) {
        List<FormField> synced = form.fields().stream().map(f -> {
            Field source = f.syncsFromContactField() ? fieldByAlias(f.mappedField()) : null;
            if (source == null) {
                return f;
            }
            ObjectNode p = (ObjectNode) f.properties();
            p.putObject("list").set("list", source.properties().path("list").deepCopy());
            return new FormField(f.id(), f.label(), f.alias(), f.type(), f.order(), f.required(), f.defaultValue(), p,
                    f.mappedObject(), f.mappedField());
        }).toList();
        return new Form(form.id(), form.name(), form.alias(), form.description(), form.published(), synced, form.dateAdded());
    }

    private FormField editFormField(FormField old, Map<?, ?> m, int order, Collection<FormField> others) {
        String label = stringOr(m.get("label"), old == null ? "Field" : old.label());
        String alias = stringOr(m.get("alias"), old == null
                ? alias(label, '_', s -> others.stream().anyMatch(f -> f.alias().equals(s))) : old.alias());
        if (others.stream().anyMatch(f -> f.alias().equals(alias) && (old == null || f.id() != old.id()))) {
            throw new Rejected(400, "Another field is already using the alias '" + alias + "'.", "alias");
        }
        JsonNode props = m.containsKey("properties") ? SimServer.JSON.valueToTree(m.get("properties"))
                : old == null ? null : old.properties();
        return new FormField(old == null ? next("formfield") : old.id(), label, alias,
                stringOr(m.get("type"), old == null ? "text" : old.type()), order,
                m.containsKey("isRequired") ? truthy(m.get("isRequired")) : old != null && old.required(),
                stringOr(m.get("defaultValue"), old == null ? null : old.defaultValue()), props,
                stringOr(m.get("mappedObject"), old == null ? null : old.mappedObject()),
                stringOr(m.get("mappedField"), old == null ? null : old.mappedField()));
    }

    private void modifyTags(Set<String> current, Object input) {
        if (input == null) {
            return;
        }
        Collection<?> items = input instanceof Collection<?> c ? c : List.of(input.toString().split(","));
        for (Object item : items) {
            String t = String.valueOf(item).trim();
            if (t.startsWith("-")) {
                current.remove(t.substring(1));
            } else if (!t.isEmpty()) {
                tags.computeIfAbsent(t, k -> next("tag"));
                current.add(t);
            }
        }
    }

    private void record(long contactId, String event, String type, String label, Map<String, Object> details) {
        activity.add(new Activity(next("activity"), contactId, event, type, label, now(), Collections.unmodifiableMap(details)));
    }

    private long next(String kind) {
        return sequences.merge(kind, 1L, Long::sum);
    }

    private static boolean sameData(Contact a, Contact b) {
        return a.fields().equals(b.fields()) && a.tags().equals(b.tags()) && a.points() == b.points()
                && a.ipAddresses().equals(b.ipAddresses()) && Objects.equals(a.lastActive(), b.lastActive());
    }

    /** The value as Mautic's database keeps it: booleans as 1/0, multiselect joined with |. */
    private static String storedValue(Field f, Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).collect(Collectors.joining("|"));
        }
        if (f.type().equals("boolean")) {
            String s = v.toString().trim().toLowerCase(Locale.ROOT);
            return s.isEmpty() ? "" : Set.of("1", "true", "yes", "on").contains(s) ? "1" : "0";
        }
        if (v instanceof Double d && d == Math.rint(d)) {
            return String.valueOf(d.longValue());
        }
        return v.toString();
    }

    private static boolean isZero(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue() == 0;
        }
        return v instanceof String s && NUMERIC.matcher(s).matches() && Double.parseDouble(s.trim()) == 0;
    }

    static boolean truthy(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        return v != null && Set.of("1", "true", "yes", "on").contains(v.toString().trim().toLowerCase(Locale.ROOT));
    }

    static int toInt(Object v) {
        if (v instanceof Number n) {
            return n.intValue();
        }
        try {
            return (int) Double.parseDouble(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new Rejected(400, "This is a bad request.");
        }
    }

    private static String text(Object v) {
        return v == null ? null : v.toString();
    }

    private static String stringOr(Object v, String fallback) {
        return v == null ? fallback : v.toString();
    }

    private static List<Option> optionsOf(JsonNode list) {
        List<Option> out = new ArrayList<>();
        list.forEach(o -> out.add(new Option(o.path("label").asText(), o.path("value").asText())));
        return out;
    }

    /** Mautic's alias: lower-case ASCII of the text, other characters as the separator, a number added if taken. */
    static String alias(String text, char sep, Predicate<String> taken) {
        String ascii = Normalizer.normalize(text == null ? "" : text, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
        String base = ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", String.valueOf(sep))
                .replaceAll("^" + Pattern.quote(String.valueOf(sep)) + "+|" + Pattern.quote(String.valueOf(sep)) + "+$", "");
        String candidate = base.isEmpty() ? "field" : base;
        for (int n = 1; taken.test(candidate); n++) {
            candidate = base + sep + n;
        }
        return candidate;
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }
}
