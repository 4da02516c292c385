package io.gotomautic.bridge.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToTrainings;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.support.ScheduledPollConsumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GoToTraining connector's operations, and their webinar twins, as goto: endpoints on the running service,
 * against the GoTo simulator: calls from any route (here a producer template), and a route of an integrator's own
 * file on a "new registration" trigger, remembered across a restart.
 */
class GoToComponentTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @TempDir
    Path work;

    GoToSimulator goTo;
    Bridge bridge;

    @BeforeEach
    void start() throws Exception {
        goTo = GoToSimulator.start(0, "client", "secret", "refresh");
        DB.empty();
    }

    @AfterEach
    void stop() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
        goTo.close();
    }

    private Bridge bridge(Map<String, String> extra) throws Exception {
        Map<String, String> s = new HashMap<>(DB.settings());
        s.putAll(TestBridge.goTo(goTo));
        s.putAll(extra);
        return TestBridge.start(s);
    }

    @Test
    void theTrainingOperationsAndTheirWebinarTwinsAreEndpointsThroughTheSharedLimiter() throws Exception {
        GoToTrainings.Training training = goTo.state().trainings().add("Onboarding", "", "UTC",
                TimeRange.of(Instant.now().plus(Duration.ofDays(2)), Duration.ofHours(2)));
        long webinar = goTo.state().webinars().add(GoToWebinars.webinar("Launch")
                .times(TimeRange.of(Instant.now().plus(Duration.ofDays(3)), Duration.ofHours(1)))).key();
        bridge = bridge(Map.of());
        ProducerTemplate calls = bridge.camelContext().createProducerTemplate();
        long logged = Long.parseLong(DB.strings("SELECT count(*) FROM goto_call").get(0));

        Map<?, ?> got = calls.requestBodyAndHeader("goto:training/getTraining", null, "trainingKey", training.key(), Map.class);
        assertThat(got.get("name")).isEqualTo("Onboarding");
        Map<?, ?> added = calls.requestBody("goto:training/addRegistrant?trainingKey=" + training.key(),
                Map.of("email", "ada@example.com", "firstName", "Ada", "lastName", "Lovelace"), Map.class);
        assertThat(goTo.state().trainings().registrants(training.key())).singleElement()
                .satisfies(r -> assertThat(String.valueOf(r.key())).isEqualTo(added.get("registrantKey")));
        Map<?, ?> again = calls.requestBody("goto:training/addRegistrant?trainingKey=" + training.key(),
                "{\"email\": \"ada@example.com\"}", Map.class);
        assertThat(again.get("registrantKey")).as("adding again is idempotent").isEqualTo(added.get("registrantKey"));
        List<?> listed = calls.requestBodyAndHeader("goto:training/listRegistrations", null, "trainingKey", training.key(), List.class);
        assertThat(listed).hasSize(1);
        Map<?, ?> one = calls.requestBodyAndHeaders("goto:training/getRegistrant?trainingKey=" + training.key(), null,
                Map.of("registrantKey", added.get("registrantKey")), Map.class);
        assertThat(one.get("email")).isEqualTo("ada@example.com");

        Map<?, ?> w = calls.requestBody("goto:webinar/getWebinar?webinarKey=" + webinar, null, Map.class);
        assertThat(w.get("subject")).isEqualTo("Launch");
        // the registrant as JSON text, as a route has it after marshal: json
        Map<?, ?> grace = calls.requestBody("goto:webinar/addRegistrant?webinarKey=" + webinar,
                "{\"email\": \"grace@example.com\", \"firstName\": \"Grace\", \"lastName\": \"Hopper\"}", Map.class);
        assertThat(calls.requestBody("goto:webinar/listRegistrants?webinarKey=" + webinar, null, List.class)).hasSize(1);
        assertThat(calls.requestBodyAndHeader("goto:webinar/getRegistrant?webinarKey=" + webinar, null, "registrantKey",
                grace.get("registrantKey"), Map.class).get("email")).isEqualTo("grace@example.com");
        assertThat(calls.requestBody("goto:webinar/listSessions?webinarKey=" + webinar, null, List.class)).as("none held yet").isEmpty();
        // answers by GoTo question key or field name; in any other shape they are refused, not dropped
        long asked = goTo.state().webinars().add(GoToWebinars.webinar("Asked").question("Company name", true)
                .times(TimeRange.of(Instant.now().plus(Duration.ofDays(3)), Duration.ofHours(1)))).key();
        long question = goTo.state().webinars().webinar(asked).orElseThrow().questions().get(0).questionKey();
        calls.requestBody("goto:webinar/addRegistrant?webinarKey=" + asked, Map.of("email", "cy@example.com", "firstName", "Cy",
                "lastName", "Young", "answers", Map.of(String.valueOf(question), "Cyber AG", "organization", "Cyber")), Map.class);
        assertThat(goTo.state().webinars().registrants(asked)).singleElement().satisfies(r -> assertThat(r.email()).isEqualTo("cy@example.com"));
        assertThat(calls.requestBody("goto:webinar/getRegistrant?webinarKey=" + asked + "&registrantKey="
                + goTo.state().webinars().registrants(asked).get(0).key(), null, Map.class).toString()).contains("Cyber AG");
        assertThatThrownBy(() -> calls.requestBody("goto:webinar/addRegistrant?webinarKey=" + asked, Map.of("email", "dee@example.com",
                "answers", List.of("Cyber AG"))))
                .hasRootCauseMessage("webinar/addRegistrant takes answers as an object (question key or field name: answer), not an array");

        // every call went through the connection's one rate limiter, which logs each in PostgreSQL
        assertThat(Long.parseLong(DB.strings("SELECT count(*) FROM goto_call").get(0))).isGreaterThanOrEqualTo(logged + 9);

        assertThatThrownBy(() -> calls.requestBody("goto:training/getRegistrant?trainingKey=" + training.key(), (Object) null))
                .isInstanceOf(CamelExecutionException.class).hasRootCauseMessage(
                        "goto:training/getRegistrant needs registrantKey (a URI option or a header of that name)");
        assertThatThrownBy(() -> calls.requestBody("goto:training/addRegistrant?trainingKey=" + training.key(), Map.of("firstName", "X")))
                .hasRootCauseMessage("training/addRegistrant needs the registrant as the body, with an email");
        assertThatThrownBy(() -> calls.requestBody("goto:training/cancelEverything", (Object) null))
                .hasRootCauseMessage("goto:training/cancelEverything is no GoTo operation; the operations are listed in the README"
                        + " (e.g. goto:training/getTraining, goto:webinar/onNewRegistrant)");
        assertThatThrownBy(() -> calls.requestBody("goto:training/getTraining?trainingKey=999", (Object) null))
                .as("GoTo's own refusal reaches the route").rootCause().isInstanceOf(io.gotomautic.bridge.gotoapi.GoToException.class)
                .hasMessageEndingWith("failed: HTTP 404 NoSuchTraining: Training not found");
    }

    @Test
    void sessionsForLinksAreEndpointsAndARetryWithItsReferenceFindsTheSessionInsteadOfASecond() throws Exception {
        long webinar = goTo.state().webinars().add(GoToWebinars.webinar("Launch")
                .times(TimeRange.of(Instant.now().plus(Duration.ofDays(3)), Duration.ofHours(1)))).key();
        bridge = bridge(Map.of());
        ProducerTemplate calls = bridge.camelContext().createProducerTemplate();

        Map<?, ?> added = calls.requestBody("goto:webinar/addRegistrant?webinarKey=" + webinar,
                Map.of("email", "grace@example.com", "firstName", "Grace", "lastName", "Hopper"), Map.class);
        assertThat(added.get("account")).as("the account it registered through").isEqualTo("default");
        assertThat(added.get("event")).as("the event as the filters see it").isInstanceOfSatisfying(Map.class, e -> assertThat(e)
                .containsEntry("key", String.valueOf(webinar)).containsEntry("title", "Launch").containsKey("startsAt"));

        Map<?, ?> meeting = calls.requestBody("goto:meeting/createMeeting", Map.of("subject", "Demo for Ada"), Map.class);
        assertThat(goTo.state().meetings().createdViaApi()).singleElement()
                .satisfies(m -> assertThat(String.valueOf(m.meetingId())).isEqualTo(meeting.get("meetingKey")))
                .satisfies(m -> assertThat(m.subject()).as("no reference, no mark").isEqualTo("Demo for Ada"));
        assertThat(meeting.get("joinUrl")).asString().contains(String.valueOf(meeting.get("meetingKey")));
        assertThat(meeting.get("startUrl")).as("the organizer's link to host it").isNotNull();

        // a first attempt whose answer was lost: the retry names it and gets its meeting, not a second one
        Map<String, Object> attempt = Map.of("reference", "inbox-7-a1b2c3");
        Map<?, ?> marked = calls.requestBodyAndHeaders("goto:meeting/createMeeting", Map.of("subject", "Demo for Grace"), attempt, Map.class);
        Map<?, ?> retried = calls.requestBodyAndHeaders("goto:meeting/createMeeting", Map.of("subject", "Demo for Grace"),
                Map.of("reference", "inbox-7-a1b2c3", "earlier", Instant.now().minusSeconds(30).toString()), Map.class);
        assertThat(retried.get("meetingKey")).isEqualTo(marked.get("meetingKey"));
        assertThat(goTo.state().meetings().createdViaApi()).hasSize(2);

        Map<?, ?> session = calls.requestBodyAndHeaders("goto:assist/createSession",
                Map.of("customerName", "Ada Lovelace", "customerEmail", "ada@example.com"), attempt, Map.class);
        Map<?, ?> again = calls.requestBodyAndHeaders("goto:assist/createSession",
                Map.of("customerName", "Ada Lovelace", "customerEmail", "ada@example.com"),
                Map.of("reference", "inbox-7-a1b2c3", "earlier", Instant.now().minusSeconds(30).toString()), Map.class);
        assertThat(goTo.state().assistSessions().createdViaApi()).singleElement()
                .satisfies(a -> assertThat(a.request().partnerObject()).isEqualTo("inbox-7-a1b2c3"));
        assertThat(again.get("joinUrl")).isEqualTo(session.get("joinUrl"));
        assertThatThrownBy(() -> calls.requestBody("goto:assist/createSession", Map.of("customerEmail", "ada@example.com")))
                .hasRootCauseMessage("goto:assist/createSession needs the body's customerName");
    }

    @Test
    void aRouteOnOnNewRegistrationGetsEachNewRegistrantOnceAcrossARestart() throws Exception {
        GoToTrainings.Training training = goTo.state().trainings().add("Onboarding", "", "UTC",
                TimeRange.of(Instant.now().plus(Duration.ofDays(2)), Duration.ofHours(2)));
        GoToTrainings.Training other = goTo.state().trainings().add("Other", "", "UTC",
                TimeRange.of(Instant.now().plus(Duration.ofDays(2)), Duration.ofHours(2)));
        goTo.state().trainings().addRegistrant(training.key(), "Early", "Bird", "early@example.com");
        Path routes = Files.createDirectories(work.resolve("routes"));
        // the README's recipe, with a mock endpoint after the log line so the test can count
        Files.writeString(routes.resolve("new-registrants.camel.yaml"), """
                - route:
                    id: new-onboarding-registrants
                    from:
                      uri: "goto:training/onNewRegistration"
                      parameters:
                        trainingKey: "%d"
                        delay: 300
                        initialDelay: 0
                      steps:
                        - log: "New registrant of the onboarding training: ${body[givenName]} ${body[surname]}"
                        - to: "mock:new"
                """.formatted(training.key()));
        Map<String, String> extra = Map.of("camel.main.routes-include-pattern",
                "file:routes/*.camel.yaml,file:" + routes.toAbsolutePath() + "/*.camel.yaml");
        bridge = bridge(extra);
        String trigger = "training/onNewRegistration?trainingKey=" + training.key();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !DB.strings("SELECT name FROM goto_trigger").isEmpty());

        GoToTrainings.Registrant ada = goTo.state().trainings().addRegistrant(training.key(), "Ada", "Lovelace", "ada@example.com");
        goTo.state().trainings().addRegistrant(other.key(), "Not", "Mine", "other@example.com");
        MockEndpoint first = bridge.camelContext().getEndpoint("mock:new", MockEndpoint.class);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> delivered(trigger).contains(String.valueOf(ada.key())));
        assertThat(first.getExchanges()).extracting(e -> e.getIn().getBody(Map.class).get("email"))
                .as("the registrant there before the trigger started is not new; the other training's is not its")
                .containsExactly("ada@example.com");
        bridge.close();

        GoToTrainings.Registrant grace = goTo.state().trainings().addRegistrant(training.key(), "Grace", "Hopper", "grace@example.com");
        bridge = bridge(extra);
        MockEndpoint second = bridge.camelContext().getEndpoint("mock:new", MockEndpoint.class);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> delivered(trigger).contains(String.valueOf(grace.key())));
        // GoTo lists Ada before Grace: had the restart forgotten Ada, she would have come first
        assertThat(second.getExchanges()).extracting(e -> e.getIn().getBody(Map.class).get("email")).containsExactly("grace@example.com");
        assertThat(second.getExchanges().get(0).getIn().getHeader("registrantKey")).isEqualTo(String.valueOf(grace.key()));
        // without a delay, a trigger polls every 120 s, as the seed's connector did
        var consumer = (ScheduledPollConsumer) bridge.camelContext()
                .getEndpoint("goto:training/onNewRegistration?trainingKey=" + training.key()).createConsumer(exchange -> { });
        assertThat(consumer.getDelay()).isEqualTo(120_000L);
    }

    /** onNewTraining, onNewWebinar and onNewRegistrant: each new item once; with from=beginning, those there too. */
    @Test
    void theOtherTriggersTakeWhatIsNewAndFromBeginningWhatIsThereToo() throws Exception {
        Instant later = Instant.now().plus(Duration.ofDays(2));
        goTo.state().trainings().add("Existing training", "", "UTC", TimeRange.of(later, Duration.ofHours(2)));
        long webinar = goTo.state().webinars().add(GoToWebinars.webinar("Existing webinar").times(TimeRange.of(later, Duration.ofHours(1))))
                .key();
        goTo.state().webinars().addRegistrant(webinar, "Early", "Bird", "early@example.com");
        Path routes = Files.createDirectories(work.resolve("routes"));
        Files.writeString(routes.resolve("triggers.camel.yaml"), """
                - route:
                    from:
                      uri: "goto:training/onNewTraining?from=beginning&delay=300&initialDelay=0"
                      steps:
                        - to: "mock:trainings"
                - route:
                    from:
                      uri: "goto:webinar/onNewWebinar?delay=300&initialDelay=0"
                      steps:
                        - to: "mock:webinars"
                - route:
                    from:
                      uri: "goto:webinar/onNewRegistrant?webinarKey=%d&delay=300&initialDelay=0"
                      steps:
                        - to: "mock:registrants"
                """.formatted(webinar));
        bridge = bridge(Map.of("camel.main.routes-include-pattern",
                "file:routes/*.camel.yaml,file:" + routes.toAbsolutePath() + "/*.camel.yaml"));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> DB.strings("SELECT name FROM goto_trigger").size() == 3);

        goTo.state().trainings().add("New training", "", "UTC", TimeRange.of(later, Duration.ofHours(2)));
        goTo.state().webinars().add(GoToWebinars.webinar("New webinar").times(TimeRange.of(later, Duration.ofHours(1))));
        goTo.state().webinars().addRegistrant(webinar, "Ada", "Lovelace", "ada@example.com");
        MockEndpoint trainings = bridge.camelContext().getEndpoint("mock:trainings", MockEndpoint.class);
        MockEndpoint webinars = bridge.camelContext().getEndpoint("mock:webinars", MockEndpoint.class);
        MockEndpoint registrants = bridge.camelContext().getEndpoint("mock:registrants", MockEndpoint.class);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> trainings.getReceivedCounter() == 2
                && webinars.getReceivedCounter() == 1 && registrants.getReceivedCounter() == 1);
        // a few more polls: nothing comes twice
        long polls = goTo.calls().count("GET /G2T/rest/organizers/{organizerKey}/trainings");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> goTo.calls().count("GET /G2T/rest/organizers/{organizerKey}/trainings")
                >= polls + 3);
        assertThat(trainings.getExchanges()).extracting(e -> e.getIn().getBody(Map.class).get("name"))
                .as("from=beginning: the training there before the trigger started too").containsExactly("Existing training", "New training");
        assertThat(webinars.getExchanges()).extracting(e -> e.getIn().getBody(Map.class).get("subject")).containsExactly("New webinar");
        assertThat(registrants.getExchanges()).extracting(e -> e.getIn().getBody(Map.class).get("email")).containsExactly("ada@example.com");
    }

    private static List<String> delivered(String trigger) throws Exception {
        return DB.strings("SELECT item FROM goto_trigger_item WHERE name = ?", trigger);
    }
}
