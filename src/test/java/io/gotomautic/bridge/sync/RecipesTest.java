package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpServer;
import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.LogCapture;
import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToTrainings;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.api.management.ManagedCamelContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's recipes, applied as an integrator would: files added to or edited in a copy of routes/ while the service
 * runs with reload on (no rebuild, no restart), or lines of application.properties; then driven end to end against the
 * simulators and PostgreSQL.
 */
class RecipesTest extends PullTestBase {

    @RegisterExtension
    static final LogCapture LOG = new LogCapture();

    @TempDir
    Path routes;

    /** A chat's incoming webhook: the posts it got, failing while {@link #chatDown}. */
    HttpServer chat;
    final List<String> posts = new CopyOnWriteArrayList<>();
    final AtomicBoolean chatDown = new AtomicBoolean();

    @BeforeEach
    void copyRoutesAndStartTheChat() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        chat = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        chat.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = chatDown.get() ? 500 : 200;
            if (status == 200) {
                posts.add(body);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        chat.start();
        System.setProperty("chat.webhook-url", "http://127.0.0.1:" + chat.getAddress().getPort() + "/hook");
    }

    @AfterEach
    void stopTheChat() {
        chat.stop(0);
        System.clearProperty("chat.webhook-url");
        System.clearProperty("recipe.training-key");
    }

    private Bridge service(Map<String, String> extra) throws Exception {
        Map<String, String> s = new HashMap<>(extra);
        s.put("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");
        s.put("camel.main.routes-reload-enabled", "true");
        s.put("camel.main.routes-reload-directory", routes.toString());
        return bridge(s);
    }

    /** Written aside and moved in, as editors save, so the watcher never reads a half-written file. */
    private void save(String name, String text) throws IOException {
        Path draft = Files.writeString(routes.resolve(name + ".draft"), text);
        Files.move(draft, routes.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void addRecipe(String name) throws IOException {
        save(name, Files.readString(Path.of("routes/recipes", name)));
    }

    private static void awaitStarted(Bridge bridge, String routeId) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                assertThat(bridge.camelContext().getRouteController().getRouteStatus(routeId)).isEqualTo(ServiceStatus.Started));
    }

    private String field(String email, String alias) {
        return state.contactByEmail(email).map(c -> c.field(alias)).orElse(null);
    }

    @Test
    void aSkipInternalEventsByEditingTheFilterStepAndBMapAnAnswerAndTheJobTitleByAddingAFile() throws Exception {
        try (Bridge bridge = service(Map.of())) {
            // (a): the filter step of routes/pull.camel.yaml, edited in place
            Route before = bridge.camelContext().getRoute("poll");
            String pull = Files.readString(routes.resolve("pull.camel.yaml"));
            String indent = " ".repeat(24);
            String step = indent + "method:\n" + indent + "  ref: eventFilter\n" + indent
                    + "  method: \"accepts(${exchangeProperty.run.product}, ${body})\"\n";
            assertThat(pull).contains(step);
            save("pull.camel.yaml", pull.replace(step, indent + "simple: \"${body[title]} not contains '[internal]'\"\n"));
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
                Route now = bridge.camelContext().getRoute("poll");
                return now != null && now != before && now.getUptimeMillis() >= 0;
            });
            awaitStarted(bridge, "pull-webinar");

            Instant start = now.plus(Duration.ofDays(4));
            long internal = goTo.state().webinars().add(GoToWebinars.webinar("[internal] Staff update")
                    .times(TimeRange.of(start, Duration.ofHours(1)))).key();
            goTo.state().webinars().addRegistrant(internal, "Staff", "Member", "staff@example.com");
            long launch = goTo.state().webinars().add(GoToWebinars.webinar("Launch").question("Company name", false)
                    .times(TimeRange.of(start, Duration.ofHours(1)))).key();
            long question = goTo.state().webinars().webinar(launch).orElseThrow().questions().get(0).questionKey();
            goTo.state().webinars().register(launch, new GoToWebinars.NewRegistrant("Ada", "Lovelace", "ada@example.com",
                    goTo.state().now(), Map.of("jobTitle", "Engineer"), List.of(new GoToWebinars.Response(question, "Analytical Engines"))));

