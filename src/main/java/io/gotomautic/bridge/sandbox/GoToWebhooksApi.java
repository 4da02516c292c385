package io.gotomautic.bridge.sandbox;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.gotomautic.bridge.sandbox.GoToWebhooks.Secret;
import io.gotomautic.bridge.sandbox.GoToWebhooks.State;
import io.gotomautic.bridge.sandbox.GoToWebhooks.UserSubscription;
import io.gotomautic.bridge.sandbox.GoToWebhooks.Webhook;

/**
 * GoToWebinar's webhook API under {@code /G2W/rest/v2}, with no organizer in the paths: the secret and the webhooks
 * are the OAuth client's, whichever organizer's token calls; user subscriptions are the calling token's organizer's.
 * Bodies are arrays and a request is all or nothing: one bad item (or a callback that does not answer the validation
 * GET with 200) refuses it with 400 and changes nothing. GoTo wants https callbacks; on loopback http is accepted.
 */
final class GoToWebhooksApi {

    private static final String WEBHOOKS = GoToWebinarApi.BASE + "/webhooks";
    private static final String SUBSCRIPTIONS = GoToWebinarApi.BASE + "/userSubscriptions";

    private final GoToWebhooks webhooks;
    private final GoToWebhookDeliveries deliveries;

    GoToWebhooksApi(GoToWebhooks webhooks, GoToWebhookDeliveries deliveries) {
        this.webhooks = webhooks;
        this.deliveries = deliveries;
    }

    void routes(SimServer server, GoToIdentity identity) {
        server.route("POST", WEBHOOKS + "/secretkey", identity.guard(this::newSecret))
                .route("POST", WEBHOOKS, identity.guard(this::createWebhooks))
                .route("PUT", WEBHOOKS, identity.guard(this::updateWebhooks))
                .route("GET", WEBHOOKS, identity.guard(this::listWebhooks))
                .route("GET", WEBHOOKS + "/{webhookKey}", identity.guard(this::oneWebhook))
                .route("DELETE", WEBHOOKS, identity.guard(this::deleteWebhooks))
                .route("POST", SUBSCRIPTIONS, identity.guard(this::subscribe))
                .route("PUT", SUBSCRIPTIONS, identity.guard(this::updateSubscriptions))
                .route("GET", SUBSCRIPTIONS, identity.guard(this::listSubscriptions))
                .route("GET", SUBSCRIPTIONS + "/{userSubscriptionKey}", identity.guard(this::oneSubscription))
                .route("DELETE", SUBSCRIPTIONS, identity.guard(this::unsubscribe));
    }

    /** The body is optional: without {@code validFrom} the new secret signs from now on. */
    private SimResponse newSecret(SimRequest req, GoToState state) {
        String validFrom = req.body().length == 0 ? null : GoToWire.optionalText(req.json(), "validFrom");
        Secret s = webhooks.newSecret(validFrom == null ? null : GoToWire.parseTime(validFrom, "validFrom"));
        return SimResponse.json(200, GoToWire.object().put("id", s.id()).put("value", s.value())
                .put("validFrom", GoToWire.time(s.validFrom())));
    }

    private SimResponse createWebhooks(SimRequest req, GoToState state) {
        List<Webhook> created = allOrNothing(items(req), item -> {
            String eventName = GoToWire.requiredText(item, "eventName");
            if (!GoToWebinarEvent.NAMES.contains(eventName)) {
                throw GoToWire.badRequest("Unsupported eventName '" + eventName + "'; supported: " + GoToWebinarEvent.NAMES);
            }
            if (!GoToWebhooks.EVENT_VERSION.equals(GoToWire.requiredText(item, "eventVersion"))) {
                throw GoToWire.badRequest("Unsupported eventVersion; supported: " + GoToWebhooks.EVENT_VERSION);
            }
            requireProduct(GoToWire.requiredText(item, "product"));
            return GoToWire.requiredText(item, "callbackUrl");
        }, item -> webhooks.create(item.path("callbackUrl").asText(), item.path("eventName").asText()));
        return SimResponse.json(200, embedded("webhooks", created, this::webhook));
    }

