package io.gotomautic.bridge.mautic;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gotomautic.bridge.config.FormRules;
import io.gotomautic.bridge.http.Answers;
import io.gotomautic.bridge.http.Hmac;
import io.gotomautic.bridge.http.Requests;
import io.gotomautic.bridge.store.Hashes;
import io.gotomautic.bridge.store.Inbox;
import io.gotomautic.bridge.sync.InboundRequest;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /webhooks/mautic}: checks {@code Webhook-Signature} (base64 HMAC-SHA256 of the raw body with
 * {@code mautic.webhook-secret}; the request's own header, never a query or form field; with the secret empty every
 * delivery is refused), then stores every event of the delivery in the inbox in one transaction — once per
 * event, so a redelivery is not processed twice — and answers at once; the work happens later, from the inbox. Mautic does
 * not retry a delivery that failed, so nothing is acknowledged before it is stored.
 */
public class WebhookReceiver {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookReceiver.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Inbox inbox;
    private final byte[] secret;
    private final FormRules forms;
    private final Duration contactDelay;
    /** The event types of a contact saved (new or updated). */
    private static final String CONTACT_SAVE = "mautic.lead_post_save_";

    /** @param forms how forms register people: a submission of a form that asks for nothing is stored as done */
    /**
     * @param contactDelay how long a contact save that would register waits (bridge.webhooks.contact-delay): Mautic
     *                     sends the save of a form's contact before the submission, which has the answers
     */
    public WebhookReceiver(DataSource dataSource, String secret, FormRules forms, Duration contactDelay) {
        this.inbox = new Inbox(dataSource);
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.forms = forms;
        this.contactDelay = contactDelay;
    }

    public void receive(Exchange exchange) throws SQLException {
        if (secret.length == 0) {
            answer(exchange, 503, "POST /webhooks/mautic is switched off: mautic.webhook-secret is empty");
            return;
        }
        byte[] body = exchange.getIn().getBody(byte[].class);
        String signature = Requests.header(exchange, "Webhook-Signature");
        if (signature == null || signature.isBlank()) {
            answer(exchange, 401, "missing Webhook-Signature header");
            return;
        }
        if (body == null || body.length == 0) {
            answer(exchange, 400, "empty body");
            return;
        }
        if (!Hmac.matches(Hmac.base64("HmacSHA256", secret, body), signature)) {
            LOG.warn("Mautic webhook refused: the Webhook-Signature does not match the body (check mautic.webhook-secret)");
            answer(exchange, 401, "Webhook-Signature does not match the body");
            return;
        }
        JsonNode delivery;
        try {
            delivery = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            answer(exchange, 400, "the body is not JSON: " + e.getOriginalMessage());
            return;
        } catch (java.io.IOException e) {
            answer(exchange, 400, "the body cannot be read: " + e.getMessage());
            return;
        }
        if (!delivery.isObject()) {
            answer(exchange, 400, "the body is not a JSON object of Mautic events");
            return;
        }
        List<ObjectNode> events = events((ObjectNode) delivery);
        int stored = store(events);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("stored", stored);
        result.put("duplicates", events.size() - stored);
        Answers.json(exchange, 200, result);
    }

    /**
     * Each event with its type: {@code {"mautic.x": [{...}, ...]}} as Mautic sends them, and the UI's test payload
     * {@code {"mautic.x": {...}, "timestamp": "..."}} whose event is an object.
     */
    private static List<ObjectNode> events(ObjectNode delivery) {
        List<ObjectNode> events = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = delivery.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().startsWith("mautic.")) {
                continue;
            }
            List<JsonNode> items = new ArrayList<>();
            if (e.getValue().isArray()) {
                e.getValue().forEach(items::add);
            } else if (e.getValue().isObject()) {
                items.add(e.getValue());
            }
            for (JsonNode item : items) {
                if (item.isObject()) {
                    ObjectNode event = ((ObjectNode) item).deepCopy();
                    event.put("type", e.getKey());
                    if (!event.has("timestamp") && delivery.has("timestamp")) {
                        event.set("timestamp", delivery.get("timestamp"));
                    }
                    events.add(event);
                }
            }
        }
        return events;
    }

    private int store(List<ObjectNode> events) throws SQLException {
        List<Inbox.Entry> entries = new ArrayList<>();
        for (ObjectNode event : events) {
            String payload = Answers.write(event);
            String type = event.path("type").asText();
            entries.add(new Inbox.Entry(type + ":" + Hashes.sha256(payload), payload, asksForWork(event),
                    type.startsWith(CONTACT_SAVE) ? contactDelay : Duration.ZERO));
        }
        return inbox.storeAll("mautic-webhook", entries);
    }

    /** Whether the inbox worker has anything to do for the event; one it would refuse counts, to become a dead letter. */
    private boolean asksForWork(ObjectNode event) {
        try {
            return !InboundRequest.of(event, forms).isEmpty();
        } catch (InboundRequest.Invalid e) {
            return true;
        }
    }

    private static void answer(Exchange exchange, int status, String error) {
        Answers.json(exchange, status, Map.of("error", error));
    }
}