            // pushed without the fields: no mapping yet, and no detail call for it
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> state.contactByEmail("ada@example.com")
                    .map(c -> c.field("goto_registrant_key") != null).orElse(false) && pending() == 0);
            assertThat(field("ada@example.com", "company")).isNull();
            assertThat(goTo.calls().count(MappingTest.DETAIL)).isZero();

            // (b): a file added to the routes folder; a broken one first, which says what to mend and changes nothing
            save("company-and-position.properties", "bridge.mautic.map.Company = question:Company name\n");
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !LOG.at("WARN",
                    "company-and-position.properties changed, the previous one stays: " + routes.resolve("company-and-position.properties")
                            + ": bridge.mautic.map.Company: names a Mautic contact field alias").isEmpty());
            save("company-and-position.properties", Files.readString(Path.of("routes/recipes/company-and-position.properties")));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !LOG.at("INFO",
                    "company-and-position.properties changed: company = question:Company name, position = jobTitle").isEmpty());

            // the next poll fetches the detail the mapping needs, once, and the push fills the fields
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(field("ada@example.com", "company")).isEqualTo("Analytical Engines");
                assertThat(field("ada@example.com", "position")).isEqualTo("Engineer");
            });
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> DB.strings(
                    "SELECT coalesce(message, '') FROM sync_cursor WHERE product = 'webinar'").stream()
                    .anyMatch(m -> m.contains("1 events left out by the filter step")));
            assertThat(state.contactByEmail("staff@example.com")).isEmpty();
            assertThat(DB.strings("SELECT event_key FROM event")).containsExactly(String.valueOf(launch));
            long detailCalls = goTo.calls().count(MappingTest.DETAIL);
            assertThat(detailCalls).isEqualTo(1);
            // the detail arrived as a second registered change: one registration on the timeline still
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> pending() == 0);
            long ada = state.contactByEmail("ada@example.com").orElseThrow().id();
            assertThat(state.utmRows(ada)).singleElement().satisfies(row -> assertThat(row.utmMedium()).isEqualTo("registered"));
            assertThat(state.notes(ada)).singleElement().satisfies(note -> assertThat(note.text()).contains("registered"));
        }
    }

    @Test
    void cAttendeesToAChatSurvivingARestartDPointsPerAttendedWebinarAndETheNewRegistrantsOfATraining() throws Exception {
        GoToTrainings.Training training = goTo.state().trainings().add("Onboarding", "", "UTC",
                TimeRange.of(now.plus(Duration.ofDays(3)), Duration.ofHours(2)));
        System.setProperty("recipe.training-key", String.valueOf(training.key()));
        chatDown.set(true);
        try (Bridge bridge = service(Map.of())) {
            addRecipe("attendees-to-chat.camel.yaml");
            addRecipe("points-for-attendance.camel.yaml");
            save("new-training-registrants.camel.yaml", Files.readString(Path.of("routes/recipes/new-training-registrants.camel.yaml"))
                    .replace("trainingKey={{recipe.training-key}}", "trainingKey={{recipe.training-key}}&delay=1000&initialDelay=0"));
            awaitStarted(bridge, "attendees-to-chat");
            awaitStarted(bridge, "points-for-attendance");
            awaitStarted(bridge, "new-training-registrants");

            Instant held = now.minus(Duration.ofDays(1));
            long webinar = goTo.state().webinars().add(GoToWebinars.webinar("The \"Deep Dive\"")
                    .times(TimeRange.of(held, Duration.ofHours(1)))).key();
            var ada = goTo.state().webinars().addRegistrant(webinar, "Ada", "Lovelace", "ada@example.com");
            var bob = goTo.state().webinars().addRegistrant(webinar, "Bob", "Brief", "bob@example.com");
            goTo.state().webinars().addRegistrant(webinar, "Cy", "Absent", "cy@example.com");
            var session = goTo.state().webinars().addSession(webinar, TimeRange.of(held, Duration.ofHours(1)));
            goTo.state().webinars().recordAttendance(session.key(), ada.key(), TimeRange.of(held, Duration.ofMinutes(45)));
            goTo.state().webinars().recordAttendance(session.key(), bob.key(), TimeRange.of(held, Duration.ofMinutes(20)));
            goTo.state().trainings().addRegistrant(training.key(), "Grace", "Hopper", "grace@example.com");

            // (d) and (e) go through; (c) fails while the chat is down, and waits
            Awaitility.await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
                assertThat(state.contactByEmail("ada@example.com")).hasValueSatisfying(c -> assertThat(c.points()).isEqualTo(10));
                assertThat(state.contactByEmail("bob@example.com")).hasValueSatisfying(c -> assertThat(c.points()).isEqualTo(10));
            });
            assertThat(state.contactByEmail("cy@example.com")).hasValueSatisfying(c -> assertThat(c.points()).isZero());
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> bridge.camelContext()
                    .getCamelContextExtension().getContextPlugin(ManagedCamelContext.class)
                    .getManagedRoute("new-training-registrants").getExchangesCompleted() == 1);
            assertThat(LOG.at("INFO", "New registrant of training " + training.key() + ": Grace Hopper")).hasSize(1);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !DB.strings(
                    "SELECT attempts FROM subscription_delivery WHERE subscription = 'chat' AND attempts > 0").isEmpty());
            assertThat(posts).isEmpty();
        }
        // the service restarts; the chat is back
        chatDown.set(false);
        try (Bridge bridge = service(Map.of())) {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !posts.isEmpty());
            assertThat(posts).allSatisfy(p -> assertThat(p).isEqualTo(
                    "{\"text\": \"Ada Lovelace attended The \\\"Deep Dive\\\" for 45 minutes\"}"));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> DB.strings(
                    "SELECT count(*) FROM subscription_delivery WHERE subscription = 'chat' AND status <> 'done'").get(0).equals("0"));
            assertThat(state.contactByEmail("ada@example.com").orElseThrow().points()).as("not added again").isEqualTo(10);
        }
    }
}
