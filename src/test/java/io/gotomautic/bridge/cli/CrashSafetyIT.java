package io.gotomautic.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.MauticSimulator;
import io.gotomautic.bridge.sandbox.MauticState;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The service killed (SIGKILL) in the middle of a push and started again: every change in Mautic exactly once. */
class CrashSafetyIT {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @TempDir
    Path work;

    @Test
    void killedMidPushAndRestartedEveryChangeLandsExactlyOnce() throws Exception {
        int people = 300;
        try (GoToSimulator goTo = GoToSimulator.start(0, "client", "secret", "refresh").rateLimit(0, Duration.ofSeconds(1));
             MauticSimulator mautic = MauticSimulator.start(0, "api", "pass")) {
            long key = goTo.state().webinars().add(GoToWebinars.webinar("Crash course")
                    .times(TimeRange.of(Instant.now().plus(Duration.ofDays(3)), Duration.ofHours(1)))).key();
            for (int i = 0; i < people; i++) {
                goTo.state().webinars().addRegistrant(key, "P" + i, "Q", "person" + i + "@example.com");
            }
            // slow enough that the per-contact timeline calls are in full swing when the process is killed
            mautic.faults().latency(Duration.ofMillis(15));
            MauticState state = mautic.state();

            Process first = start(goTo, mautic);
            Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> utmRows(state) >= people / 3);
            first.destroyForcibly();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long before = utmRows(state);
            assertThat(before).as("killed mid-push").isLessThan(people);

            Process second = start(goTo, mautic);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> pending() == 0 && utmRows(state) >= people);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }

            assertThat(state.contacts()).hasSize(people);
            long segment = state.segments().stream().filter(s -> s.name().startsWith("GoToWebinar · Crash course"))
                    .findFirst().orElseThrow().id();
            assertThat(state.segmentMembers(segment)).hasSize(people);
            for (MauticState.Contact c : state.contacts()) {
                assertThat(state.utmRows(c.id())).as("UTM rows of " + c.email()).hasSize(1);
                assertThat(state.notes(c.id())).as("notes of " + c.email()).hasSize(1);
            }
        }
    }

    private Process start(GoToSimulator goTo, MauticSimulator mautic) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", CliIT.JAR.toString())).directory(Path.of("").toAbsolutePath().toFile());
        pb.environment().putAll(Map.of("BRIDGE_DB_URL", DB.url(), "BRIDGE_HTTP_PORT", String.valueOf(TestBridge.freePort()),
                "GOTO_API_URL", goTo.baseUrl(), "GOTO_AUTH_URL", goTo.baseUrl(), "GOTO_CLIENT_ID", "client",
                "GOTO_CLIENT_SECRET", "secret", "GOTO_REFRESH_TOKEN", "refresh",
                "MAUTIC_URL", mautic.baseUrl(), "MAUTIC_USERNAME", "api", "MAUTIC_PASSWORD", "pass"));
        pb.environment().put("BRIDGE_POLL_WEBINAR", "2s");
        pb.environment().put("BRIDGE_PUSH_INTERVAL", "200ms");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("bridge.log").toFile()));
        return pb.start();
    }

    private static long utmRows(MauticState state) {
        return state.contacts().stream().mapToLong(c -> state.utmRows(c.id()).size()).sum();
    }

    private static long pending() throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM outbox WHERE status = 'pending'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
