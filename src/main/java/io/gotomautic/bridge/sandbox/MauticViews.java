package io.gotomautic.bridge.sandbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import io.gotomautic.bridge.sandbox.MauticState.Activity;
import io.gotomautic.bridge.sandbox.MauticState.Campaign;
import io.gotomautic.bridge.sandbox.MauticState.Contact;
import io.gotomautic.bridge.sandbox.MauticState.Email;
import io.gotomautic.bridge.sandbox.MauticState.Field;
import io.gotomautic.bridge.sandbox.MauticState.Form;
import io.gotomautic.bridge.sandbox.MauticState.FormField;
import io.gotomautic.bridge.sandbox.MauticState.Hook;
import io.gotomautic.bridge.sandbox.MauticState.Note;
import io.gotomautic.bridge.sandbox.MauticState.Option;
import io.gotomautic.bridge.sandbox.MauticState.Segment;
import io.gotomautic.bridge.sandbox.MauticState.Submission;
import io.gotomautic.bridge.sandbox.MauticState.UtmRow;

/** The JSON shapes Mautic's serializer gives each entity, as plain maps and lists for {@link MauticPhpJson}. */
final class MauticViews {

    /** How a list endpoint shapes its plural value. */
    enum ListShape {
        /** Keyed by id; even an empty result is an object (contacts). */
        KEYED_OBJECT,
        /** Keyed by id; an empty result is PHP's empty array {@code []}. */
        KEYED,
        /** A plain array (notes, forms). */
        ARRAY
    }

    private static final String USER_NAME = "Admin User";
    private static final List<String> GROUPS = List.of("core", "social", "personal", "professional");

    private final MauticState state;

    MauticViews(MauticState state) {
        this.state = state;
    }

    /** The list envelope {@code {total, <plural>}}; items carry their {@code id}. */
    static Map<String, Object> list(String plural, Object total, List<Map<String, Object>> items, ListShape shape) {
        Object value = items;
        if (shape != ListShape.ARRAY && (!items.isEmpty() || shape == ListShape.KEYED_OBJECT)) {
            Map<String, Object> keyed = new LinkedHashMap<>();
            items.forEach(i -> keyed.put(String.valueOf(i.get("id")), i));
            value = keyed;
        }
        return map("total", total, plural, value);
    }

