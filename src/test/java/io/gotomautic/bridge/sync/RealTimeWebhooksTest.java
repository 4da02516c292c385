package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.gotoapi.GoToClient;
import io.gotomautic.bridge.gotoapi.GoToConnections;
import io.gotomautic.bridge.gotohooks.GoToWebhookSubscriptions;
import io.gotomautic.bridge.sandbox.GoToWebhooks;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Real time: the bridge subscribes to GoToWebinar's webhooks by itself (secret, a webhook per event, activated, the
 * account subscribed), and a person registered in GoTo, not through the bridge, reaches Mautic from the delivery, long
 * before the next poll; `webhooks remove` takes it all back.
 */
class RealTimeWebhooksTest extends InboundTestBase {

    private final int port = TestBridge.freePort();

    @Override
    Map<String, String> more() {
        return realTime(port);
    }

    @Test
    void theBridgeSubscribesAndARegistrationMadeInGoToReachesMauticFromItsWebhook() throws Exception {
        String callback = "http://127.0.0.1:" + port + "/webhooks/goto";
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(goTo.webhooks()).extracting(GoToWebhooks.Webhook::eventName)
                    .containsExactlyInAnyOrder("registrant.added", "registrant.joined", "webinar.created", "webinar.changed");
            assertThat(goTo.webhooks()).allSatisfy(w -> {
                assertThat(w.callbackUrl()).isEqualTo(callback);
                assertThat(w.state()).isEqualTo(GoToWebhooks.State.ACTIVE);
            });
            assertThat(goTo.userSubscriptions(goTo.firstOrganizer())).hasSize(4).allSatisfy(s -> {
                assertThat(s.callbackUrl()).isEqualTo(callback + "?account=default");
                assertThat(s.state()).isEqualTo(GoToWebhooks.State.ACTIVE);
            });
            assertThat(DB.strings("SELECT state FROM goto_webhook WHERE account = 'default'")).containsExactly("active");
            assertThat(DB.strings("SELECT outcome FROM sync_cursor WHERE product = 'webinar'")).containsExactly("ok");
        });
        // a second check changes nothing: no second webhook, no second subscription
        GoToWebhookSubscriptions subscriptions = bridge.camelContext().getRegistry()
                .lookupByNameAndType("gotoWebhookSubscriptions", GoToWebhookSubscriptions.class);
        assertThat(check()).containsOnlyKeys("default").allSatisfy((a, line) -> assertThat(line).startsWith("active"));
        assertThat(goTo.webhooks()).hasSize(4);
        assertThat(goTo.userSubscriptions(goTo.firstOrganizer())).hasSize(4);

        // someone registers on GoTo's side: no poll comes for an hour, the webhook brings them
        goTo.state().webinars().addRegistrant(webinar, "Kay", "McNulty", "kay@example.com");
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(state.contactByEmail("kay@example.com")).isPresent();
            assertThat(DB.strings("SELECT payload ->> 'source' || ' ' || status FROM outbox WHERE payload ->> 'email' = 'kay@example.com'"))
                    .containsExactly("webhook delivered");
        });
        assertThat(DB.strings("SELECT count(*) FROM sync_cursor WHERE product = 'webinar' AND finished_at > now() - interval '10 seconds'"
                + " AND started_at > (SELECT min(received_at) FROM inbox WHERE source = 'goto-webhook')")).as("no poll since")
                .containsExactly("0");

        // someone turns a webhook off in GoTo and deletes a subscription: the next check mends both, nothing doubled
        GoToClient app = bridge.camelContext().getRegistry().lookupByNameAndType("gotoConnections", GoToConnections.class).first();
        String added = goTo.webhooks().stream().filter(w -> w.eventName().equals("registrant.added")).findFirst().orElseThrow()
                .webhookKey();
        app.put("/G2W/rest/v2/webhooks", List.of(Map.of("webhookKey", added, "state", "INACTIVE")));
        app.delete("/G2W/rest/v2/userSubscriptions", List.of(goTo.userSubscriptions(goTo.firstOrganizer()).get(1).userSubscriptionKey()));
        assertThat(goTo.userSubscriptions(goTo.firstOrganizer())).hasSize(3);
        assertThat(check()).hasEntrySatisfying("default", line -> assertThat(line).startsWith("active"));
        assertThat(goTo.webhooks()).hasSize(4).allSatisfy(w -> assertThat(w.state()).isEqualTo(GoToWebhooks.State.ACTIVE));
        assertThat(goTo.userSubscriptions(goTo.firstOrganizer())).hasSize(4)
                .allSatisfy(u -> assertThat(u.state()).isEqualTo(GoToWebhooks.State.ACTIVE))
                .extracting(GoToWebhooks.UserSubscription::webhookKey).doesNotHaveDuplicates();

        // GoTo failing: the account's webhooks are failing, with why (status shows it), and mended when GoTo is back
        goTo.faults().on("/webhooks").status(500);
        assertThat(check()).hasEntrySatisfying("default", line -> assertThat(line).startsWith("failing").contains("500"));
        assertThat(DB.strings("SELECT state FROM goto_webhook WHERE account = 'default'")).containsExactly("failing");
        goTo.faults().clear();
        assertThat(check()).hasEntrySatisfying("default", line -> assertThat(line).startsWith("active"));

        assertThat(subscriptions.remove()).isEqualTo(8);
        assertThat(goTo.webhooks()).isEmpty();
        assertThat(goTo.userSubscriptions(goTo.firstOrganizer())).isEmpty();
        assertThat(DB.strings("SELECT state FROM goto_webhook")).containsExactly("removed");
    }

    /** The route goto-webhooks-check, as its timer calls it: each account's outcome. */
    @SuppressWarnings("unchecked")
    private Map<String, String> check() {
        return (Map<String, String>) bridge.camelContext().createProducerTemplate().requestBody("direct:goto-webhooks-check", null, Map.class);
    }
}
