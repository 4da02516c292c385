package io.gotomautic.bridge.sandbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.gotomautic.bridge.sandbox.GoToWebhooks.UserSubscription;

/**
 * What GoToWebinar sends to webhook callbacks: for each event, one POST of JSON per active subscription of the
 * organizer whose webinar it is, signed with the application's current secret (no signature while there is none).
 * Sent one at a time in the background, so in the order the events happened unless told to reorder; never retried,
 * as GoTo documents no retries. The signature scheme is not published: header, signed bytes and key are switches.
 * Every attempt is recorded, answered or not.
 */
public final class GoToWebhookDeliveries implements AutoCloseable {

    public static final String DEFAULT_SIGNATURE_HEADER = "X-Webhook-Signature";
    /** Sent, and signed as {@code timestamp + ":" + body}, with {@link #signTimestamp}; epoch milliseconds. */
    public static final String TIMESTAMP_HEADER = "X-Webhook-Signature-Timestamp";
    /** What a dropped delivery records as its failure: it never left the simulator. */
    public static final String DROPPED = "dropped";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /**
     * One POST attempted (or dropped): {@code status} is the callback's answer, 0 with a {@code failure} when none
     * came. {@code body} is exactly the bytes sent, as UTF-8.
     */
    public record Delivery(String eventName, String eventKey, String callbackUrl, int status, String failure, String body) {
        public boolean succeeded() {
            return status / 100 == 2;
        }
    }

    /** A delivery made but not sent yet. */
    private record Outgoing(String eventName, String eventKey, String callbackUrl, String body) {
    }

    private final GoToWebhooks webhooks;
    private final Supplier<Instant> clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "GoTo-webhooks");
        t.setDaemon(true);
        return t;
    });
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    /** Deliveries held back while reordering, oldest first. */
    private final List<Outgoing> held = new ArrayList<>();
    private volatile String signatureHeader = DEFAULT_SIGNATURE_HEADER;
    private volatile boolean signTimestamp;
    private volatile boolean badSignature;
    private volatile boolean duplicates;
    private volatile double dropRate;
    private boolean reorder;

    GoToWebhookDeliveries(GoToWebhooks webhooks, Supplier<Instant> clock) {
        this.webhooks = webhooks;
        this.clock = clock;
    }

    void signatureHeader(String name) {
        this.signatureHeader = name;
    }

    void signTimestamp(boolean timestamped) {
        this.signTimestamp = timestamped;
    }

    void badSignature(boolean bad) {
        this.badSignature = bad;
    }

    void duplicates(boolean twice) {
        this.duplicates = twice;
    }

    void dropRate(double rate) {
        if (rate < 0 || rate > 1) {
            throw new IllegalArgumentException("a drop rate is a share from 0 to 1, not " + rate);
        }
        this.dropRate = rate;
    }

    /** While on, deliveries are held; turning it off sends them as {@link #flush} does. */
    synchronized void reorder(boolean on) {
        reorder = on;
        if (!on) {
            flush();
        }
    }

    /** Sends the held deliveries newest first, so a receiver meets them in reverse order; returns how many. */
    synchronized int flush() {
        List<Outgoing> batch = new ArrayList<>(held);
        held.clear();
        Collections.reverse(batch);
        batch.forEach(this::send);
        return batch.size();
    }

    public List<Delivery> all() {
        return List.copyOf(deliveries);
    }

    /** Hears of an event in an organizer's world and delivers it wherever that organizer subscribed to it. */
    void published(GoToState world, GoToWebinarEvent event) {
        List<UserSubscription> targets = webhooks.targets(world, event.name());
        for (UserSubscription target : targets) {
            String eventKey = UUID.randomUUID().toString();
            ObjectNode body = GoToWire.object().put("eventName", event.name())
                    .put("eventVersion", GoToWebhooks.EVENT_VERSION).put("product", GoToWebhooks.PRODUCT)
                    .put("eventKey", eventKey).put("timestamp", GoToWire.timeMillis(clock.get()));
            event.fields(body, world.organizer());
            enqueue(new Outgoing(event.name(), eventKey, target.callbackUrl(), json(body)));
        }
    }

    /** Whether a callback answers GoTo's validation GET with 200, which GoTo requires before it uses one. */
    boolean answersGet(String callbackUrl) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(callbackUrl)).timeout(TIMEOUT).GET().build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private synchronized void enqueue(Outgoing outgoing) {
        if (reorder) {
            held.add(outgoing);
        } else {
            send(outgoing);
        }
    }

    private void send(Outgoing outgoing) {
        sender.execute(() -> {
            for (int copy = duplicates ? 2 : 1; copy > 0; copy--) {
                if (dropRate > 0 && ThreadLocalRandom.current().nextDouble() < dropRate) {
                    record(outgoing, 0, DROPPED);
                } else {
                    post(outgoing);
                }
            }
        });
    }

    private void post(Outgoing outgoing) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(outgoing.callbackUrl())).timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(outgoing.body(), StandardCharsets.UTF_8));
            webhooks.signingSecret().ifPresent(secret -> sign(request, outgoing.body(), secret.value()));
            record(outgoing, http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode(), null);
        } catch (IOException | IllegalArgumentException e) {
            record(outgoing, 0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            record(outgoing, 0, e.toString());
        }
    }

    private void sign(HttpRequest.Builder request, String body, String secret) {
        String signed = body;
        if (signTimestamp) {
            String timestamp = String.valueOf(clock.get().toEpochMilli());
            request.header(TIMESTAMP_HEADER, timestamp);
            signed = timestamp + ":" + body;
        }
        // A wrong key, not a garbled signature: the receiver's check must fail on the HMAC itself.
        request.header(signatureHeader, HmacSignature.base64(badSignature ? "not-" + secret : secret, signed));
    }

    private void record(Outgoing o, int status, String failure) {
        deliveries.add(new Delivery(o.eventName(), o.eventKey(), o.callbackUrl(), status, failure, o.body()));
    }

    private static String json(ObjectNode body) {
        try {
            return SimServer.JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}
