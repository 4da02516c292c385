package io.gotomautic.bridge.sandbox;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gotomautic.bridge.sandbox.MauticState.Contact;

/**
 * The contact list's filters: {@code search} in Mautic's {@code command:value} syntax, the advanced
 * {@code where[i][col|expr|val]}, and {@code orderBy}/{@code orderByDir}. Comparisons ignore case as MySQL's
 * default collation does, and {@code email:} is a LIKE, so {@code _} and {@code %} are wildcards.
 */
final class MauticContactSearch {

    private static final Pattern TERM = Pattern.compile("(!?)(?:([a-z_]+):)?(\"[^\"]*\"|\\S+)");
    private static final Set<String> COLUMNS = Set.of("id", "points", "date_added", "date_modified", "date_identified", "last_active");

    private final MauticState state;

    MauticContactSearch(MauticState state) {
        this.state = state;
    }

    /** The matching contacts in list order; paging is the caller's. */
    List<Contact> find(Map<String, Object> query) {
        Predicate<Contact> filter = c -> true;
        Object search = query.get("search");
        if (search != null) {
            Matcher m = TERM.matcher(search.toString());
            while (m.find()) {
                Predicate<Contact> term = term(m.group(2), m.group(3).replace("\"", ""));
                filter = filter.and(m.group(1).isEmpty() ? term : term.negate());
            }
        }
        for (Object w : items(query.get("where"))) {
            if (w instanceof Map<?, ?> clause) {
                filter = filter.and(where(clause));
            }
        }
        String orderBy = query.get("orderBy") == null ? "last_active" : query.get("orderBy").toString();
        boolean descending = query.get("orderBy") == null
                || "DESC".equalsIgnoreCase(String.valueOf(query.getOrDefault("orderByDir", "ASC")));
        Comparator<Contact> order = Comparator.comparing((Contact c) -> value(c, orderBy),
                Comparator.nullsFirst(MauticContactSearch::compare));
        if (descending) {
            order = order.reversed();
        }
        return state.contacts().stream().filter(filter).sorted(order.thenComparing(Contact::id)).toList();
    }

    private Predicate<Contact> term(String command, String value) {
        if (command == null) {
            return c -> contains(c.email(), value) || contains(c.field("firstname"), value)
                    || contains(c.field("lastname"), value) || contains(c.field("company"), value);
        }
        return switch (command) {
            case "email" -> c -> like(c.email(), value);
            case "name" -> c -> contains((nullToEmpty(c.field("firstname")) + " " + nullToEmpty(c.field("lastname"))).trim(), value);
            case "ids" -> c -> List.of(value.split(",")).contains(String.valueOf(c.id()));
            case "tag" -> c -> c.tags().stream().anyMatch(t -> t.equalsIgnoreCase(value));
            case "segment" -> c -> state.segmentByAlias(value).map(s -> state.segmentMembers(s.id()).contains(c.id())).orElse(false);
            case "is" -> c -> value.equals("anonymous") == c.isAnonymous();
            default -> c -> like(value(c, column(command)), value);
        };
    }

    private Predicate<Contact> where(Map<?, ?> clause) {
        String col = column(String.valueOf(clause.get("col")));
        String expr = String.valueOf(clause.get("expr"));
        Object val = clause.get("val");
        return c -> {
            String v = value(c, col);
            return switch (expr) {
                case "eq" -> v != null && v.equalsIgnoreCase(String.valueOf(val));
                case "neq" -> v == null || !v.equalsIgnoreCase(String.valueOf(val));
                case "lt" -> v != null && compare(v, String.valueOf(val)) < 0;
                case "lte" -> v != null && compare(v, String.valueOf(val)) <= 0;
                case "gt" -> v != null && compare(v, String.valueOf(val)) > 0;
                case "gte" -> v != null && compare(v, String.valueOf(val)) >= 0;
                case "like" -> like(v, String.valueOf(val));
                case "notLike" -> !like(v, String.valueOf(val));
                case "in" -> v != null && items(val).stream().anyMatch(x -> v.equalsIgnoreCase(String.valueOf(x)));
                case "notIn" -> v == null || items(val).stream().noneMatch(x -> v.equalsIgnoreCase(String.valueOf(x)));
                case "isNull" -> v == null;
                case "isNotNull" -> v != null;
                default -> throw new MauticState.Rejected(400, "Invalid where expression: " + expr);
            };
        };
    }

    private String column(String col) {
        if (!COLUMNS.contains(col) && state.field(col).isEmpty()) {
            throw new MauticState.Rejected(400, "Invalid column: " + col);
        }
        return col;
    }

    private static String value(Contact c, String col) {
        return switch (col) {
            case "id" -> String.valueOf(c.id());
            case "points" -> String.valueOf(c.points());
            case "date_added" -> MauticDates.db(c.dateAdded());
            case "date_modified" -> MauticDates.db(c.dateModified());
            case "date_identified" -> MauticDates.db(c.dateIdentified());
            case "last_active" -> MauticDates.db(c.lastActive());
            default -> c.field(col);
        };
    }

    /** A list value as query or JSON gives it: a list, an index-keyed map, or a comma string. */
    private static List<?> items(Object v) {
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> l) {
            return l;
        }
        if (v instanceof Map<?, ?> m) {
            return new ArrayList<>(m.values());
        }
        return List.of(v.toString().split(","));
    }

    private static int compare(String a, String b) {
        try {
            return Double.compare(Double.parseDouble(a), Double.parseDouble(b));
        } catch (NumberFormatException e) {
            return a.compareToIgnoreCase(b);
        }
    }

    private static boolean like(String value, String pattern) {
        if (value == null) {
            return false;
        }
        StringBuilder regex = new StringBuilder();
        for (char ch : pattern.toCharArray()) {
            regex.append(ch == '%' ? ".*" : ch == '_' ? "." : Pattern.quote(String.valueOf(ch)));
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL)
                .matcher(value).matches();
    }

    private static boolean contains(String value, String part) {
        return value != null && value.toLowerCase(Locale.ROOT).contains(part.toLowerCase(Locale.ROOT));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
