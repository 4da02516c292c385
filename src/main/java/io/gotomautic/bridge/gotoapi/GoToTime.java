package io.gotomautic.bridge.gotoapi;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** GoTo's date-times: ISO 8601, usually UTC with {@code Z}, sometimes with an offset like {@code +0000}. */
final class GoToTime {

    private static final DateTimeFormatter COMPACT_OFFSET = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss[.SSS]XX");

    private GoToTime() {
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
