package io.gotomautic.bridge.gotoapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.GoToTestSupport;
import io.gotomautic.bridge.config.RateLimit;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The GoTo client against the GoTo simulator over real HTTP, with its state in the real PostgreSQL. */
class GoToClientTest extends GoToTestSupport {


    GoToSimulator sim;
    int connection;

    @BeforeEach
    void startSimulator() throws Exception {
        sim = GoToSimulator.start(0, "client", "secret", REFRESH_TOKEN);
        // a fresh simulator knows only the configured refresh token
        try (Connection conn = DB.connect(); Statement st = conn.createStatement()) {
            st.execute("DELETE FROM goto_credential");
        }
    }

    @AfterEach
    void stopSimulator() {
        sim.close();
    }

    private GoToClient client(String secret, Duration timeout) {
        // each test a connection of its own, so windows and pauses of one test do not slow another
        return goToClient(sim, secret, timeout, "test-" + (++connection) + "-" + System.nanoTime(),
                new RateLimit(1000, Duration.ofSeconds(1)));
    }

    private GoToClient client() {
        return client("secret", Duration.ofSeconds(10));
    }

    private static String webinars(GoToClient c) {
        return "/G2W/rest/v2/organizers/" + c.organizer().key() + "/webinars?fromTime=2000-01-01T00:00:00Z&toTime=2100-01-01T00:00:00Z";
    }

    @Test
    void oneTokenServesManyCallsAndTheOrganizerIsLookedUpOnce() {
        GoToClient c = client();
        String key = c.organizer().key();
        assertThat(key).isEqualTo(String.valueOf(sim.state().organizer().key()));
        for (int i = 0; i < 5; i++) {
            assertThat(c.get(webinars(c)).path("page").isObject()).isTrue();
        }
        assertThat(sim.calls().count("POST /oauth/token")).isEqualTo(1);
        assertThat(sim.calls().count("GET /admin/rest/v1/me")).isEqualTo(1);
        assertThat(c.calls()).isEqualTo(6);
    }

    @Test
    void anExpiredTokenIsRefreshedOnceAndTheCallRepeated() {
        GoToClient c = client();
        c.organizer();
        sim.expireAllTokens();
        JsonNode page = c.get(webinars(c));
        assertThat(page.path("page").isObject()).isTrue();
        assertThat(sim.calls().count("POST /oauth/token")).isEqualTo(2);
    }

