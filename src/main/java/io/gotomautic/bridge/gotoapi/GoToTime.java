package io.gotomautic.bridge.gotoapi;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** GoTo's date-times: ISO 8601, usually UTC with {@code Z}, sometimes with an offset like {@code +0000}. */
final class GoToTime {

    private static final DateTimeFormatter COMPACT_OFFSET = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss[.SSS]XX");

    private GoToTime() {
    }

    /**
     * The earliest start and latest end of an event's {@code times} (both null when it lists none), and each time's
     * end.
     */
    record Span(Instant start, Instant end, List<Instant> ends) {
    }

    /** @param startField {@code startTime} in GoToWebinar, {@code startDate} in GoToTraining (likewise the end) */
    static Span span(JsonNode times, String startField, String endField) {
        Instant start = null;
        Instant end = null;
        List<Instant> ends = new ArrayList<>();
        for (JsonNode t : times) {
            Instant s = parse(t.path(startField).asText());
            Instant e = parse(t.path(endField).asText());
            ends.add(e);
            start = start == null || s.isBefore(start) ? s : start;
            end = end == null || e.isAfter(end) ? e : end;
        }
        return new Span(start, end, List.copyOf(ends));
    }

    static Instant parse(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(text, COMPACT_OFFSET).toInstant();
            } catch (DateTimeParseException again) {
                throw new GoToException(200, "malformed", "GoTo sent a date-time that is not ISO 8601: \"" + text + "\"", true, again);
            }
        }
    }
}
