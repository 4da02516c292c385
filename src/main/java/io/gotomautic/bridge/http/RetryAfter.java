package io.gotomautic.bridge.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * A {@code Retry-After} header (RFC 9110 §10.2.3): seconds ({@code 120}) or an HTTP-date
 * ({@code Wed, 21 Oct 2015 07:28:00 GMT}), as the wait from now. A date in the past is no wait; anything else
 * (garbage, a negative or absurd number) is no advice at all, so the caller's own backoff applies.
 */
public final class RetryAfter {

    /** Longer than any server means: a value beyond this is a mistake, not advice. */
    private static final long MAX_SECONDS = Duration.ofDays(1).toSeconds();

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
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(clock.instant(), at);
            if (wait.toSeconds() > MAX_SECONDS) {
                return Optional.empty();
            }
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