    /** What PHP's json_encode makes of an index-keyed array: a list when the keys run 0..n-1, else an object. */
    static Object phpArray(SortedMap<Integer, ?> byIndex) {
        boolean sequential = byIndex.isEmpty() || byIndex.lastKey() == byIndex.size() - 1;
        if (sequential) {
            return new ArrayList<>(byIndex.values());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        byIndex.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    /** A contact as the API returns it; webhooks leave out {@code fields.all} and do not populate {@code utmtags}. */
    Map<String, Object> contact(Contact c, boolean forWebhook) {
        Map<String, Object> out = publishDetails(c.id(), true, c.dateAdded(), c.dateModified());
        out.put("points", c.points());
        out.put("color", null);
        out.put("fields", fields(c, !forWebhook));
        out.put("lastActive", MauticDates.iso(c.lastActive()));
        out.put("owner", null);
        Map<String, Object> ips = new LinkedHashMap<>();
        c.ipAddresses().forEach(ip -> ips.put(ip, map("ipAddress", ip, "ipDetails", map("city", "", "country", ""))));
        out.put("ipAddresses", ips.isEmpty() ? List.of() : ips);
        out.put("tags", c.tags().stream().map(t -> map("id", state.tagId(t).orElse(null), "tag", t)).toList());
        out.put("utmtags", forWebhook ? List.of() : state.utmRows(c.id()).stream().map(MauticViews::utm).toList());
        out.put("stage", null);
        out.put("dateIdentified", MauticDates.iso(c.dateIdentified()));
        out.put("preferredProfileImage", "gravatar");
        out.put("doNotContact", List.of());
        out.put("frequencyRules", List.of());
        return out;
    }

    /** The short form other entities embed: {@code {id, points, color, fields}} with the grouped fields only. */
    Map<String, Object> lead(Contact c) {
        return map("id", c.id(), "points", c.points(), "color", null, "fields", fields(c, false));
    }

    Map<String, Object> field(Field f) {
        Map<String, Object> out = publishDetails(f.id(), f.published(), null, null);
        out.put("label", f.label());
        out.put("alias", f.alias());
        out.put("type", f.type());
        out.put("group", f.group());
        out.put("order", f.order());
        out.put("object", "lead");
        out.put("defaultValue", f.defaultValue());
        out.put("isRequired", f.required());
        out.put("isPubliclyUpdatable", false);
        out.put("isUniqueIdentifier", f.uniqueIdentifier());
        out.put("isFixed", f.fixed());
        out.put("isListable", true);
        out.put("isVisible", true);
        out.put("isShortVisible", true);
        out.put("properties", phpObject(f.properties()));
        return out;
    }

    Map<String, Object> segment(Segment s) {
        Map<String, Object> out = publishDetails(s.id(), s.published(), s.dateAdded(), null);
        out.put("name", s.name());
        out.put("publicName", s.publicName());
        out.put("alias", s.alias());
        out.put("description", s.description());
        out.put("category", null);
        out.put("filters", List.of());
        out.put("isGlobal", s.global());
        out.put("isPreferenceCenter", false);
        return out;
    }

    Map<String, Object> campaign(Campaign c) {
        Map<String, Object> out = publishDetails(c.id(), c.published(), c.dateAdded(), null);
        out.put("name", c.name());
        out.put("description", c.description());
        out.put("category", null);
        out.put("allowRestart", false);
        out.put("publishUp", null);
        out.put("publishDown", null);
        out.put("events", List.of());
        out.put("forms", List.of());
        out.put("lists", List.of());
        return out;
    }

    Map<String, Object> email(Email e) {
        Map<String, Object> out = publishDetails(e.id(), e.published(), e.dateAdded(), null);
        out.put("name", e.name());
        out.put("subject", e.subject());
        out.put("language", "en");
        out.put("category", null);
        out.put("fromAddress", null);
        out.put("fromName", null);
        out.put("customHtml", e.customHtml());
        out.put("plainText", null);
        out.put("template", null);
        out.put("emailType", e.emailType());
        out.put("publishUp", null);
        out.put("publishDown", null);
        out.put("sentCount", state.emailSends(e.id()).size());
        out.put("readCount", 0);
        out.put("lists", List.of());
        return out;
    }

    Map<String, Object> form(Form f) {
        Map<String, Object> out = publishDetails(f.id(), f.published(), f.dateAdded(), null);
        out.put("name", f.name());
        out.put("alias", f.alias());
        out.put("category", null);
        out.put("description", f.description());
        out.put("cachedHtml", "<div id=\"mauticform_wrapper_" + f.alias() + "\" class=\"mauticform_wrapper\"></div>");
        out.put("publishUp", null);
        out.put("publishDown", null);
        out.put("fields", f.fields().stream().map(MauticViews::formField).toList());
        out.put("actions", List.of());
        out.put("template", null);
        out.put("inKioskMode", false);
        out.put("renderStyle", true);
        out.put("formType", "standalone");
        out.put("postAction", "message");
        out.put("postActionProperty", "Thank you");
        out.put("noIndex", false);
        out.put("formAttributes", null);
        out.put("language", null);
        return out;
    }

    Map<String, Object> note(Note n) {
        return map("id", n.id(), "text", n.text(), "type", n.type(), "dateTime", MauticDates.iso(n.dateTime()),
                "lead", state.contact(n.contactId()).map(this::lead).orElse(null));
    }

    static Map<String, Object> activity(Activity a) {
        return map("event", a.event(), "eventId", a.event() + a.id(), "eventLabel", a.label(), "eventType", a.eventType(),
                "timestamp", MauticDates.iso(a.timestamp()), "contactId", a.contactId(), "details", a.details());
    }

    static Map<String, Object> hook(Hook h) {
        return map("id", h.id(), "name", h.name(), "description", h.description(), "webhookUrl", h.url(), "secret", h.secret(),
                "eventsOrderbyDir", h.eventsOrderbyDir(), "category", null, "triggers", h.triggers(), "isPublished", h.published());
    }

    Map<String, Object> submission(Submission s, Form form, Contact lead, String ipAddress) {
        return map("id", s.id(),
                "ipAddress", map("id", 1, "ipAddress", ipAddress, "ipDetails", map("city", "", "country", "")),
                "form", map("id", form.id(), "name", form.name(), "alias", form.alias(), "category", null),
                "lead", lead(lead),
                "trackingId", String.format("%040x", s.id()),
                "dateSubmitted", MauticDates.iso(s.dateSubmitted()),
                "referer", null, "page", null, "results", s.results());
    }

    static Map<String, Object> utm(UtmRow r) {
        return map("id", r.id(), "query", r.query() == null ? List.of() : r.query(), "referer", r.referer(),
                "remoteHost", r.remoteHost(), "url", r.url(), "userAgent", r.userAgent(), "utmCampaign", r.utmCampaign(),
                "utmContent", r.utmContent(), "utmMedium", r.utmMedium(), "utmSource", r.utmSource(), "utmTerm", r.utmTerm());
    }

    /** A LinkedHashMap from key/value pairs; unlike Map.of it keeps the order and takes nulls. */
    static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            out.put((String) keyValues[i], keyValues[i + 1]);
        }
        return out;
    }

