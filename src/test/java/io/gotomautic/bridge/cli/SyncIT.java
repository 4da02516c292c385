package io.gotomautic.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.MauticSimulator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code java -jar target/goto-mautic-bridge.jar sync ...} against simulators this test runs, on the real PostgreSQL. */
class SyncIT {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    GoToSimulator goTo;
    MauticSimulator mautic;
    long first;
    long second;

    @BeforeEach
    void start() throws Exception {
        goTo = GoToSimulator.start(0, "client", "secret", "refresh");
        mautic = MauticSimulator.start(0, "api", "pass");
        Instant soon = Instant.now().plus(Duration.ofDays(2));
        first = goTo.state().webinars().add(GoToWebinars.webinar("First").times(TimeRange.of(soon, Duration.ofHours(1)))).key();
        second = goTo.state().webinars().add(GoToWebinars.webinar("Second").times(TimeRange.of(soon.plus(Duration.ofDays(1)),
                Duration.ofHours(1)))).key();
        goTo.state().webinars().addRegistrant(first, "Ada", "Lovelace", "ada@example.com");
        goTo.state().webinars().addRegistrant(first, "Alan", "Turing", "alan@example.com");
        goTo.state().webinars().addRegistrant(second, "Grace", "Hopper", "grace@example.com");
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
        }
    }

    @AfterEach
    void stop() {
        goTo.close();
        mautic.close();
    }

    private record Result(int exit, String out, String err) {
    }

    private Result sync(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("sync"));
        all.addAll(List.of(args));
        return finish(bridge(all.toArray(String[]::new)));
    }

    /** The jar with this command, on the test's database and simulators. */
    private Process bridge(String... args) throws Exception {
        return bridgeIn(Path.of(""), args);
    }

    /** The same, started in {@code dir} (so with the routes/ there). */
    private Process bridgeIn(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", CliIT.JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toAbsolutePath().toFile());
        pb.environment().putAll(Map.of("BRIDGE_DB_URL", DB.url(), "BRIDGE_DB_USER", "postgres",
                "GOTO_API_URL", goTo.baseUrl(), "GOTO_AUTH_URL", goTo.baseUrl(), "GOTO_CLIENT_ID", "client",
                "GOTO_CLIENT_SECRET", "secret", "GOTO_REFRESH_TOKEN", "refresh",
                "MAUTIC_URL", mautic.baseUrl(), "MAUTIC_USERNAME", "api", "MAUTIC_PASSWORD", "pass"));
        return pb.start();
    }

    private static Result finish(Process p) throws Exception {
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static long count(String sql) throws Exception {
        try (Connection c = DB.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Killed in the middle of a poll, the sync leaves a poll that no process runs: status says so, not "running". */
    @Test
    void aSyncKilledWithItsProcessIsShownInterrupted() throws Exception {
        goTo.faults().on("/webinars$").hang(Duration.ofSeconds(20));
        Process sync = bridge("sync", "--product", "webinar");
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> count("SELECT count(*) FROM sync_cursor WHERE product = 'webinar' AND finished_at IS NULL") == 1);
        } finally {
            sync.destroyForcibly();
        }
        assertThat(sync.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Result status = finish(bridge("status"));
            assertThat(status.exit()).as(status.err()).isZero();
            assertThat(status.out()).containsPattern("webinar\\s+default\\s+\\S+\\s+interrupted\\s+its process stopped before the end");
        });
    }

    private static long registrations() throws Exception {
        return count("SELECT count(*) FROM registration");
    }

    /**
     * Every row of every table (the bridge's, Flyway's, Quartz's), as a count and a digest per table, and where every
     * sequence stands (an insert rolled back still moves its sequence on).
     */
    private static Map<String, String> dump() throws Exception {
        Map<String, String> tables = new java.util.TreeMap<>();
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            List<String> names = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables "
                    + "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            for (String name : names) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "
                        + "FROM \"" + name + "\" t")) {
                    rs.next();
                    tables.put(name, rs.getString(1));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT sequencename, coalesce(last_value, 0) FROM pg_sequences WHERE schemaname = 'public'")) {
                while (rs.next()) {
                    tables.put("sequence " + rs.getString(1), rs.getString(2));
                }
            }
        }
        return tables;
    }

    @Test
    void aDryRunPrintsWhatWouldChangeAndWritesNothing() throws Exception {
        Result setUp = finish(bridge("status"));
        assertThat(setUp.exit()).as(setUp.err()).isZero();
        Map<String, String> before = dump();

        Result r = sync("--product", "webinar", "--dry-run");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("sync --dry-run webinar: 2 events (0 failed), 3 registrants, 0 attendees, 3 new")
                .contains("would change in Mautic (nothing written):")
                .contains("ada@example.com: registered in First")
                .contains("grace@example.com: registered in Second")
                .doesNotContain("stored:");
        assertThat(mautic.calls().total()).as("calls to Mautic").isZero();
        assertThat(dump()).as("every table, row by row").isEqualTo(before).containsKeys("goto_call", "sync_cursor", "qrtz_triggers");
    }

    /** After a real sync (rate-limiter log, cursor, credential all in use), a dry run of new changes still writes nothing. */
    @Test
    void aDryRunAfterRealSyncsWritesNothingAtAll() throws Exception {
        goTo.rotateRefreshToken(true);
        assertThat(sync("--product", "webinar").exit()).isZero();
        goTo.rotateRefreshToken(false);
        goTo.state().webinars().addRegistrant(second, "Edsger", "Dijkstra", "edsger@example.com");
        Map<String, String> before = dump();
        assertThat(before.get("goto_call")).doesNotStartWith("0 ");

        Result r = sync("--product", "webinar", "--dry-run");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("1 new and 0 changed").contains("edsger@example.com: registered in Second");
        assertThat(dump()).isEqualTo(before);
    }

    /** GoTo rotating the refresh token during a dry run: the new one is kept (the old one is dead), and said so. */
    @Test
    void aDryRunStoresOnlyARefreshTokenGoToRotatedAndSaysSo() throws Exception {
        assertThat(finish(bridge("status")).exit()).isZero();
        Map<String, String> before = dump();
        goTo.rotateRefreshToken(true);

        Result r = sync("--product", "webinar", "--dry-run");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("stored: the new refresh token GoTo issued on refresh");
        Map<String, String> after = dump();
        assertThat(after.get("goto_credential")).startsWith("1 ");
        after.remove("goto_credential");
        before.remove("goto_credential");
        assertThat(after).isEqualTo(before);

        goTo.rotateRefreshToken(false);
        Result real = sync("--product", "webinar");
        assertThat(real.exit()).as("the service's refresh token still works: " + real.err()).isZero();
        assertThat(real.out()).contains("3 new and 0 changed");
    }

    /** A database the bridge never set up is not migrated by a dry run: one clear line, no table created. */
    @Test
    void aDryRunOnADatabaseNotSetUpStopsWithOneLine() throws Exception {
        Result r = sync("--product", "webinar", "--dry-run");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("goto-mautic-bridge: database " + DB.url())
                .contains("its schema is not set up").contains("a dry run migrates nothing").doesNotContain("\n");
        assertThat(dump()).isEmpty();
    }

    @Test
    void oneCycleSyncsAndPushesThenPrintsTheSummary() throws Exception {
        Result r = sync("--product", "webinar");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("sync webinar: 2 events (0 failed), 3 registrants, 0 attendees, 3 new and 0 changed")
                .contains("Mautic: 3 contacts created, 0 updated, 3 segment changes")
                .containsPattern("calls: GoTo \\d+, Mautic \\d+")
                .containsPattern("time: \\d+\\.\\d s");
        assertThat(mautic.state().contacts()).hasSize(3);
        assertThat(registrations()).isEqualTo(3);
        assertThat(mautic.state().field("goto_webinar")).as("sync refreshes the forms' event options too")
                .hasValueSatisfying(f -> assertThat(f.options()).extracting(o -> o.value())
                        .containsExactly(String.valueOf(first), String.valueOf(second)));

        Result again = sync("--product", "webinar");
        assertThat(again.out()).contains("0 new and 0 changed").contains("Mautic: 0 contacts created, 0 updated");
    }

    /** sync runs the routes of routes/ in its working directory: an integrator's edit of the filter step applies. */
    @Test
    void anEditOfTheRoutesAppliesToSync(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("routes"));
        try (var files = Files.list(Path.of("routes"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                String indent = " ".repeat(24);
                Files.writeString(dir.resolve("routes").resolve(f.getFileName()), Files.readString(f).replace(
                        indent + "method:\n" + indent + "  ref: eventFilter\n" + indent
                                + "  method: \"accepts(${exchangeProperty.run.product}, ${body})\"\n",
                        indent + "simple: \"${body[title]} != 'Second'\"\n"));
            }
        }
        assertThat(Files.readString(dir.resolve("routes/pull.camel.yaml"))).contains("${body[title]} != 'Second'");
        Result r = finish(bridgeIn(dir, "sync", "--product", "webinar"));
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("sync webinar: 1 events (0 failed), 2 registrants")
                .contains("1 events left out by the filter step");
        assertThat(mautic.state().contacts()).extracting(c -> c.email()).containsExactlyInAnyOrder("ada@example.com",
                "alan@example.com");
    }

    @Test
    void oneEventByItsKey() throws Exception {
        Result r = sync("--product", "webinar", "--id", String.valueOf(second));
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("sync webinar --id " + second + ": 1 events (0 failed), 1 registrants");
        assertThat(mautic.state().contacts()).singleElement().satisfies(c -> assertThat(c.email()).isEqualTo("grace@example.com"));

        Result missing = sync("--product", "webinar", "--id", "42");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("no webinar with key 42 between");
    }

    @Test
    void anUnknownProductIsRefusedWithTheChoices() throws Exception {
        Result r = sync("--product", "podcast");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--product must be one of webinar, training, meeting, assist, not podcast");
    }
}
