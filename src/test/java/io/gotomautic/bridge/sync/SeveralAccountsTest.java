package io.gotomautic.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.gotomautic.bridge.connect.GoToConnect;
import io.gotomautic.bridge.http.HttpTransport;
import io.gotomautic.bridge.ops.Meters;
import io.gotomautic.bridge.sandbox.GoToAccount;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars;
import io.gotomautic.bridge.sandbox.MauticDemo;
import io.gotomautic.bridge.TestBridge;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Two GoTo organizers at once: goto.refresh-token's (the account {@code default}) and one connected with a Personal
 * Access Token. Each is polled on its own, with its own limiter and status line; its events carry its account; forms
 * name events by key alone and land in the right organizer's GoTo; one account's revoked grant holds only its own work.
 */
class SeveralAccountsTest extends InboundTestBase {

    @Override
    Map<String, String> more() {
        return Map.of("bridge.poll.webinar", "1s", "bridge.secret-key", "several-accounts-key");
    }

    @Test
    void eachAccountIsPolledAndRegisteredThroughOnItsOwnAndOnesFaultHoldsOnlyItsOwnWork() throws Exception {
        GoToAccount grace = goTo.addOrganizer("grace@example.com", "Grace", "Hopper");
        long hers = grace.state().webinars().add(GoToWebinars.webinar("Grace's compilers")
                .times(TimeRange.of(starts.plus(Duration.ofDays(1)), Duration.ofHours(1)))).key();
        grace.state().webinars().addRegistrant(hers, "Kay", "McNulty", "kay@example.com");
        long asking = grace.state().webinars().add(GoToWebinars.webinar("Grace's survey").question("Your role", true, "Dev", "Ops")
                .times(TimeRange.of(starts.plus(Duration.ofDays(2)), Duration.ofHours(1)))).key();
        goTo.state().webinars().addRegistrant(webinar, "Ada", "Lovelace", "ada@example.com");
        String name = connect(grace.personalAccessToken());
        assertThat(name).isEqualTo("grace@example.com");

        // both organizers' registrants reach Mautic, each event under its own account, each account with its own cursor
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(state.contactByEmail("kay@example.com")).isPresent();
            assertThat(state.contactByEmail("ada@example.com")).isPresent();
            assertThat(DB.strings("SELECT account || ' ' || outcome FROM sync_cursor WHERE product = 'webinar' ORDER BY account"))
                    .containsExactly("default ok", "grace@example.com ok");
        });
        assertThat(DB.strings("SELECT event_key || ' ' || account FROM event ORDER BY account, event_key"))
                .containsExactlyInAnyOrder(webinar + " default", hers + " grace@example.com", asking + " grace@example.com");
        assertThat(DB.strings("SELECT DISTINCT payload ->> 'account' FROM outbox WHERE payload ->> 'eventKey' = '" + hers + "'"))
                .containsExactly("grace@example.com");
        // one account's listing never cancels the other's webinars
        assertThat(DB.strings("SELECT count(*) FROM outbox WHERE payload ->> 'type' = 'event-cancelled'"))
                .containsExactly("0");
        assertThat(DB.strings("SELECT DISTINCT connection FROM goto_call ORDER BY 1")).as("a limiter per account")
                .contains("client/default", "client/grace@example.com");

        // a form names the event by key alone: each registration goes to the organizer whose webinar it is
        mautic.submitForm(MauticDemo.FORM_ALIAS, Map.of("email", "bob@example.com", "goto_webinar", String.valueOf(hers)));
        mautic.submitForm(MauticDemo.FORM_ALIAS, Map.of("email", "eve@example.com", "goto_webinar", String.valueOf(webinar)));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(grace.state().webinars().registrants(hers)).extracting(GoToWebinars.Registrant::email).contains("bob@example.com");
            assertThat(goTo.state().webinars().registrants(webinar)).extracting(GoToWebinars.Registrant::email).contains("eve@example.com");
        });

        // what cannot be done for one account's event is a dead letter that names the account
        mautic.submitForm(MauticDemo.FORM_ALIAS, Map.of("email", "una@example.com", "goto_webinar", String.valueOf(asking)));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                DB.strings("SELECT DISTINCT account || ': ' || reason FROM dead_letter WHERE payload LIKE '%una@example.com%'"))
                .singleElement().asString().startsWith("grace@example.com: ").contains("requires an answer to its question \"Your role\""));

        // integrators' goto: calls: an event's key finds its account; a listing of one account must name it
        ProducerTemplate calls = bridge.camelContext().createProducerTemplate();
        assertThat(calls.requestBody("goto:webinar/getWebinar?webinarKey=" + hers, null, Map.class).get("subject"))
                .isEqualTo("Grace's compilers");
        assertThatThrownBy(() -> calls.requestBodyAndHeaders("goto:webinar/listWebinars", null,
                Map.of("fromTime", starts.minus(Duration.ofDays(1)).toString(), "toTime", starts.plus(Duration.ofDays(9)).toString())))
                .isInstanceOf(CamelExecutionException.class)
                .hasRootCauseMessage("goto:webinar/listWebinars needs the account: several GoTo accounts are connected"
                        + " (default, g***@example.com); name one in the option or header account");
        @SuppressWarnings("unchecked") List<Map<String, Object>> listed = calls.requestBodyAndHeaders("goto:webinar/listWebinars", null, Map.of("account", name,
                "fromTime", starts.minus(Duration.ofDays(1)).toString(), "toTime", starts.plus(Duration.ofDays(9)).toString()), List.class);
        assertThat(listed).extracting(w -> w.get("subject")).containsExactlyInAnyOrder("Grace's compilers", "Grace's survey");

        // Grace's grant revoked: her registrations are held (never dead letters), the default account goes on
        grace.revokeRefreshToken();
        goTo.expireAllTokens();
        mautic.submitForm(MauticDemo.FORM_ALIAS, Map.of("email", "held@example.com", "goto_webinar", String.valueOf(hers)));
        goTo.state().webinars().addRegistrant(webinar, "Alan", "Turing", "alan@example.com");
        mautic.submitForm(MauticDemo.FORM_ALIAS, Map.of("email", "fine@example.com", "goto_webinar", String.valueOf(webinar)));
        Awaitility.await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            assertThat(state.contactByEmail("alan@example.com")).as("the default account's poll goes on").isPresent();
            assertThat(goTo.state().webinars().registrants(webinar)).extracting(GoToWebinars.Registrant::email).contains("fine@example.com");
            assertThat(DB.strings("SELECT coalesce(fix, '') FROM part_state WHERE part = 'goto:grace@example.com'"))
                    .singleElement().asString().contains("connect the GoTo account g***@example.com again");
            assertThat(DB.strings("SELECT coalesce(fix, '') FROM part_state WHERE part = 'goto:default'")).containsExactly("");
            assertThat(DB.strings("SELECT outcome FROM sync_cursor WHERE product = 'webinar' AND account = 'grace@example.com'"))
                    .containsExactly("failed");
        });
        // the submission waits (its contact save was left to it, without a call)
        assertThat(DB.strings("SELECT status FROM inbox WHERE payload LIKE '%held@example.com%'"
                + " AND delivery_key LIKE 'mautic.form_on_submit:%'")).containsExactly("pending");
        assertThat(DB.strings("SELECT count(*) FROM dead_letter WHERE payload NOT LIKE '%una@example.com%'")).as("no other")
                .containsExactly("0");
        assertThat(grace.state().webinars().registrants(hers)).extracting(GoToWebinars.Registrant::email).doesNotContain("held@example.com");
        assertThat(TestBridge.get(bridge, "/health").body()).contains("account g***@example.com: GoTo refuses the refresh token");

        // disconnected, the account stops; its history stays, and work for its events waits for it to be connected again
        assertThat(GoToConnect.accounts(settings(), bridge.database().dataSource()).disconnect(name)).isTrue();
        mautic.submitForm(MauticDemo.FORM_ALIAS, Map.of("email", "later@example.com", "goto_webinar", String.valueOf(hers)));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(DB.strings(
                "SELECT DISTINCT status || ' ' || last_error FROM inbox WHERE payload LIKE '%later@example.com%' AND last_error IS NOT NULL"))
                .singleElement().asString().startsWith("pending ").contains("connect the GoTo account g***@example.com again"));
        assertThat(DB.strings("SELECT account FROM event WHERE event_key = '" + hers + "'")).containsExactly("grace@example.com");
        assertThat(DB.strings("SELECT count(*) FROM registration WHERE event_key = '" + hers + "'")).doesNotContain("0");
    }

    private io.gotomautic.bridge.config.Settings settings() {
        return TestBridge.settings(Map.of("goto.api-url", goTo.baseUrl(), "goto.auth-url", goTo.baseUrl(),
                "goto.client-id", "client", "goto.client-secret", "secret", "bridge.secret-key", "several-accounts-key"));
    }

    /** The account as `connect goto --pat` connects it. */
    private String connect(String pat) throws Exception {
        var settings = settings();
        HttpTransport http = new HttpTransport(bridge.camelContext(), "goto", Duration.ofSeconds(10), new Meters());
        var accounts = GoToConnect.accounts(settings, bridge.database().dataSource());
        return GoToConnect.of(settings, bridge.database().dataSource(), GoToConnect.tokenEndpoint(settings, http), http, accounts)
                .withPersonalAccessToken(pat).name();
    }
}
