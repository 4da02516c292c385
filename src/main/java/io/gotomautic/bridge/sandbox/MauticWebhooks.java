package io.gotomautic.bridge.sandbox;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.gotomautic.bridge.sandbox.MauticState.ContactSave;
import io.gotomautic.bridge.sandbox.MauticState.Hook;

/**
 * Webhooks as Mautic sends them: a JSON body written PHP-style, signed with
 * {@code base64(HMAC-SHA256(body, secret))}, posted with the site URL; one event per request in immediate
 * mode, or queued and sent ten at a time when the queue is processed. A non-2xx answer is logged and the
 * events are lost; only a transport failure keeps queued events for the next run. 410 unpublishes the hook.
 */
public final class MauticWebhooks {

    /** One request the simulator sent; {@code status} 0 means the receiver could not be reached. */
    public record Delivery(long hookId, String url, List<String> eventTypes, int events, int status, String body,
                           String signature) {
    }

    private record Event(String type, Map<String, Object> data) {
    }

    static final int QUEUE_BATCH = 10;
    static final List<String> TRIGGERS = List.of("mautic.form_on_submit", "mautic.lead_post_save_new",
            "mautic.lead_post_save_update", "mautic.lead_points_change", "mautic.lead_list_change", "mautic.lead_post_delete",
            "mautic.lead_channel_subscription_changed", "mautic.email_on_send", "mautic.email_on_open", "mautic.page_on_hit");
    private static final Logger LOG = LoggerFactory.getLogger(MauticWebhooks.class);

    private final MauticState state;
    private final MauticViews views;
    private final Supplier<String> siteUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<Long, Deque<Event>> queues = new ConcurrentHashMap<>();
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    volatile boolean queued;
    volatile Duration timeout = Duration.ofSeconds(15);

    MauticWebhooks(MauticState state, MauticViews views, Supplier<String> siteUrl) {
        this.state = state;
        this.views = views;
        this.siteUrl = siteUrl;
    }

    public List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** {@code lead_post_save_new} when the save identified the contact, else {@code _update}; none for anonymous or unchanged. */
    void contactSaved(ContactSave save) {
        if (!save.changed() || save.contact().isAnonymous()) {
            return;
        }
        String type = save.newlyIdentified() ? "mautic.lead_post_save_new" : "mautic.lead_post_save_update";
        fire(type, MauticViews.map("contact", views.contact(save.contact(), true)));
    }

    void fire(String type, Map<String, Object> members) {
        for (Hook hook : state.hooksFor(type)) {
            Map<String, Object> data = new LinkedHashMap<>(members);
            data.put("timestamp", MauticDates.iso(Instant.now()));
            Event event = new Event(type, data);
            if (queued) {
                Deque<Event> queue = queue(hook.id());
                synchronized (queue) {
                    queue.addLast(event);
                }
            } else {
                post(hook, List.of(event));
            }
        }
    }

    /** What {@code mautic:webhooks:process} does: empties every queue in requests of up to ten events. */
    int processQueue() {
        int requests = 0;
        for (Hook hook : state.hooks()) {
            Deque<Event> queue = queue(hook.id());
            while (true) {
                List<Event> batch = new ArrayList<>();
                synchronized (queue) {
                    boolean newestFirst = "DESC".equalsIgnoreCase(hook.eventsOrderbyDir());
                    while (batch.size() < QUEUE_BATCH && !queue.isEmpty()) {
                        batch.add(newestFirst ? queue.pollLast() : queue.pollFirst());
                    }
                }
                if (batch.isEmpty()) {
                    break;
                }
                requests++;
                if (post(hook, batch) == 0) {
                    synchronized (queue) {
                        for (int i = batch.size() - 1; i >= 0; i--) {
                            queue.addFirst(batch.get(i));
                        }
                    }
                    break;
                }
            }
        }
        return requests;
    }

    int queuedEvents() {
        int n = 0;
        for (Deque<Event> queue : queues.values()) {
            synchronized (queue) {
                n += queue.size();
            }
        }
        return n;
    }

    /** The UI's "Send Test Payload": each event type's sample as an object, not an array, and a top-level timestamp. */
    int sendTest(String url, String secret, Map<String, Object> samples) {
        Map<String, Object> body = new LinkedHashMap<>(samples);
        body.put("timestamp", MauticDates.iso(Instant.now()));
        return send(0, url, secret, body, List.copyOf(samples.keySet()), samples.size());
    }

    private Deque<Event> queue(long hookId) {
        return queues.computeIfAbsent(hookId, k -> new ArrayDeque<>());
    }

    private int post(Hook hook, List<Event> events) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (Event e : events) {
            @SuppressWarnings("unchecked")
            List<Object> ofType = (List<Object>) body.computeIfAbsent(e.type(), k -> new ArrayList<>());
            ofType.add(e.data());
        }
        int status = send(hook.id(), hook.url(), hook.secret(), body, List.copyOf(body.keySet()), events.size());
        if (status == 410) {
            state.unpublishHook(hook.id());
        }
        return status;
    }

    private int send(long hookId, String url, String secret, Map<String, Object> payload, List<String> types, int events) {
        String json = MauticPhpJson.write(payload);
        String signature = sign(json, secret);
        int status;
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("X-Origin-Base-URL", siteUrl.get())
                    .header("Webhook-Signature", signature)
                    .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build();
            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 0;
        } catch (Exception e) {
            LOG.info("Mautic simulator could not deliver a webhook to {}: {}", url, e.toString());
            status = 0;
        }
        deliveries.add(new Delivery(hookId, url, types, events, status, json, signature));
        return status;
    }

    /** The Webhook-Signature Mautic sends: base64 of the HMAC-SHA256 of the raw body with the hook's secret. */
    public static String sign(String body, String secret) {
        return HmacSignature.base64(secret, body);
    }
}
