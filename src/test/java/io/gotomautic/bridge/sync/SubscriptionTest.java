package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subscription an integrator adds in a routes file of its own, on the running service against the simulators: it
 * gets every change committed from its first start, at least once; a change it fails on waits alone (the others go
 * on, and so does the Mautic push) and ends a dead letter named after it; its position survives a restart.
 */
class SubscriptionTest extends PullTestBase {

    @TempDir
    Path work;

    Bridge bridge;

    @AfterEach
    void stopBridge() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
    }

    @Test
    void aSubscriptionGetsEveryChangeOnceAndOneItFailsOnHoldsBackNobodyElse() throws Exception {
        Path routes = Files.createDirectories(work.resolve("routes"));
        Files.writeString(routes.resolve("subscriber.camel.yaml"), """
                - route:
                    id: every-change
                    from:
                      uri: "bridge:changes/every-change"
                      parameters:
                        delay: 200
                        initialDelay: 0
                      steps:
                        - choice:
                            when:
                              - simple: "${body[email]} == 'bad@example.com'"
                                steps:
                                  - throwException:
                                      exceptionType: java.lang.IllegalStateException
                                      message: "the subscriber refuses this one"
                        - to: "mock:changes"
                """);
        Map<String, String> extra = Map.of("camel.main.routes-include-pattern",
                "file:routes/*.camel.yaml,file:" + routes.toAbsolutePath() + "/*.camel.yaml");
        bridge = bridge(extra);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !DB.strings("SELECT name FROM subscription").isEmpty());

        long key = goTo.state().webinars().add(GoToWebinars.webinar("Subscribed")
                .times(TimeRange.of(now.plus(Duration.ofDays(2)), Duration.ofHours(1)))).key();
        for (String who : List.of("ada", "bad", "grace")) {
            goTo.state().webinars().addRegistrant(key, who, "X", who + "@example.com");
        }
        MockEndpoint first = bridge.camelContext().getEndpoint("mock:changes", MockEndpoint.class);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> first.getReceivedCounter() == 3 && pending() == 0
                && attempts("bad@example.com") >= 1);
        assertThat(first.getExchanges()).extracting(e -> e.getIn().getBody(Map.class).get("type"))
                .as("the webinar's own change first, then its people's").containsExactly("event-created", "registered", "registered");
        assertThat(first.getExchanges()).extracting(SubscriptionTest::email).containsExactly(null, "ada@example.com", "grace@example.com");
        Map<?, ?> change = first.getExchanges().get(1).getIn().getBody(Map.class);
        assertThat(change.get("eventKey")).isEqualTo(String.valueOf(key));
        assertThat(change.get("source")).isEqualTo("poll");
        assertThat(state.contactByEmail("bad@example.com")).as("the push to Mautic went on").isPresent();
        assertThat(DB.strings("SELECT last_error FROM subscription_delivery WHERE payload ->> 'email' = 'bad@example.com'"))
                .containsExactly("subscription every-change: the subscriber refuses this one");
        assertThat(io.gotomautic.bridge.TestBridge.get(bridge, "/metrics").body().lines())
                .as("its lag: the one change waiting for its retry").contains("bridge_subscription_lag{subscription=\"every-change\"} 1.0");

        // its last attempt: a dead letter that names the subscription
        DB.strings("UPDATE subscription_delivery SET attempts = 11, next_attempt_at = now()"
                + " WHERE payload ->> 'email' = 'bad@example.com' RETURNING id");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !DB.strings(
                "SELECT reason FROM dead_letter WHERE source = 'subscription_delivery'").isEmpty());
        assertThat(DB.strings("SELECT reason FROM dead_letter")).singleElement().asString()
                .startsWith("gave up after 12 attempts").contains("subscription every-change: the subscriber refuses this one");
        assertThat(io.gotomautic.bridge.TestBridge.get(bridge, "/metrics").body().lines())
                .contains("bridge_subscription_dead{subscription=\"every-change\"} 1.0");
        // the same two series as MBeans; the one change left, dead, is no longer waiting
        javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        java.util.Set<javax.management.ObjectName> mbeans = jmx.queryNames(new javax.management.ObjectName("metrics:*"), null);
        assertThat(mbeans.stream().filter(n -> n.toString().contains("bridgeSubscriptionDead") && n.toString().contains("every-change")))
                .singleElement().satisfies(n -> assertThat(((Number) jmx.getAttribute(n, "Value")).doubleValue()).isEqualTo(1.0));
        assertThat(mbeans.stream().filter(n -> n.toString().contains("bridgeSubscriptionLag") && n.toString().contains("every-change")))
                .singleElement().satisfies(n -> assertThat(((Number) jmx.getAttribute(n, "Value")).doubleValue()).isEqualTo(0.0));
        // what `status` prints: the subscription with its dead letter, and the dead letter's reason naming it
        javax.sql.DataSource ds = bridge.camelContext().getRegistry().lookupByNameAndType("dataSource", javax.sql.DataSource.class);
        io.gotomautic.bridge.store.StatusReport report = io.gotomautic.bridge.store.StatusReport.read(ds);
        assertThat(report.subscriptions()).singleElement().satisfies(sub -> {
            assertThat(sub.name()).isEqualTo("every-change");
            assertThat(sub.dead()).isEqualTo(1);
        });
        assertThat(report.recentDeadLetters()).singleElement().satisfies(d -> assertThat(d.reason()).contains("subscription every-change"));
        // replayed, it is back in the subscription's queue with its attempts from the start (and is refused again)
        assertThat(new io.gotomautic.bridge.store.DeadLetters(ds).replay(null)).hasSize(1);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> DB.strings("SELECT status || ' ' || attempts FROM"
                + " subscription_delivery WHERE payload ->> 'email' = 'bad@example.com'").equals(List.of("pending 1")));
        bridge.close();

        goTo.state().webinars().addRegistrant(key, "Late", "Comer", "late@example.com");
        bridge = bridge(extra);
        MockEndpoint second = bridge.camelContext().getEndpoint("mock:changes", MockEndpoint.class);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> DB.strings(
                "SELECT status FROM subscription_delivery WHERE payload ->> 'email' = 'late@example.com'").contains("done"));
        assertThat(second.getExchanges()).as("the position survived the restart: nothing delivered twice")
                .extracting(SubscriptionTest::email).containsExactly("late@example.com");
    }

    /**
     * {@code ?from=beginning} gets the changes committed before the subscription first started, the default does not;
     * a person's change one subscriber fails on holds back that person's later changes there, in order, and nothing
     * at another subscriber.
     */
    @Test
    void fromBeginningTakesEarlierChangesAndAFailureKeepsOrderPerPersonAtItsOwnSubscriberOnly() throws Exception {
        long key = goTo.state().webinars().add(GoToWebinars.webinar("Running")
                .times(TimeRange.of(now.minus(Duration.ofMinutes(20)), Duration.ofHours(2)))).key();
        goTo.state().webinars().addRegistrant(key, "Ada", "X", "ada@example.com");
        bridge = bridge(Map.of());
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> DB.strings(
                "SELECT count(*) FROM outbox WHERE payload ->> 'email' = 'ada@example.com'").equals(List.of("1")));
        bridge.close();

        Path routes = Files.createDirectories(work.resolve("routes"));
        Files.writeString(routes.resolve("subscribers.camel.yaml"), """
                - route:
                    from:
                      uri: "bridge:changes/everything?from=beginning&delay=200&initialDelay=0"
                      steps:
                        - to: "mock:everything"
                        - marshal:
                            json: {}
                        - to: "mock:everything-json"
                - route:
                    from:
                      uri: "bridge:changes/picky?delay=200&initialDelay=0"
                      steps:
                        - filter:
                            simple: "${body[email]} == 'bob@example.com' && ${sys.subscription-test-refuse} == 'yes'"
                            steps:
                              - throwException:
                                  exceptionType: java.lang.IllegalStateException
                                  message: "not Bob, not now"
                        - to: "mock:picky"
                """);
        System.setProperty("subscription-test-refuse", "yes");
        try {
            bridge = bridge(Map.of("camel.main.routes-include-pattern",
                    "file:routes/*.camel.yaml,file:" + routes.toAbsolutePath() + "/*.camel.yaml"));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> DB.strings("SELECT name FROM subscription").size() == 2);
            MockEndpoint everything = bridge.camelContext().getEndpoint("mock:everything", MockEndpoint.class);
            MockEndpoint picky = bridge.camelContext().getEndpoint("mock:picky", MockEndpoint.class);

            GoToWebinars.Registrant bob = goTo.state().webinars().addRegistrant(key, "Bob", "Y", "bob@example.com");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> emails(everything).contains("bob@example.com")
                    && attempts("picky", "bob@example.com", "registered") >= 1);
            // Bob attends while picky still fails on his registration
            var session = goTo.state().webinars().addSession(key, TimeRange.of(now.minus(Duration.ofMinutes(15)), Duration.ofHours(1)));
            goTo.state().webinars().recordAttendance(session.key(), bob.key(),
                    TimeRange.of(now.minus(Duration.ofMinutes(10)), Duration.ofMinutes(5)));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> types(everything, "bob@example.com").contains("attended"));
            // picky tries again with the attendance committed: still only the registration is tried
            int before = attempts("picky", "bob@example.com", "registered");
            DB.strings("UPDATE subscription_delivery SET next_attempt_at = now() WHERE subscription = 'picky' AND status = 'pending'"
                    + " RETURNING id");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> attempts("picky", "bob@example.com", "registered") > before);
            assertThat(attempts("picky", "bob@example.com", "attended")).as("held back behind his registration").isZero();

            System.clearProperty("subscription-test-refuse");
            DB.strings("UPDATE subscription_delivery SET next_attempt_at = now() WHERE subscription = 'picky' AND status = 'pending'"
                    + " RETURNING id");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> types(picky, "bob@example.com").size() == 2);
            assertThat(types(picky, "bob@example.com")).as("in order").containsExactly("registered", "attended");
            assertThat(emails(picky)).as("from its first start only").doesNotContain("ada@example.com");
            assertThat(types(everything, "ada@example.com")).as("from the beginning").containsExactly("registered");
            assertThat(types(everything, "bob@example.com")).containsExactly("registered", "attended");
            // marshal: json gives the README's JSON form, in its order
            String json = bridge.camelContext().getEndpoint("mock:everything-json", MockEndpoint.class).getExchanges().get(0)
                    .getIn().getBody(String.class);
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, java.util.LinkedHashMap.class).keySet())
                    .containsExactly("id", "type", "product", "account", "eventKey", "eventTitle", "eventStart", "email", "firstName",
                            "lastName", "registrantKey", "joinUrl", "minutes", "secondsBySession", "previous", "occurredAt", "source",
                            "details", "answers");
        } finally {
            System.clearProperty("subscription-test-refuse");
        }
    }

    private static List<Object> emails(MockEndpoint mock) {
        return mock.getExchanges().stream().map(SubscriptionTest::email).toList();
    }

    private static List<Object> types(MockEndpoint mock, String email) {
        return mock.getExchanges().stream().filter(e -> email.equals(email(e))).map(e -> e.getIn().getBody(Map.class).get("type"))
                .map(Object.class::cast).toList();
    }

    private static int attempts(String subscription, String email, String type) throws Exception {
        List<String> a = DB.strings("SELECT attempts FROM subscription_delivery WHERE subscription = ? AND payload ->> 'email' = ?"
                + " AND payload ->> 'type' = ?", subscription, email, type);
        return a.isEmpty() ? 0 : Integer.parseInt(a.get(0));
    }

    private static Object email(Exchange e) {
        return e.getIn().getBody(Map.class).get("email");
    }

    private static int attempts(String email) throws Exception {
        List<String> a = DB.strings("SELECT attempts FROM subscription_delivery WHERE payload ->> 'email' = ?", email);
        return a.isEmpty() ? 0 : Integer.parseInt(a.get(0));
    }
}