    private SimResponse updateWebhooks(SimRequest req, GoToState state) {
        allOrNothing(items(req), item -> {
            Webhook w = webhookOf(GoToWire.requiredText(item, "webhookKey"));
            state(item, "state");
            return changedCallback(item, w.callbackUrl());
        }, item -> webhooks.update(item.path("webhookKey").asText(), GoToWire.optionalText(item, "callbackUrl"),
                state(item, "state")));
        return SimResponse.empty(204);
    }

    private SimResponse listWebhooks(SimRequest req, GoToState state) {
        requireProduct(req.query("product").orElseThrow(() -> GoToWire.badRequest("Required parameter 'product' is missing")));
        return SimResponse.json(200, embedded("webhooks", webhooks.webhooks(), this::webhook));
    }

    private SimResponse oneWebhook(SimRequest req, GoToState state) {
        return SimResponse.json(200, webhook(webhookOf(req.param("webhookKey"))));
    }

    private SimResponse deleteWebhooks(SimRequest req, GoToState state) {
        List<String> keys = keys(req);
        keys.forEach(this::webhookOf);
        webhooks.delete(keys);
        return SimResponse.empty(202);
    }

    /** A subscription without a callbackUrl of its own is delivered to its webhook's, validated again. */
    private SimResponse subscribe(SimRequest req, GoToState state) {
        List<UserSubscription> created = allOrNothing(items(req), item -> {
            Webhook w = webhookOf(GoToWire.requiredText(item, "webhookKey"));
            state(item, "userSubscriptionState");
            String callback = GoToWire.optionalText(item, "callbackUrl");
            return callback != null ? callback : w.callbackUrl();
        }, item -> {
            State s = state(item, "userSubscriptionState");
            return webhooks.subscribe(state, item.path("webhookKey").asText(), GoToWire.optionalText(item, "callbackUrl"),
                    s != null ? s : State.ACTIVE);
        });
        return SimResponse.json(200, embedded("userSubscriptions", created, this::subscription));
    }

    private SimResponse updateSubscriptions(SimRequest req, GoToState state) {
        allOrNothing(items(req), item -> {
            webhookOf(GoToWire.requiredText(item, "webhookKey"));
            UserSubscription s = subscriptionOf(state, GoToWire.requiredText(item, "userSubscriptionKey"));
            state(item, "userSubscriptionState");
            return changedCallback(item, s.callbackUrl());
        }, item -> webhooks.updateSubscription(state, item.path("userSubscriptionKey").asText(),
                GoToWire.optionalText(item, "callbackUrl"), state(item, "userSubscriptionState")));
        return SimResponse.empty(204);
    }

    private SimResponse listSubscriptions(SimRequest req, GoToState state) {
        return SimResponse.json(200, embedded("userSubscriptions", webhooks.subscriptions(state), this::subscription));
    }

    private SimResponse oneSubscription(SimRequest req, GoToState state) {
        return SimResponse.json(200, subscription(subscriptionOf(state, req.param("userSubscriptionKey"))));
    }

    private SimResponse unsubscribe(SimRequest req, GoToState state) {
        List<String> keys = keys(req);
        keys.forEach(k -> subscriptionOf(state, k));
        webhooks.unsubscribe(state, keys);
        return SimResponse.empty(202);
    }

    private ObjectNode webhook(Webhook w) {
        return GoToWire.object().put("callbackUrl", w.callbackUrl()).put("eventName", w.eventName())
                .put("eventVersion", GoToWebhooks.EVENT_VERSION).put("product", GoToWebhooks.PRODUCT)
                .put("webhookKey", w.webhookKey()).put("state", w.state().name()).put("createTime", GoToWire.time(w.createTime()));
    }

