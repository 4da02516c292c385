package io.gotomautic.bridge.sandbox;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Dates as Mautic writes them (ISO-8601 with a {@code +00:00} offset) and reads them (most strtotime forms we meet). */
final class MauticDates {

    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");
    private static final DateTimeFormatter DB = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final List<DateTimeFormatter> LOCAL = List.of(DB, DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"),
            DateTimeFormatter.ISO_LOCAL_DATE_TIME);

    private MauticDates() {
    }

    /** The JMS serializer's format {@code c} in UTC; null stays null. */
    static String iso(Instant instant) {
        return instant == null ? null : ISO.format(instant.atOffset(ZoneOffset.UTC));
    }

    /** The database form {@code Y-m-d H:i:s} in UTC. */
    static String db(Instant instant) {
        return instant == null ? null : DB.format(instant.atOffset(ZoneOffset.UTC));
    }

    /** ISO with an offset, {@code Y-m-d H:i[:s]}, a bare date or epoch seconds; times without a zone are UTC. */
    static Instant parse(String text) {
        String s = text.trim();
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException ignored) {
            // not ISO with an offset; the local forms follow
        }
        for (DateTimeFormatter f : LOCAL) {
            try {
                return LocalDateTime.parse(s, f).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException ignored) {
                // try the next form
            }
        }
        try {
            return s.matches("\\d{9,11}") ? Instant.ofEpochSecond(Long.parseLong(s))
                    : LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new MauticState.Rejected(400, "This is a bad request.");
        }
    }
}
