package io.gotomautic.bridge.sandbox;

import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * What every organizer's world at one GoTo shares: one clock, one key space — GoTo's keys are unique across
 * organizers and accounts, so a webinar key never names two webinars — and one listener for the webinar events of
 * them all, as GoTo's webhooks belong to the OAuth client, not to one organizer. Keys come from a seeded generator
 * so a seeded world is the same on every run.
 */
final class GoToPlatform {

    private final Random random;
    private final Set<Long> usedKeys = new HashSet<>();
    private volatile Clock clock = Clock.systemUTC();
    /** Nobody listens to a world without a simulator around it. */
    private volatile BiConsumer<GoToState, GoToWebinarEvent> listener = (world, event) -> { };

    GoToPlatform(long seed) {
        this.random = new Random(seed);
    }

    void useClock(Clock clock) {
        this.clock = clock;
    }

    Instant now() {
        return clock.instant();
    }

    void onWebinarEvents(BiConsumer<GoToState, GoToWebinarEvent> listener) {
        this.listener = listener;
    }

    void publish(GoToState world, GoToWebinarEvent event) {
        listener.accept(world, event);
    }

    synchronized long newKey() {
        while (true) {
            long k = random.nextLong();
            if (k != 0 && k != Long.MIN_VALUE && usedKeys.add(k)) {
                return k;
            }
        }
    }

    synchronized long reserveKey(long key) {
        if (!usedKeys.add(key)) {
            throw new IllegalArgumentException("key " + key + " is already in use");
        }
        return key;
    }

    synchronized long newPublicId() {
        while (true) {
            long id = 100_000_000 + random.nextInt(900_000_000);
            if (usedKeys.add(id)) {
                return id;
            }
        }
    }

    synchronized String newToken() {
        byte[] b = new byte[18];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