    /** A subscription with its webhook's event, and whether it delivers ({@code activationState}). */
    private ObjectNode subscription(UserSubscription s) {
        String eventName = webhooks.webhook(s.webhookKey()).map(Webhook::eventName).orElse("");
        State activation = webhooks.active(s) ? State.ACTIVE : State.INACTIVE;
        return GoToWire.object().put("callbackUrl", s.callbackUrl()).put("eventName", eventName)
                .put("eventVersion", GoToWebhooks.EVENT_VERSION).put("product", GoToWebhooks.PRODUCT)
                .put("webhookKey", s.webhookKey()).put("userSubscriptionKey", s.userSubscriptionKey())
                .put("userSubscriptionState", s.state().name()).put("activationState", activation.name())
                .put("createTime", GoToWire.time(s.createTime()));
    }

    private static <T> ObjectNode embedded(String listKey, List<T> items, Function<T, ObjectNode> render) {
        ObjectNode body = GoToWire.object();
        ArrayNode list = body.putObject("_embedded").putArray(listKey);
        items.forEach(i -> list.add(render.apply(i)));
        return body;
    }

    /**
     * A request of several items, all or nothing: {@code check} refuses a bad item (by throwing) and names the
     * callback it needs validated, if any; only when every item passed and every callback answered is each applied.
     */
    private <T> List<T> allOrNothing(List<JsonNode> items, Function<JsonNode, String> check, Function<JsonNode, T> apply) {
        List<String> callbacks = new ArrayList<>();
        for (JsonNode item : items) {
            String callback = check.apply(item);
            if (callback != null) {
                callbacks.add(callback);
            }
        }
        requireCallbacks(callbacks);
        return items.stream().map(apply).toList();
    }

    /** The callbackUrl an update sends, when it is not the one in use: only a new one is validated. */
    private static String changedCallback(JsonNode item, String current) {
        String callback = GoToWire.optionalText(item, "callbackUrl");
        return callback != null && !callback.equals(current) ? callback : null;
    }

    /** Every callback must be an absolute http(s) URL that answers a GET with 200; each is asked once. */
    private void requireCallbacks(List<String> callbacks) {
        Set<String> distinct = new LinkedHashSet<>(callbacks);
        for (String callback : distinct) {
            if (!isHttpUrl(callback)) {
                throw GoToWire.badRequest("callbackUrl is not an http(s) URL: " + callback);
            }
            if (!deliveries.answersGet(callback)) {
                throw GoToWire.badRequest("callbackUrl " + callback + " did not answer the validation GET with 200 OK");
            }
        }
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI uri = URI.create(url);
            return ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void requireProduct(String product) {
        if (!GoToWebhooks.PRODUCT.equals(product)) {
            throw GoToWire.badRequest("Unsupported product '" + product + "'; supported: " + GoToWebhooks.PRODUCT);
        }
    }

    /** An optional ACTIVE/INACTIVE field; null when absent. */
    private static State state(JsonNode item, String field) {
        String value = GoToWire.optionalText(item, field);
        if (value == null) {
            return null;
        }
        try {
            return State.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw GoToWire.badRequest("Field '" + field + "' must be ACTIVE or INACTIVE: " + value);
        }
    }

    private static List<JsonNode> items(SimRequest req) {
        JsonNode body = req.json();
        if (!body.isArray() || body.isEmpty()) {
            throw GoToWire.badRequest("The body must be a non-empty JSON array");
        }
        List<JsonNode> items = new ArrayList<>();
        body.forEach(items::add);
        return items;
    }

    /** A DELETE's body: an array of key strings. */
    private static List<String> keys(SimRequest req) {
        List<String> keys = new ArrayList<>();
        for (JsonNode k : items(req)) {
            if (!k.isTextual() || k.asText().isBlank()) {
                throw GoToWire.badRequest("The body must be an array of key strings");
            }
            keys.add(k.asText());
        }
        return keys;
    }

    private Webhook webhookOf(String key) {
        return webhooks.webhook(key).orElseThrow(() -> GoToWire.notFound("Webhook " + key + " not found"));
    }

    private UserSubscription subscriptionOf(GoToState state, String key) {
        return webhooks.subscription(state, key).orElseThrow(() -> GoToWire.notFound("User subscription " + key + " not found"));
    }
}
