package io.gotomautic.bridge.sandbox;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.gotomautic.bridge.sandbox.GoToState.TimeRange;

/** What the GoTo APIs have in common on the wire: time format, keys in paths, paging, error bodies. */
final class GoToWire {

    static final int DEFAULT_PAGE_SIZE = 20;
    static final int MAX_PAGE_SIZE = 200;

    private GoToWire() {
    }

    /** A page a client asked for; sizes above the maximum are cut to it, as Spring-style paging does. */
    record Page(int number, int size) {
        <T> List<T> slice(List<T> all) {
            long from = (long) number * size;
            if (from >= all.size()) {
                return List.of();
            }
            return all.subList((int) from, (int) Math.min(all.size(), from + size));
        }
    }

    static ObjectNode object() {
        return SimServer.JSON.createObjectNode();
    }

    static ArrayNode array() {
        return SimServer.JSON.createArrayNode();
    }

    /** ISO 8601 in UTC to the second, e.g. {@code 2026-06-15T17:00:00Z}. */
    static String time(Instant t) {
        return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    /** ISO 8601 in UTC to the millisecond, as the timestamps of GoTo's webhook samples are. */
    static String timeMillis(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.MILLIS));
    }

    /** Times as {@code [{startName, endName}]}: G2W says startTime/endTime, G2T startDate/endDate. */
    static ArrayNode times(List<TimeRange> times, String startName, String endName) {
        ArrayNode a = array();
        times.forEach(t -> a.addObject().put(startName, time(t.start())).put(endName, time(t.end())));
        return a;
    }

    static Instant requiredTime(SimRequest req, String name) {
        return parseTime(req.query(name).orElseThrow(() -> badRequest("Required parameter '" + name + "' is missing")), name);
    }

    /** A time in the body or query; a '+' sent unencoded arrives as a space and fails here, as at GoTo. */
    static Instant parseTime(String value, String name) {
        try {
            return OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw badRequest("Parameter '" + name + "' is not an ISO 8601 date-time: " + value);
        }
    }

    /** A required time range from two query parameters, e.g. fromTime and toTime. */
    static TimeRange requiredRange(SimRequest req, String fromName, String toName) {
        return requiredRange(requiredTime(req, fromName), requiredTime(req, toName));
    }

    static TimeRange requiredRange(Instant from, Instant to) {
        if (!to.isAfter(from)) {
            throw badRequest("The end of the time range must be after its start");
        }
        return new TimeRange(from, to);
    }

    /** A 64-bit key from the path; anything else is a bad request. */
    static long key(SimRequest req, String name) {
        String v = req.param(name);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw badRequest("Path parameter '" + name + "' is not a valid key: " + v);
        }
    }

    /** The token works for its own organizer only; another organizer's key in the path is refused. */
    static void requireOwnOrganizer(SimRequest req, GoToState state) {
        if (key(req, "organizerKey") != state.organizer().key()) {
            throw error(403, "Forbidden", "The access token does not belong to organizer " + req.param("organizerKey"));
        }
    }

    static int intQuery(SimRequest req, String name, int fallback) {
        String v = req.query(name).orElse(null);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw badRequest("Parameter '" + name + "' must not be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw badRequest("Parameter '" + name + "' is not a number: " + v);
        }
    }

    /** {@code page} (0-based) and a size parameter ({@code size} or {@code limit}) with GoTo's default and maximum. */
    static Page page(SimRequest req, String sizeName, int defaultSize) {
        int size = intQuery(req, sizeName, defaultSize);
        if (size == 0) {
            throw badRequest("Parameter '" + sizeName + "' must be at least 1");
        }
        return new Page(intQuery(req, "page", 0), Math.min(size, MAX_PAGE_SIZE));
    }

    /**
     * The reporting envelope {@code {"_embedded":{listKey:[…]}, "page":{size,totalElements,totalPages,number}}};
     * whether an empty page carries {@code _embedded} at all is not known, so the caller decides.
     */
    static ObjectNode embeddedPage(String listKey, List<? extends JsonNode> all, Page page, boolean omitEmpty) {
        List<? extends JsonNode> items = page.slice(all);
        ObjectNode body = object();
        if (!items.isEmpty() || !omitEmpty) {
            body.putObject("_embedded").putArray(listKey).addAll(List.copyOf(items));
        }
        body.putObject("page").put("size", page.size()).put("totalElements", all.size())
                .put("totalPages", (all.size() + page.size() - 1) / page.size()).put("number", page.number());
        return body;
    }

    /** A field the client must send, as text. */
    static String requiredText(JsonNode body, String field) {
        JsonNode v = body.path(field);
        if (!v.isValueNode() || v.asText().isBlank()) {
            throw badRequest("Required field '" + field + "' is missing");
        }
        return v.asText();
    }

    static String optionalText(JsonNode body, String field) {
        JsonNode v = body.path(field);
        return v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    /** The Citrix-family business error {@code {errorCode, description, incident}}. */
    static ObjectNode errorBody(String errorCode, String description) {
        return object().put("errorCode", errorCode).put("description", description).put("incident", incident());
    }

    static SimError error(int status, String errorCode, String description) {
        return new SimError(status, description, errorBody(errorCode, description));
    }

    static SimError badRequest(String description) {
        return error(400, "InvalidRequest", description);
    }

    static SimError notFound(String description) {
        return error(404, "NotFound", description);
    }

    /** A support incident number, as GoTo puts in error bodies. */
    static long incident() {
        return ThreadLocalRandom.current().nextLong(1_000_000_000_000_000_000L, Long.MAX_VALUE);
    }

    /**
     * The body for errors no handler shaped: an unrouted path answers like GoTo's gateway, everything else
     * (faults, the rate limit, method not allowed) in the business error shape.
     */
    static SimResponse errorFormat(int status, String message) {
        if (status == 404) {
            return SimResponse.json(404, object().put("errorCode", "NOT_FOUND").put("message", message));
        }
        String code = switch (status) {
            case 400 -> "InvalidRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 405 -> "MethodNotAllowed";
            case 409 -> "Conflict";
            case 429 -> "TooManyRequests";
            case 500 -> "InternalError";
            case 502 -> "BadGateway";
            case 503 -> "ServiceUnavailable";
            case 504 -> "GatewayTimeout";
            default -> "Error";
        };
        return SimResponse.json(status, errorBody(code, message));
    }
}
