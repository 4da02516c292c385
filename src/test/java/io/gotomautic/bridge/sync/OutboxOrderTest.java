package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The outbox keeps order per person and event only (see {@link PullTestBase}): one contact Mautic keeps refusing
 * waits alone, counts its attempts and ends as a dead letter; Mautic down counts nothing; Retry-After is honoured.
 */
class OutboxOrderTest extends PullTestBase {

    private long webinar(String title) {
        return goTo.state().webinars().add(GoToWebinars.webinar(title)
                .times(TimeRange.of(now.plus(Duration.ofDays(5)), Duration.ofHours(1)))).key();
    }

    private boolean hasUtm(String email) {
        return state.contactByEmail(email).map(c -> !state.utmRows(c.id()).isEmpty()).orElse(false);
    }

    /** The outbox rows of a person, oldest first: id|state|status|attempts|last error. */
    private static List<String> rows(String email) throws Exception {
        return DB.strings("SELECT id || '|' || (payload->>'type') || '|' || status || '|' || attempts || '|' || coalesce(last_error, '')"
                + " FROM outbox WHERE payload->>'email' = ? ORDER BY id", email);
    }

    private static String deadLetters() throws Exception {
        return DB.strings("SELECT coalesce(string_agg(reason, ' | '), '') FROM dead_letter").get(0);
    }

    @Test
    void aContactMauticKeepsRefusingWaitsAloneWithItsLaterChangesThenIsADeadLetterAfterItsLastAttempt() throws Exception {
        long key = webinar("Launch");
        long bad = state.upsertContact(Map.of("email", "bad@example.com")).id();
        // the refused one first: before, its wait held back everyone queued after it
        var badRegistrant = goTo.state().webinars().addRegistrant(key, "Bad", "Luck", "bad@example.com");
        goTo.state().webinars().addRegistrant(key, "Good", "One", "good1@example.com");
        goTo.state().webinars().addRegistrant(key, "Good", "Two", "good2@example.com");
        mautic.faults().on("^/api/contacts/" + bad + "/utm/add").status(500);
        try (Bridge bridge = bridge(Map.of("bridge.cancel-after", "1s"))) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(hasUtm("good1@example.com")).isTrue();
                assertThat(hasUtm("good2@example.com")).isTrue();
                assertThat(rows("bad@example.com")).singleElement().satisfies(r -> assertThat(r)
                        .matches("\\d+\\|registered\\|pending\\|[1-9]\\d*\\|Mautic POST /api/contacts/" + bad + "/utm/add failed: HTTP 500.*"));
            });

            // the person's later change waits behind the refused one; someone registering meanwhile does not
            goTo.state().webinars().cancelRegistrant(badRegistrant.key());
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> rows("bad@example.com").size() == 2);
            goTo.state().webinars().addRegistrant(key, "Good", "Three", "good3@example.com");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> hasUtm("good3@example.com")
                    && rows("good3@example.com").get(0).contains("|delivered|"));
            assertThat(rows("bad@example.com").get(1)).as("never tried while the earlier change waits")
                    .matches("\\d+\\|cancelled\\|pending\\|0\\|");
            assertThat(deadLetters()).isEmpty();

            // its last attempt (the eleven before it take about 25 minutes: set, not waited for) makes it a dead letter
            long first = Long.parseLong(rows("bad@example.com").get(0).split("\\|")[0]);
            DB.strings("UPDATE outbox SET attempts = 11, next_attempt_at = now() WHERE id = ? RETURNING id", first);
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(deadLetters())
                    .startsWith("gave up after 12 attempts over about 25 minutes: Mautic POST /api/contacts/" + bad + "/utm/add failed: HTTP 500"));
            assertThat(rows("bad@example.com").get(0)).contains("|dead|");

            // mended, the change held back goes
            mautic.faults().clear();
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(rows("bad@example.com").get(1)).contains("|cancelled|delivered|");
                assertThat(state.utmRows(bad)).singleElement().satisfies(u -> assertThat(u.utmMedium()).isEqualTo("cancelled"));
            });
        }
    }

    @Test
    void mauticDownAndEveryContactsCallFailingCountNoAttempt() throws Exception {
        long key = webinar("Office Hours");
        for (int i = 0; i < 4; i++) {
            goTo.state().webinars().addRegistrant(key, "P" + i, "Q", "p" + i + "@example.com");
        }
        mautic.faults().on("^/api/").status(503);
        try (Bridge bridge = bridge(Map.of())) {
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> pending() == 4 && mautic.calls().count("GET /api/fields/contact") >= 3);
            assertThat(DB.strings("SELECT max(attempts) FROM outbox")).containsExactly("0");

            // the batch calls answer, then every contact's own call fails: Mautic's failure too, not theirs
            mautic.faults().clear();
            mautic.faults().on("/utm/add$").status(500);
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> mautic.calls().count("POST /api/contacts/{id}/utm/add") >= 6);
            assertThat(DB.strings("SELECT max(attempts) FROM outbox")).containsExactly("0");
            assertThat(pending()).isEqualTo(4);

            mautic.faults().clear();
            Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> pending() == 0);
            assertThat(deadLetters()).isEmpty();
        }
    }

    @Test
    void retryAfterFromMauticIsHonouredInSecondsForTheQueueAndAsADateForOneContact() throws Exception {
        long key = webinar("Busy");
        long slow = state.upsertContact(Map.of("email", "slow@example.com")).id();
        // the quick one first: before, it waited only for the old backoff's 2 s
        goTo.state().webinars().addRegistrant(key, "Fast", "F", "fast@example.com");
        goTo.state().webinars().addRegistrant(key, "Slow", "S", "slow@example.com");
        mautic.faults().on("^/api/contacts/batch/new").status(429).retryAfter(6).times(1);
        mautic.faults().on("^/api/contacts/" + slow + "/utm/add").status(503).retryAfterDate(Duration.ofSeconds(90)).times(1);
        try (Bridge bridge = bridge(Map.of())) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> mautic.calls().throttled() == 1);
            Instant throttled = Instant.now();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> hasUtm("fast@example.com"));
            // without Retry-After the queue would try again after 2 s
            assertThat(Duration.between(throttled, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(5500));

            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !rows("slow@example.com").get(0).endsWith("|"));
            assertThat(Double.parseDouble(DB.strings("SELECT extract(epoch FROM next_attempt_at - now()) FROM outbox"
                    + " WHERE payload->>'email' = 'slow@example.com'").get(0))).as("seconds until its retry").isGreaterThan(75);
        }
    }
}
