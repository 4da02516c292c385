package io.gotomautic.bridge.sandbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What one OAuth client has set up at GoToWebinar for webhooks: its signing secret and its webhooks, both the
 * application's, and the user subscriptions, each an organizer's, through which a webhook reaches that organizer's
 * events. Thread-safe: the API's threads, the deliveries and a test read and change it at once.
 */
public final class GoToWebhooks {

    public static final String EVENT_VERSION = "1.0.0";
    public static final String PRODUCT = "g2w";

    /** Webhooks and user subscriptions are each ACTIVE or INACTIVE; an event needs both ACTIVE. */
    public enum State { ACTIVE, INACTIVE }

    /** The key deliveries are signed with from {@code validFrom} on. */
    public record Secret(long id, String value, Instant validFrom) {
    }

    public record Webhook(String webhookKey, String callbackUrl, String eventName, State state, Instant createTime) {
        Webhook with(String newCallbackUrl, State newState) {
            return new Webhook(webhookKey, newCallbackUrl, eventName, newState, createTime);
        }
    }

    public record UserSubscription(String userSubscriptionKey, String webhookKey, String callbackUrl, State state,
                                   Instant createTime) {
        UserSubscription with(String newCallbackUrl, State newState) {
            return new UserSubscription(userSubscriptionKey, webhookKey, newCallbackUrl, newState, createTime);
        }
    }

    /** A subscription and the organizer's world it belongs to, which the public record does not show. */
    private record Owned(GoToState world, UserSubscription subscription) {
    }

    private final Supplier<Instant> clock;
    private final List<Secret> secrets = new ArrayList<>();
    private final Map<String, Webhook> webhooks = new LinkedHashMap<>();
    private final Map<String, Owned> subscriptions = new LinkedHashMap<>();

    GoToWebhooks(Supplier<Instant> clock) {
        this.clock = clock;
    }

    /** A new secret, which replaces the one in use from {@code validFrom} on (at once when null). */
    synchronized Secret newSecret(Instant validFrom) {
        Secret s = new Secret(secrets.size() + 1L, UUID.randomUUID().toString(), validFrom != null ? validFrom : clock.get());
        secrets.add(s);
        return s;
    }

    /** The secret deliveries are signed with now: the newest one already valid. */
    public synchronized Optional<Secret> signingSecret() {
        Instant now = clock.get();
        return secrets.stream().filter(s -> !s.validFrom().isAfter(now)).max(Comparator.comparingLong(Secret::id));
    }

    /** A new webhook, INACTIVE as at GoTo until a PUT activates it. */
    synchronized Webhook create(String callbackUrl, String eventName) {
        Webhook w = new Webhook(UUID.randomUUID().toString(), callbackUrl, eventName, State.INACTIVE, clock.get());
        webhooks.put(w.webhookKey(), w);
        return w;
    }

    /** Changes a webhook's callback and state; null keeps what it has. */
    synchronized Webhook update(String webhookKey, String callbackUrl, State state) {
        Webhook w = requireWebhook(webhookKey);
        Webhook updated = w.with(callbackUrl != null ? callbackUrl : w.callbackUrl(), state != null ? state : w.state());
        webhooks.put(webhookKey, updated);
        return updated;
    }

    /** Deletes webhooks and the user subscriptions to them, which could never deliver again. */
    synchronized void delete(Collection<String> webhookKeys) {
        webhookKeys.forEach(this::requireWebhook);
        webhookKeys.forEach(webhooks::remove);
        subscriptions.values().removeIf(o -> webhookKeys.contains(o.subscription().webhookKey()));
    }

    public synchronized Optional<Webhook> webhook(String webhookKey) {
        return Optional.ofNullable(webhooks.get(webhookKey));
    }

    /** The application's webhooks, oldest first. */
    public synchronized List<Webhook> webhooks() {
        return List.copyOf(webhooks.values());
    }

    /** An organizer subscribes to a webhook, at its own callback or (null) the webhook's. */
    synchronized UserSubscription subscribe(GoToState world, String webhookKey, String callbackUrl, State state) {
        Webhook w = requireWebhook(webhookKey);
        UserSubscription s = new UserSubscription(UUID.randomUUID().toString(), webhookKey,
                callbackUrl != null ? callbackUrl : w.callbackUrl(), state, clock.get());
        subscriptions.put(s.userSubscriptionKey(), new Owned(world, s));
        return s;
    }

    /** Changes one of the organizer's subscriptions; null keeps what it has. */
    synchronized UserSubscription updateSubscription(GoToState world, String key, String callbackUrl, State state) {
        UserSubscription s = subscription(world, key).orElseThrow(() -> new NoSuchElementException("no subscription " + key));
        UserSubscription updated = s.with(callbackUrl != null ? callbackUrl : s.callbackUrl(), state != null ? state : s.state());
        subscriptions.put(key, new Owned(world, updated));
        return updated;
    }

    synchronized void unsubscribe(GoToState world, Collection<String> keys) {
        keys.forEach(k -> subscription(world, k).orElseThrow(() -> new NoSuchElementException("no subscription " + k)));
        keys.forEach(subscriptions::remove);
    }

    /** One of this organizer's subscriptions; another organizer's is none of theirs. */
    synchronized Optional<UserSubscription> subscription(GoToState world, String key) {
        return Optional.ofNullable(subscriptions.get(key)).filter(o -> o.world() == world).map(Owned::subscription);
    }

    /** The organizer's subscriptions, oldest first. */
    public synchronized List<UserSubscription> subscriptions(GoToState world) {
        return subscriptions.values().stream().filter(o -> o.world() == world).map(Owned::subscription).toList();
    }

    /** Whether a subscription delivers: its webhook ACTIVE and itself ACTIVE (GoTo's {@code activationState}). */
    synchronized boolean active(UserSubscription s) {
        Webhook w = webhooks.get(s.webhookKey());
        return w != null && w.state() == State.ACTIVE && s.state() == State.ACTIVE;
    }

    /** Where an event of this organizer's world goes: every active subscription of theirs to a webhook for it. */
    synchronized List<UserSubscription> targets(GoToState world, String eventName) {
        return subscriptions.values().stream().filter(o -> o.world() == world).map(Owned::subscription)
                .filter(s -> active(s) && webhooks.get(s.webhookKey()).eventName().equals(eventName)).toList();
    }

    private Webhook requireWebhook(String webhookKey) {
        Webhook w = webhooks.get(webhookKey);
        if (w == null) {
            throw new NoSuchElementException("no webhook " + webhookKey);
        }
        return w;
    }
}