    @Test
    void concurrentCallersShareOneRefresh() throws Exception {
        GoToClient c = client();
        c.organizer();
        sim.expireAllTokens();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<JsonNode>> results = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            results.add(pool.submit(() -> c.get(webinars(c))));
        }
        for (Future<JsonNode> f : results) {
            assertThat(f.get(30, TimeUnit.SECONDS).path("page").isObject()).isTrue();
        }
        pool.shutdown();
        assertThat(sim.calls().count("POST /oauth/token")).as("first token + one refresh").isEqualTo(2);
    }

    @Test
    void a429IsHonouredWithRetryAfterThenTheCallSucceeds() {
        GoToClient c = client();
        String path = webinars(c);
        sim.faults().on("/webinars").status(429).retryAfter(1).times(2);
        long start = System.nanoTime();
        assertThat(c.get(path).path("page").isObject()).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(1900);
        assertThat(sim.calls().throttled()).isEqualTo(2);
    }

    @Test
    void a429sRetryAfterAsAnHttpDateIsHonoured() {
        GoToClient c = client();
        String path = webinars(c);
        sim.faults().on("/webinars").status(429).retryAfterDate(Duration.ofSeconds(4)).times(1);
        long start = System.nanoTime();
        assertThat(c.get(path).path("page").isObject()).isTrue();
        // the date has whole seconds, so 3 to 4 s; without reading the date the client would wait its 1 s backoff
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(2900);
        assertThat(sim.calls().throttled()).isEqualTo(1);
    }

    @Test
    void aPersistent429StormEndsInATransientFailure() {
        GoToClient c = client();
        String path = webinars(c);
        sim.faults().on("/webinars").status(429).retryAfter(0);
        assertThatThrownBy(() -> c.get(path))
                .isInstanceOfSatisfying(GoToException.class, e -> {
                    assertThat(e.isTransient()).isTrue();
                    assertThat(e.status()).isEqualTo(429);
                })
                .hasMessageContaining("still throttled (429) after 5 attempts");
    }

    @Test
    void serverErrorsAndMalformedBodiesAreTransientNotFoundIsNot() {
        GoToClient c = client();
        String path = webinars(c);
        sim.faults().on("/webinars").status(500).times(1);
        assertThatThrownBy(() -> c.get(path)).isInstanceOfSatisfying(GoToException.class,
                e -> assertThat(e.isTransient()).isTrue()).hasMessageContaining("HTTP 500");

        sim.faults().on("/webinars").malformed().times(1);
        assertThatThrownBy(() -> c.get(path)).isInstanceOfSatisfying(GoToException.class,
                e -> assertThat(e.isTransient()).isTrue()).hasMessageContaining("not JSON");

        assertThatThrownBy(() -> c.get("/G2W/rest/v2/organizers/" + c.organizer().key() + "/webinars/-1234567890123456789"))
                .isInstanceOfSatisfying(GoToException.class, e -> {
                    assertThat(e.isTransient()).isFalse();
                    assertThat(e.status()).isEqualTo(404);
                });
    }

    @Test
    void aCallWithNoAnswerInTimeIsATransientFailure() {
        GoToClient c = client("secret", Duration.ofMillis(800));
        String path = webinars(c);
        sim.faults().on("/webinars").hang(Duration.ofSeconds(3)).times(1);
        assertThatThrownBy(() -> c.get(path)).isInstanceOfSatisfying(GoToException.class, e -> {
            assertThat(e.isTransient()).isTrue();
            assertThat(e.status()).isZero();
        }).hasMessageContaining("got no answer");
    }

    @Test
    void aWrongSecretIsAPermanentFailureThatNamesTheKeys() {
        GoToClient c = client("wrong", Duration.ofSeconds(10));
        assertThatThrownBy(c::organizer).isInstanceOfSatisfying(GoToException.class, e -> {
            assertThat(e.isTransient()).isFalse();
            assertThat(e.status()).isEqualTo(401);
        }).hasMessageContaining("goto.client-secret").hasMessageNotContaining(REFRESH_TOKEN);
    }

    @Test
    void aRevokedGrantIsASettingWithItsFixAndTheRefusedTokenIsNotSentAgain() {
        GoToClient c = client();
        String path = webinars(c);
        sim.revokeRefreshToken();
        GoToException revoked = catchThrowableOfType(GoToException.class, () -> c.get(path));
        assertThat(revoked.isTransient()).isFalse();
        assertThat(revoked.errorCode()).isEqualTo("invalid_grant");
        assertThat(revoked.fix()).hasValueSatisfying(f -> assertThat(f).startsWith("GoTo refuses the refresh token (400 invalid_grant")
                .endsWith("set the new goto.refresh-token and restart").doesNotContain(REFRESH_TOKEN));
        long refusals = sim.calls().count("POST /oauth/token");
        assertThat(catchThrowableOfType(GoToException.class, () -> c.get(path)).fix()).isEqualTo(revoked.fix());
        assertThat(sim.calls().count("POST /oauth/token")).isEqualTo(refusals);
    }

    @Test
    void a403ThatIsNotAboutTheTokenIsASettingA404IsNot() {
        GoToClient c = client();
        String path = webinars(c);
        sim.faults().on("/webinars").status(403).times(1);
        assertThat(catchThrowableOfType(GoToException.class, () -> c.get(path)).fix())
                .hasValueSatisfying(f -> assertThat(f).startsWith("GoTo refuses the account default (403"));
        assertThat(catchThrowableOfType(GoToException.class,
                () -> c.get("/G2W/rest/v2/organizers/" + c.organizer().key() + "/webinars/-1234567890123456789")).fix()).isEmpty();
    }

    @Test
    void aRotatedRefreshTokenIsStoredAndUsedAfterARestart() throws Exception {
        sim.rotateRefreshToken(true);
        client().organizer();
        String rotated = sim.currentRefreshToken();
        assertThat(rotated).isNotEqualTo(REFRESH_TOKEN);
        try (Connection conn = DB.connect(); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT refresh_token FROM goto_credential WHERE client_id = 'client'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(rotated);
        }
        // a new process: the configured token is stale at GoTo now, the stored one works
        sim.expireAllTokens();
        assertThat(client().organizer().key()).isNotEmpty();
        assertThat(sim.currentRefreshToken()).isNotEqualTo(rotated);
    }
}