    private static Map<String, Object> publishDetails(long id, boolean published, Instant added, Instant modified) {
        boolean edited = modified != null && !modified.equals(added);
        return map("id", id, "isPublished", published, "dateAdded", MauticDates.iso(added),
                "dateModified", edited ? MauticDates.iso(modified) : null, "createdBy", 1, "createdByUser", USER_NAME,
                "modifiedBy", edited ? 1 : null, "modifiedByUser", edited ? USER_NAME : null);
    }

    private static Map<String, Object> formField(FormField f) {
        return map("id", f.id(), "label", f.label(), "showLabel", true, "alias", f.alias(), "type", f.type(),
                "defaultValue", f.defaultValue(), "isRequired", f.required(), "validationMessage", null, "helpMessage", null,
                "order", f.order(), "properties", phpObject(f.properties()), "validation", List.of(), "parent", null,
                "conditions", List.of(), "labelAttributes", null, "inputAttributes", null, "containerAttributes", null,
                "leadField", f.mappedField(), "saveResult", true, "isAutoFill", false,
                "mappedObject", f.mappedObject(), "mappedField", f.mappedField());
    }

    /** The grouped fields (every published field, null when unset) and, for the API, the flat {@code all}. */
    private Map<String, Object> fields(Contact c, boolean withAll) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Field> defs = state.fields().stream().filter(Field::published).toList();
        for (String group : GROUPS) {
            Map<String, Object> entries = new LinkedHashMap<>();
            defs.stream().filter(f -> f.group().equals(group)).forEach(f -> entries.put(f.alias(), groupEntry(f, raw(c, f))));
            out.put(group, entries.isEmpty() ? List.of() : entries);
        }
        if (withAll) {
            Map<String, Object> all = map("id", c.id());
            defs.forEach(f -> all.put(f.alias(), typed(f, raw(c, f))));
            out.put("all", all);
        }
        return out;
    }

    private static String raw(Contact c, Field f) {
        return f.alias().equals("points") ? String.valueOf(c.points()) : c.field(f.alias());
    }

    private static Map<String, Object> groupEntry(Field f, String value) {
        return map("id", String.valueOf(f.id()), "label", f.label(), "alias", f.alias(), "type", f.type(), "group", f.group(),
                "object", "lead", "is_fixed", f.fixed() ? "1" : "0", "properties", serialized(f.properties()),
                "default_value", f.defaultValue(), "value", value, "normalizedValue", normalized(f, value));
    }

    /** {@code fields.all} casts numbers; everything else stays the database string. */
    private static Object typed(Field f, String value) {
        if (value == null || !f.type().equals("number")) {
            return value;
        }
        try {
            double d = Double.parseDouble(value);
            return d == Math.rint(d) && !value.contains(".") ? (Object) (long) d : (Object) d;
        } catch (NumberFormatException e) {
            return value;
        }
    }

    /** Labels instead of values for booleans, selects and multiselects. */
    private static String normalized(Field f, String value) {
        if (value == null) {
            return null;
        }
        JsonNode p = f.properties();
        return switch (f.type()) {
            case "boolean" -> p.path(value.equals("1") ? "yes" : "no").asText(value);
            case "select", "lookup" -> label(f.options(), value);
            case "multiselect" -> List.of(value.split("\\|")).stream().map(v -> label(f.options(), v))
                    .collect(Collectors.joining("|"));
            default -> value;
        };
    }

    private static String label(List<Option> options, String value) {
        return options.stream().filter(o -> o.value().equals(value)).map(Option::label).findFirst().orElse(value);
    }

    /** The database keeps field properties PHP-serialized, and the grouped contact fields show that raw string. */
    private static String serialized(Object value) {
        Object v = value instanceof JsonNode n ? SimServer.JSON.convertValue(n, Object.class) : value;
        if (v == null) {
            return "N;";
        }
        if (v instanceof Boolean b) {
            return "b:" + (b ? 1 : 0) + ";";
        }
        if (v instanceof Integer || v instanceof Long) {
            return "i:" + v + ";";
        }
        if (v instanceof Number n) {
            return "d:" + n + ";";
        }
        if (v instanceof Map<?, ?> || v instanceof List<?>) {
            Map<?, ?> entries = v instanceof Map<?, ?> m ? m : indexed((List<?>) v);
            StringBuilder out = new StringBuilder("a:" + entries.size() + ":{");
            entries.forEach((k, x) -> out.append(k instanceof Integer ? "i:" + k + ";" : serialized(String.valueOf(k)))
                    .append(serialized(x)));
            return out.append('}').toString();
        }
        String s = v.toString();
        return "s:" + s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + ":\"" + s + "\";";
    }

    private static Map<Integer, Object> indexed(List<?> list) {
        Map<Integer, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            out.put(i, list.get(i));
        }
        return out;
    }

    /** PHP's empty array is {@code []}, so empty properties come out as a list. */
    private static Object phpObject(JsonNode properties) {
        return properties.isEmpty() ? List.of() : properties;
    }
}
