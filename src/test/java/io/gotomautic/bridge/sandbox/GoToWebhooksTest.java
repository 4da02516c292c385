package io.gotomautic.bridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.gotomautic.bridge.sandbox.GoToSimulatorTest.Api;
import io.gotomautic.bridge.sandbox.GoToState.TimeRange;
import io.gotomautic.bridge.sandbox.GoToWebinars.Webinar;

/** GoToWebinar's webhook API on the simulator, and the signed events it delivers to a real callback server. */
class GoToWebhooksTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A receiver on loopback: answers GETs (the validation) and POSTs with the status set, and keeps each POST. */
    static final class Callback implements AutoCloseable {
        record Received(String path, Headers headers, String body) {
            JsonNode json() {
                try {
                    return Api.JSON.readTree(body);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        final List<Received> posts = new CopyOnWriteArrayList<>();
        final List<String> gets = new CopyOnWriteArrayList<>();
        volatile int getStatus = 200;
        volatile int postStatus = 200;
        private final HttpServer server;

        Callback() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            server.createContext("/", this::answer);
            server.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }

        List<JsonNode> at(String path) {
            return posts.stream().filter(p -> p.path().equals(path)).map(Received::json).toList();
        }

        private void answer(HttpExchange exchange) throws IOException {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                String path = exchange.getRequestURI().getPath();
                int status;
                if (exchange.getRequestMethod().equals("GET")) {
                    gets.add(path);
                    status = getStatus;
                } else {
                    posts.add(new Received(path, exchange.getRequestHeaders(), body));
                    status = postStatus;
                }
                exchange.sendResponseHeaders(status, -1);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private Api api;
    private Callback callback;
    private Webinar webinar;

    @BeforeEach
    void start() throws IOException {
        api = new Api();
        callback = new Callback();
        webinar = upcoming(api.state(), "Quarterly product update");
    }

    @AfterEach
    void stop() {
        api.close();
        callback.close();
    }

    @Test
    void aSecretIsCreatedAndANewOneReplacesIt() {
        Api.Reply first = api.post("/G2W/rest/v2/webhooks/secretkey", "");
        Api.Reply second = api.post("/G2W/rest/v2/webhooks/secretkey", "{}");
        Api.Reply later = api.post("/G2W/rest/v2/webhooks/secretkey",
                "{\"validFrom\":\"" + GoToWire.time(api.state().now().plus(Duration.ofHours(1))) + "\"}");

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().path("value").asText()).isNotBlank();
        assertThat(first.json().path("validFrom").asText()).isNotBlank();
        assertThat(second.json().path("id").asLong()).isNotEqualTo(first.json().path("id").asLong());
        assertThat(second.json().path("value").asText()).isNotEqualTo(first.json().path("value").asText());
        assertThat(later.status()).isEqualTo(200);
        assertThat(api.sim.webhookSecret()).as("a secret valid from later does not sign yet")
                .contains(second.json().path("value").asText());
    }

    @Test
    void aNewWebhookIsInactiveUntilAPutActivatesIt() {
        Api.Reply created = createWebhook(callback.url("/hook"), GoToWebinarEvent.REGISTRANT_ADDED);
        JsonNode hook = created.json().path("_embedded").path("webhooks").get(0);
        String key = hook.path("webhookKey").asText();

        assertThat(created.status()).isEqualTo(200);
        assertThat(callback.gets).as("the callback is validated with a GET").containsExactly("/hook");
        assertThat(hook.path("state").asText()).isEqualTo("INACTIVE");
        assertThat(hook.path("eventName").asText()).isEqualTo("registrant.added");
        assertThat(hook.path("eventVersion").asText()).isEqualTo("1.0.0");
        assertThat(hook.path("product").asText()).isEqualTo("g2w");
        assertThat(hook.path("callbackUrl").asText()).isEqualTo(callback.url("/hook"));
        assertThat(hook.path("createTime").asText()).isNotBlank();

        assertThat(send(api.accessToken, "PUT", "/G2W/rest/v2/webhooks",
                "[{\"webhookKey\":\"" + key + "\",\"state\":\"ACTIVE\"}]").status()).isEqualTo(204);
        assertThat(api.get("/G2W/rest/v2/webhooks/" + key).json().path("state").asText()).isEqualTo("ACTIVE");
        Api.Reply listed = api.get("/G2W/rest/v2/webhooks?product=g2w");
        assertThat(listed.json().path("_embedded").path("webhooks").findValuesAsText("webhookKey")).containsExactly(key);
        assertThat(api.get("/G2W/rest/v2/webhooks").status()).as("product is required").isEqualTo(400);
    }

    @Test
    void aCallbackThatRefusesTheValidationGetOrAnUnknownEventCreatesNothing() {
        callback.getStatus = 404;
        Api.Reply refused = createWebhook(callback.url("/hook"), GoToWebinarEvent.REGISTRANT_ADDED);
        callback.getStatus = 200;
        Api.Reply unknown = api.post("/G2W/rest/v2/webhooks", "[" + webhookJson(callback.url("/a"), "registrant.added")
                + "," + webhookJson(callback.url("/b"), "registrant.deleted") + "]");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("errorCode").asText()).isEqualTo("InvalidRequest");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(api.sim.webhooks()).isEmpty();
    }

    @Test
    void aUserSubscriptionIsTheTokensOrganizersAndActiveWithAnActiveWebhook() {
        String hook = activeWebhook(callback.url("/hook"), GoToWebinarEvent.REGISTRANT_ADDED);
        Api.Reply created = api.post("/G2W/rest/v2/userSubscriptions", subscriptionJson(hook, callback.url("/mine")));
        JsonNode sub = created.json().path("_embedded").path("userSubscriptions").get(0);
        GoToAccount grace = api.sim.addOrganizer("grace@example.com", "Grace", "Hopper");

        assertThat(created.status()).isEqualTo(200);
        assertThat(sub.path("webhookKey").asText()).isEqualTo(hook);
        assertThat(sub.path("userSubscriptionKey").asText()).isNotBlank();
        assertThat(sub.path("callbackUrl").asText()).isEqualTo(callback.url("/mine"));
        assertThat(sub.path("userSubscriptionState").asText()).isEqualTo("ACTIVE");
        assertThat(sub.path("activationState").asText()).isEqualTo("ACTIVE");
        assertThat(sub.path("createTime").asText()).isNotBlank();
        assertThat(callback.gets).contains("/mine");
        assertThat(api.get("/G2W/rest/v2/userSubscriptions").json().path("_embedded").path("userSubscriptions")
                .findValuesAsText("userSubscriptionKey")).containsExactly(sub.path("userSubscriptionKey").asText());
        String graceToken = api.refresh(grace.refreshToken()).json().path("access_token").asText();
        assertThat(send(graceToken, "GET", "/G2W/rest/v2/userSubscriptions/" + sub.path("userSubscriptionKey").asText(), null)
                .status()).as("another organizer's subscription").isEqualTo(404);
        assertThat(api.sim.userSubscriptions(grace)).isEmpty();
    }

    @Test
    void aRegistrantAddedThroughTheApiIsDeliveredOnceSigned() {
        String secret = subscribe(GoToWebinarEvent.REGISTRANT_ADDED, "/added");

        Api.Reply registered = api.post(api.g2w("/webinars/" + webinar.key() + "/registrants"),
                "{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"email\":\"ada@example.com\"}");

        Callback.Received delivery = awaitOne("/added");
        JsonNode body = delivery.json();
        assertThat(body.path("eventName").asText()).isEqualTo("registrant.added");
        assertThat(body.path("eventVersion").asText()).isEqualTo("1.0.0");
        assertThat(body.path("product").asText()).isEqualTo("g2w");
        assertThat(body.path("eventKey").asText()).matches("[0-9a-f-]{36}");
        assertThat(Instant.parse(body.path("timestamp").asText())).isNotNull();
        assertThat(body.path("webinarKey").isIntegralNumber()).as("keys are numbers").isTrue();
        assertThat(body.path("webinarKey").asLong()).isEqualTo(webinar.key());
        assertThat(body.path("webinarTitle").asText()).isEqualTo("Quarterly product update");
        assertThat(body.path("registrantKey").asLong()).isEqualTo(registered.json().path("registrantKey").asLong());
        assertThat(body.path("email").asText()).isEqualTo("ada@example.com");
        assertThat(body.path("firstName").asText()).isEqualTo("Ada");
        assertThat(body.path("lastName").asText()).isEqualTo("Lovelace");
        assertThat(body.path("joinUrl").asText()).isEqualTo(registered.json().path("joinUrl").asText());
        assertThat(body.path("status").asText()).isEqualTo("APPROVED");
        assertThat(body.path("registrationDate").asText()).isNotBlank();
        assertThat(body.path("responses").isArray()).isTrue();
        assertThat(delivery.headers().getFirst("Content-Type")).isEqualTo("application/json");
        assertThat(delivery.headers().getFirst("X-Webhook-Signature")).isEqualTo(hmac(secret, delivery.body()));
        await().atMost(WAIT).until(() -> api.sim.webhookDeliveries().size() == 1);
        GoToWebhookDeliveries.Delivery recorded = api.sim.webhookDeliveries().get(0);
        assertThat(recorded.status()).isEqualTo(200);
        assertThat(recorded.eventKey()).isEqualTo(body.path("eventKey").asText());
        assertThat(recorded.callbackUrl()).isEqualTo(callback.url("/added"));
    }

    @Test
    void aRegistrantAddedThroughTheStateIsDelivered() {
        String secret = subscribe(GoToWebinarEvent.REGISTRANT_ADDED, "/added");

        api.state().webinars().addRegistrant(webinar.key(), "Alan", "Turing", "alan@example.com");

        Callback.Received delivery = awaitOne("/added");
        assertThat(delivery.json().path("email").asText()).isEqualTo("alan@example.com");
        assertThat(delivery.headers().getFirst("X-Webhook-Signature")).isEqualTo(hmac(secret, delivery.body()));
    }

    @Test
    void aRegistrationOnTheRegistrationPageIsDelivered() {
        String secret = subscribe(GoToWebinarEvent.REGISTRANT_ADDED, "/added");
        String page = api.sim.registrationPageUrl(webinar.key());

        Api.Reply form = api.send(HttpRequest.newBuilder(URI.create(page)).GET());
        Api.Reply confirmed = api.send(HttpRequest.newBuilder(URI.create(page))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("firstName=Grace&lastName=Hopper&email=grace%40example.com")));
        Api.Reply again = api.send(HttpRequest.newBuilder(URI.create(page))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("firstName=Grace&lastName=Hopper&email=GRACE%40example.com")));

        assertThat(form.status()).isEqualTo(200);
        assertThat(form.text()).contains("Quarterly product update", "name=\"email\"");
        assertThat(confirmed.status()).isEqualTo(200);
        assertThat(confirmed.text()).contains("id=\"confirmation\"");
        assertThat(again.status()).as("the same email again").isEqualTo(409);
        Callback.Received delivery = awaitOne("/added");
        assertThat(delivery.json().path("email").asText()).isEqualTo("grace@example.com");
        assertThat(delivery.headers().getFirst("X-Webhook-Signature")).isEqualTo(hmac(secret, delivery.body()));
        assertThat(api.state().webinars().registrants(webinar.key())).hasSize(1);
        assertThat(api.send(HttpRequest.newBuilder(URI.create(api.sim.registrationPageUrl(1))).GET()).status())
                .isEqualTo(404);
    }

    @Test
    void nothingIsDeliveredWhileTheWebhookIsInactiveOrTheSubscriptionIs() {
        newSecret();
        String hook = createWebhook(callback.url("/hook"), GoToWebinarEvent.REGISTRANT_ADDED).json()
                .path("_embedded").path("webhooks").get(0).path("webhookKey").asText();
        String sub = api.post("/G2W/rest/v2/userSubscriptions", subscriptionJson(hook, callback.url("/added"))).json()
                .path("_embedded").path("userSubscriptions").get(0).path("userSubscriptionKey").asText();
        api.state().webinars().addRegistrant(webinar.key(), "While", "Inactive", "inactive-hook@example.com");
        put("/G2W/rest/v2/webhooks", "[{\"webhookKey\":\"" + hook + "\",\"state\":\"ACTIVE\"}]");
        api.state().webinars().addRegistrant(webinar.key(), "Now", "Active", "active@example.com");
        awaitEmails("/added", "active@example.com");

        put("/G2W/rest/v2/userSubscriptions", "[{\"webhookKey\":\"" + hook + "\",\"userSubscriptionKey\":\"" + sub
                + "\",\"userSubscriptionState\":\"INACTIVE\"}]");
        assertThat(api.get("/G2W/rest/v2/userSubscriptions/" + sub).json().path("activationState").asText())
                .isEqualTo("INACTIVE");
        api.state().webinars().addRegistrant(webinar.key(), "While", "Unsubscribed", "inactive-sub@example.com");
        put("/G2W/rest/v2/userSubscriptions", "[{\"webhookKey\":\"" + hook + "\",\"userSubscriptionKey\":\"" + sub
                + "\",\"userSubscriptionState\":\"ACTIVE\"}]");
        api.state().webinars().addRegistrant(webinar.key(), "Active", "Again", "again@example.com");

        awaitEmails("/added", "active@example.com", "again@example.com");
    }

    @Test
    void aJoinIsDeliveredWithItsSessionAndTime() {
        subscribe(GoToWebinarEvent.REGISTRANT_JOINED, "/joined");
        GoToWebinars.Registrant r = api.state().webinars().addRegistrant(webinar.key(), "Ada", "Lovelace", "ada@example.com");
        TimeRange time = webinar.times().get(0);
        GoToState.Session session = api.state().webinars().addSession(webinar.key(), time);

        api.state().webinars().recordAttendance(session.key(), r.key(), TimeRange.of(time.start(), Duration.ofMinutes(30)));

        JsonNode body = awaitOne("/joined").json();
        assertThat(body.path("eventName").asText()).isEqualTo("registrant.joined");
        assertThat(body.path("webinarKey").asLong()).isEqualTo(webinar.key());
        assertThat(body.path("sessionKey").asLong()).isEqualTo(session.key());
        assertThat(body.path("registrantKey").asLong()).isEqualTo(r.key());
        assertThat(body.path("joinTime").isIntegralNumber()).isTrue();
        assertThat(body.path("joinTime").asLong()).isEqualTo(time.start().toEpochMilli());
    }

    @Test
    void aWebinarCreatedRenamedRescheduledAndCancelledIsDelivered() {
        subscribe(GoToWebinarEvent.WEBINAR_CREATED, "/webinars");
        String changed = activeWebhook(callback.url("/webinars"), GoToWebinarEvent.WEBINAR_CHANGED);
        api.post("/G2W/rest/v2/userSubscriptions", subscriptionJson(changed, callback.url("/webinars")));
        GoToWebinars webinars = api.state().webinars();

        Webinar launch = upcoming(api.state(), "Launch");
        webinars.rename(launch.key(), "Launch, part one");
        TimeRange later = TimeRange.of(launch.start().plus(Duration.ofDays(1)), Duration.ofHours(2));
        webinars.reschedule(launch.key(), later);
        webinars.cancel(launch.key());

        await().atMost(WAIT).until(() -> callback.at("/webinars").size() == 4);
        List<JsonNode> bodies = callback.at("/webinars");
        assertThat(bodies).extracting(b -> b.path("eventName").asText() + " " + b.path("status").asText())
                .containsExactly("webinar.created NEW", "webinar.changed UPDATED", "webinar.changed UPDATED",
                        "webinar.changed DELETED");
        assertThat(bodies).allSatisfy(b -> assertThat(b.path("webinarKey").asLong()).isEqualTo(launch.key()));
        assertThat(bodies.get(0).path("organizerKey").asLong()).isEqualTo(api.organizerKey());
        assertThat(bodies.get(0).path("accountKey").asLong()).isEqualTo(api.state().organizer().accountKey());
        assertThat(bodies.get(1).path("webinarTitle").asText()).isEqualTo("Launch, part one");
        assertThat(bodies.get(2).path("times").get(0).path("startTime").asText()).isEqualTo(GoToWire.time(later.start()));
    }

    @Test
    void eachOrganizerHearsOnlyOfTheirOwnWebinars() {
        String hook = activeWebhook(callback.url("/hook"), GoToWebinarEvent.REGISTRANT_ADDED);
        GoToAccount grace = api.sim.addOrganizer("grace@example.com", "Grace", "Hopper");
        String graceToken = api.refresh(grace.refreshToken()).json().path("access_token").asText();
        api.post("/G2W/rest/v2/userSubscriptions", subscriptionJson(hook, callback.url("/ada")));
        assertThat(send(graceToken, "POST", "/G2W/rest/v2/userSubscriptions", subscriptionJson(hook, callback.url("/grace")))
                .status()).isEqualTo(200);
        Webinar gracesWebinar = upcoming(grace.state(), "Grace's compilers");

        grace.state().webinars().addRegistrant(gracesWebinar.key(), "Kathleen", "Booth", "kathleen@example.com");
        api.state().webinars().addRegistrant(webinar.key(), "Mary", "Somerville", "mary@example.com");

        awaitEmails("/ada", "mary@example.com");
        awaitEmails("/grace", "kathleen@example.com");
        assertThat(api.sim.userSubscriptions(grace)).hasSize(1);
    }

    @Test
    void withDuplicatesEachEventArrivesTwiceWithTheSameEventKey() {
        subscribe(GoToWebinarEvent.REGISTRANT_ADDED, "/added");
        api.sim.webhookDuplicates(true);

        api.state().webinars().addRegistrant(webinar.key(), "Ada", "Lovelace", "ada@example.com");

        await().atMost(WAIT).until(() -> callback.at("/added").size() == 2);
        List<JsonNode> bodies = callback.at("/added");
        assertThat(bodies.get(1).path("eventKey").asText()).isEqualTo(bodies.get(0).path("eventKey").asText());
    }

    @Test
    void withReorderDeliveriesWaitForAFlushAndArriveNewestFirst() {
        subscribe(GoToWebinarEvent.REGISTRANT_ADDED, "/added");
        api.sim.webhookReorder(true);
        for (String name : List.of("first", "second", "third")) {
            api.state().webinars().addRegistrant(webinar.key(), name, "Person", name + "@example.com");
        }

        assertThat(api.sim.webhookDeliveries()).as("held, not sent").isEmpty();
        assertThat(api.sim.flushWebhooks()).isEqualTo(3);

        awaitEmails("/added", "third@example.com", "second@example.com", "first@example.com");
    }

    @Test
    void droppedDeliveriesNeverArriveAndAFailedOneIsNotRetried() {
        subscribe(GoToWebinarEvent.REGISTRANT_ADDED, "/added");
        api.sim.webhookDrop(1.0);
        api.state().webinars().addRegistrant(webinar.key(), "Lost", "Once", "lost@example.com");
        await().atMost(WAIT).until(() -> api.sim.webhookDeliveries().size() == 1);
        api.sim.webhookDrop(0);
        callback.postStatus = 500;
        api.state().webinars().addRegistrant(webinar.key(), "Refused", "Once", "refused@example.com");
        awaitEmails("/added", "refused@example.com");
        callback.postStatus = 200;
        api.state().webinars().addRegistrant(webinar.key(), "Arrives", "Fine", "fine@example.com");

        awaitEmails("/added", "refused@example.com", "fine@example.com");
        await().atMost(WAIT).until(() -> api.sim.webhookDeliveries().size() == 3);
        assertThat(api.sim.webhookDeliveries()).extracting(d -> d.status() + " " + d.failure())
                .containsExactly("0 " + GoToWebhookDeliveries.DROPPED, "500 null", "200 null");
    }

    @Test
    void aBadSignatureDoesNotVerifyAndTheSignatureCanCoverATimestamp() {
        String secret = subscribe(GoToWebinarEvent.REGISTRANT_ADDED, "/added");
        api.sim.badSignature(true);
        api.state().webinars().addRegistrant(webinar.key(), "Bad", "Signature", "bad@example.com");
        Callback.Received bad = awaitOne("/added");
        api.sim.badSignature(false).webhookSignatureHeader("X-GoTo-Signature").webhookSignatureTimestamped(true);
        api.state().webinars().addRegistrant(webinar.key(), "Timed", "Signature", "timed@example.com");
        await().atMost(WAIT).until(() -> callback.posts.size() == 2);
        Callback.Received timed = callback.posts.get(1);

        assertThat(bad.headers().getFirst("X-Webhook-Signature")).isNotBlank().isNotEqualTo(hmac(secret, bad.body()));
        String timestamp = timed.headers().getFirst("X-Webhook-Signature-Timestamp");
        assertThat(timestamp).matches("\\d+");
        assertThat(timed.headers().getFirst("X-Webhook-Signature")).isNull();
        assertThat(timed.headers().getFirst("X-GoTo-Signature")).isEqualTo(hmac(secret, timestamp + ":" + timed.body()));
    }

    @Test
    void deletedWebhooksAndSubscriptionsDeliverNoMore() {
        newSecret();
        String deletedHook = activeWebhook(callback.url("/a"), GoToWebinarEvent.REGISTRANT_ADDED);
        String keptHook = activeWebhook(callback.url("/b"), GoToWebinarEvent.REGISTRANT_ADDED);
        api.post("/G2W/rest/v2/userSubscriptions", subscriptionJson(deletedHook, callback.url("/a")));
        String deletedSub = api.post("/G2W/rest/v2/userSubscriptions", subscriptionJson(keptHook, callback.url("/b"))).json()
                .path("_embedded").path("userSubscriptions").get(0).path("userSubscriptionKey").asText();
        api.post("/G2W/rest/v2/userSubscriptions", subscriptionJson(keptHook, callback.url("/c")));

        assertThat(send(api.accessToken, "DELETE", "/G2W/rest/v2/webhooks", "[\"" + deletedHook + "\"]").status())
                .isEqualTo(202);
        assertThat(send(api.accessToken, "DELETE", "/G2W/rest/v2/userSubscriptions", "[\"" + deletedSub + "\"]").status())
                .isEqualTo(202);
        api.state().webinars().addRegistrant(webinar.key(), "Ada", "Lovelace", "ada@example.com");

        awaitEmails("/c", "ada@example.com");
        assertThat(callback.posts).extracting(Callback.Received::path).containsExactly("/c");
        assertThat(api.get("/G2W/rest/v2/webhooks/" + deletedHook).status()).isEqualTo(404);
        assertThat(api.sim.webhooks()).extracting(GoToWebhooks.Webhook::webhookKey).containsExactly(keptHook);
        assertThat(api.sim.userSubscriptions(api.sim.firstOrganizer())).hasSize(1);
    }

    /** A secret, an ACTIVE webhook for the event and the first organizer's ACTIVE subscription at {@code path}; the secret. */
    private String subscribe(String eventName, String path) {
        String secret = newSecret();
        String hook = activeWebhook(callback.url(path), eventName);
        assertThat(api.post("/G2W/rest/v2/userSubscriptions", subscriptionJson(hook, callback.url(path))).status())
                .isEqualTo(200);
        return secret;
    }

    private String newSecret() {
        return api.post("/G2W/rest/v2/webhooks/secretkey", "").json().path("value").asText();
    }

    private String activeWebhook(String callbackUrl, String eventName) {
        String key = createWebhook(callbackUrl, eventName).json().path("_embedded").path("webhooks").get(0)
                .path("webhookKey").asText();
        put("/G2W/rest/v2/webhooks", "[{\"webhookKey\":\"" + key + "\",\"state\":\"ACTIVE\"}]");
        return key;
    }

    private Api.Reply createWebhook(String callbackUrl, String eventName) {
        return api.post("/G2W/rest/v2/webhooks", "[" + webhookJson(callbackUrl, eventName) + "]");
    }

    private static String webhookJson(String callbackUrl, String eventName) {
        return "{\"callbackUrl\":\"" + callbackUrl + "\",\"eventName\":\"" + eventName
                + "\",\"eventVersion\":\"1.0.0\",\"product\":\"g2w\"}";
    }

    private static String subscriptionJson(String webhookKey, String callbackUrl) {
        return "[{\"webhookKey\":\"" + webhookKey + "\",\"callbackUrl\":\"" + callbackUrl
                + "\",\"userSubscriptionState\":\"ACTIVE\"}]";
    }

    private void put(String path, String json) {
        assertThat(send(api.accessToken, "PUT", path, json).status()).isEqualTo(204);
    }

    private Api.Reply send(String token, String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.sim.baseUrl() + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
        return api.send(request.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json)));
    }

    /** The one delivery at {@code path}, once it arrived. */
    private Callback.Received awaitOne(String path) {
        await().atMost(WAIT).until(() -> !callback.at(path).isEmpty());
        List<Callback.Received> at = callback.posts.stream().filter(p -> p.path().equals(path)).toList();
        assertThat(at).hasSize(1);
        return at.get(0);
    }

    /** Waits until the last of {@code emails} arrived at {@code path}, then expects exactly these, in this order. */
    private void awaitEmails(String path, String... emails) {
        String last = emails[emails.length - 1];
        await().atMost(WAIT).until(() -> callback.at(path).stream().anyMatch(b -> b.path("email").asText().equals(last)));
        assertThat(callback.at(path)).extracting(b -> b.path("email").asText()).containsExactly(emails);
    }

    private static Webinar upcoming(GoToState state, String subject) {
        return state.webinars().add(GoToWebinars.webinar(subject)
                .times(TimeRange.of(state.now().plus(Duration.ofDays(7)), Duration.ofHours(1))));
    }

    /** The signature checked the way a receiver would, independently of the simulator's code. */
    private static String hmac(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
