package io.gotomautic.bridge.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class RetryAfterTest {

    private static final Clock NOW = Clock.fixed(Instant.parse("2015-10-21T07:27:00Z"), ZoneOffset.UTC);

    @Test
    void secondsAreTheWait() {
        assertThat(RetryAfter.parse("120", NOW)).hasValue(Duration.ofSeconds(120));
        assertThat(RetryAfter.parse(" 0 ", NOW)).hasValue(Duration.ZERO);
    }

    @Test
    void anHttpDateIsTheWaitUntilThen() {
        assertThat(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", NOW)).hasValue(Duration.ofSeconds(60));
        assertThat(RetryAfter.parse("Wed, 21 Oct 2015 07:00:00 GMT", NOW)).as("already past").hasValue(Duration.ZERO);
    }

    @Test
    void theObsoleteDateFormsAreReadToo() {
        assertThat(RetryAfter.parse("Wednesday, 21-Oct-15 07:28:30 GMT", NOW)).as("RFC 850").hasValue(Duration.ofSeconds(90));
        assertThat(RetryAfter.parse("Wed Oct 21 07:29:00 2015", NOW)).as("asctime").hasValue(Duration.ofSeconds(120));
        assertThat(RetryAfter.parse("Sun Nov  6 08:49:37 1994", NOW)).as("asctime, one-digit day, past").hasValue(Duration.ZERO);
    }

    @Test
    void garbageIsNoAdvice() {
        for (String v : new String[] {"", "soon", "-5", "1.5", "99999999999999999999", "86401", "Wed, 32 Oct 2015 07:28:00 GMT",
                "2015-10-21T07:28:00Z", "Thu, 21 Oct 2100 07:28:00 GMT", "Wednesday, 21-Oct-15 07:28:30 CET"}) {
            assertThat(RetryAfter.parse(v, NOW)).as(v).isEmpty();
        }
    }
}
