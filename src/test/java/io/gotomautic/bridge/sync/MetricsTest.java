package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The bridge's own series after a poll and a push on the running service: changes found and pushed per type, GoTo
 * calls per product and operation with a 429, Mautic calls per kind, in /metrics and as MBeans in JMX.
 */
class MetricsTest extends PullTestBase {

    @Test
    void changesCallsAndThrottlingAreCountedInMetricsAndJmx() throws Exception {
        long key = goTo.state().webinars().add(GoToWebinars.webinar("Counted")
                .times(TimeRange.of(now.plus(Duration.ofDays(2)), Duration.ofHours(1)))).key();
        goTo.state().webinars().addRegistrant(key, "Ada", "L", "ada@example.com");
        goTo.state().webinars().addRegistrant(key, "Grace", "H", "grace@example.com");
        goTo.faults().on("/webinars/" + key + "/registrants").status(429).retryAfter(1).times(1);
        mautic.faults().on("/api/contacts/batch/new").status(429).retryAfter(1).times(1);
        try (Bridge bridge = bridge(Map.of())) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                    DB.strings("SELECT email FROM registration").size() == 2 && pending() == 0);
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                List<String> lines = TestBridge.get(bridge, "/metrics").body().lines().toList();
                assertThat(series(lines, "bridge_changes_found_total", "type=\"registered\"", "source=\"poll\"", "product=\"webinar\""))
                        .containsExactly("2.0");
                assertThat(series(lines, "bridge_changes_pushed_total", "type=\"registered\"", "product=\"webinar\""))
                        .containsExactly("2.0");
                assertThat(series(lines, "bridge_goto_calls_total", "account=\"default\"", "product=\"webinar\"", "outcome=\"2xx\"",
                        "operation=\"GET /G2W/rest/v2/organizers/{key}/webinars/{key}/registrants\"")).isNotEmpty();
                assertThat(series(lines, "bridge_goto_calls_total", "product=\"webinar\"", "outcome=\"4xx\"")).containsExactly("1.0");
                assertThat(series(lines, "bridge_goto_throttled_total", "product=\"webinar\"")).containsExactly("1.0");
                assertThat(series(lines, "bridge_mautic_calls_total", "kind=\"POST /api/contacts/batch/new\"", "outcome=\"2xx\""))
                        .containsExactly("1.0");
                assertThat(series(lines, "bridge_mautic_throttled_total")).containsExactly("1.0");
            });
            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            Set<ObjectName> mbeans = jmx.queryNames(new ObjectName("metrics:*"), null);
            assertThat(mbeans).extracting(ObjectName::toString).anyMatch(n -> n.contains("bridgeChangesFound"))
                    .anyMatch(n -> n.contains("bridgeGotoCalls")).anyMatch(n -> n.contains("bridgeDeadLetters"));
            assertThat(mbeans.stream().filter(n -> n.toString().contains("bridgeMauticCalls") && n.toString().contains("contacts")))
                    .as("Mautic calls per kind").isNotEmpty();
            assertThat(mbeans.stream().filter(n -> n.toString().contains("bridgeChangesPushed") && n.toString().contains("registered")))
                    .singleElement().satisfies(n -> assertThat(((Number) jmx.getAttribute(n, "Count")).doubleValue()).isEqualTo(2.0));
            assertThat(mbeans.stream().filter(n -> n.toString().contains("bridgeMauticThrottled")))
                    .singleElement().satisfies(n -> assertThat(((Number) jmx.getAttribute(n, "Count")).doubleValue()).isEqualTo(1.0));
            // and each GoTo and Mautic call of the routes is a step with its own counters (the 429s are retried inside)
            assertThat(completed(jmx, "pull-webinar-event", "goto://webinar/listRegistrants")).isPositive();
            assertThat(completed(jmx, "push-changes", "mautic://contacts/upsertBatch")).isPositive();
        }
    }

    /** The exchanges the route's step to {@code destination} completed, from its MBean. */
    private static long completed(MBeanServer jmx, String route, String destination) throws Exception {
        long total = 0;
        for (ObjectName n : jmx.queryNames(new ObjectName("org.apache.camel:context=bridge,type=processors,*"), null)) {
            try {
                if (route.equals(jmx.getAttribute(n, "RouteId"))
                        && String.valueOf(jmx.getAttribute(n, "Destination")).startsWith(destination)) {
                    total += (Long) jmx.getAttribute(n, "ExchangesCompleted");
                }
            } catch (javax.management.AttributeNotFoundException e) {
                // a step that sends nowhere
            }
        }
        return total;
    }

    /** The values of the series {@code name} whose labels include every one of {@code labels}. */
    private static List<String> series(List<String> lines, String name, String... labels) {
        return lines.stream().filter(l -> (l.startsWith(name + "{") || l.startsWith(name + " "))
                        && java.util.Arrays.stream(labels).allMatch(l::contains))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList();
    }
}
