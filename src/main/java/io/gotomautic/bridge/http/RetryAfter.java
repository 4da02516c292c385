package io.gotomautic.bridge.http;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A {@code Retry-After} header (RFC 9110 §10.2.3): seconds ({@code 120}) or an HTTP-date in any of the three forms a
 * recipient must read (§5.6.7: {@code Wed, 21 Oct 2015 07:28:00 GMT}, the obsolete RFC 850
 * {@code Wednesday, 21-Oct-15 07:28:00 GMT} and asctime {@code Wed Oct 21 07:28:00 2015}), as the wait from now. A date in the past is no wait; anything else
 * (garbage, a negative or absurd number) is no advice at all, so the caller's own backoff applies.
 */
public final class RetryAfter {

    /** Longer than any server means: a value beyond this is a mistake, not advice. */
    private static final long MAX_SECONDS = Duration.ofDays(1).toSeconds();

    /** IMF-fixdate, and its two obsolete forms; all in GMT. */
    private static final List<DateTimeFormatter> DATES = List.of(
            DateTimeFormatter.RFC_1123_DATE_TIME,
            new DateTimeFormatterBuilder().appendPattern("EEEE, dd-MMM-")
                    // a two-digit year is the one nearest to now (RFC 9110: never more than 50 years ahead)
                    .appendValueReduced(ChronoField.YEAR, 2, 2, LocalDate.now(ZoneOffset.UTC).minusYears(49))
                    .appendPattern(" HH:mm:ss 'GMT'").toFormatter(Locale.US).withZone(ZoneOffset.UTC),
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC));

    private RetryAfter() {
    }

    /** The response's Retry-After as a wait from now, when it has a readable one. */
    public static Optional<Duration> of(HttpTransport.Response r) {
        return r.header("Retry-After").flatMap(v -> parse(v, Clock.systemUTC()));
    }

    static Optional<Duration> parse(String value, Clock clock) {
        String v = value.trim();
        if (v.matches("\\d{1,9}")) {
            long seconds = Long.parseLong(v);
            return seconds > MAX_SECONDS ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        }
        for (DateTimeFormatter form : DATES) {
            try {
                Duration wait = Duration.between(clock.instant(), ZonedDateTime.parse(v, form).toInstant());
                if (wait.toSeconds() > MAX_SECONDS) {
                    return Optional.empty();
                }
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException e) {
                // not this form
            }
        }
        return Optional.empty();
    }
}
