package io.gotomautic.bridge.gotohooks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.config.SettingsException;
import io.gotomautic.bridge.http.Answers;
import io.gotomautic.bridge.http.Hmac;
import io.gotomautic.bridge.http.Requests;
import io.gotomautic.bridge.store.Hashes;
import io.gotomautic.bridge.store.Inbox;
import io.gotomautic.bridge.store.StoredSecrets;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /webhooks/goto}: GoToWebinar's webhook deliveries. GoTo validates the callback with a GET, which is answered
 * 200. A POST is checked against the application's webhook secret (how GoTo signs is not published, so the header,
 * the algorithm and the signed bytes are settings), then every event of the body is stored in the inbox in one
 * transaction, once per {@code eventKey} (GoTo delivers at least once), with the account the callback names
 * ({@code ?account=}); the answer comes at once and the work happens from the inbox.
 */
public class GoToWebhookReceiver {

    /** The stored secret GoTo signs with, made by {@code POST /webhooks/secretkey}. */
    public static final String SECRET = "goto.webhook-secret";

    private static final Logger LOG = LoggerFactory.getLogger(GoToWebhookReceiver.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Inbox inbox;
    private final StoredSecrets secrets;
    private final String signatureHeader;
    private final String algorithm;
    private final boolean timestamped;
    private final String timestampHeader;
    private volatile byte[] secret;
    /** Whether the bridge has a GoTo account of that name: a delivery for another is stored, and answered 202. */
    private final Predicate<String> knownAccount;

    public GoToWebhookReceiver(Inbox inbox, StoredSecrets secrets, Settings settings, Predicate<String> knownAccount) {
        this.inbox = inbox;
        this.knownAccount = knownAccount;
        this.secrets = secrets;
        this.signatureHeader = settings.get("goto.webhooks.signature-header");
        this.algorithm = settings.get("goto.webhooks.signature-algorithm");
        String signed = settings.get("goto.webhooks.signed-content");
        if (!signed.equals("body") && !signed.equals("timestamp-body")) {
            throw new SettingsException("goto.webhooks.signed-content",
                    "is body (the raw body is signed) or timestamp-body (goto.webhooks.timestamp-header, ':', the body), not " + signed);
        }
        this.timestamped = signed.equals("timestamp-body");
        this.timestampHeader = settings.get("goto.webhooks.timestamp-header");
        try {
            Hmac.base64(algorithm, new byte[] {0}, new byte[0]);
        } catch (IllegalArgumentException e) {
            throw new SettingsException("goto.webhooks.signature-algorithm", "is not a MAC algorithm of this Java (e.g. HmacSHA256): "
                    + e.getMessage());
        }
    }

    /** {@code GET /webhooks/goto}: GoTo's check that the callback answers. */
    public void validate(Exchange exchange) {
        Answers.json(exchange, 200, Map.of("ok", true));
    }

    public void receive(Exchange exchange) throws SQLException {
        byte[] key = secret();
        if (key == null) {
            answer(exchange, 503, "no GoTo webhook secret yet: the bridge makes one when it subscribes to GoTo's webhooks");
            return;
        }
        byte[] body = exchange.getIn().getBody(byte[].class);
        String signature = Requests.header(exchange, signatureHeader);
        if (signature == null || signature.isBlank()) {
            answer(exchange, 401, "missing " + signatureHeader + " header");
            return;
        }
        byte[] signed = body == null ? new byte[0] : body;
        if (timestamped) {
            String at = Requests.header(exchange, timestampHeader);
            signed = ((at == null ? "" : at) + ":" + new String(signed, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        }
        if (!Hmac.matches(Hmac.base64(algorithm, key, signed), signature) && !matchesRenewed(key, signed, signature)) {
            LOG.warn("GoTo webhook refused: its {} does not match the body (see goto.webhooks.signature-*)", signatureHeader);
            answer(exchange, 401, signatureHeader + " does not match the body");
            return;
        }
        JsonNode delivery;
        try {
            delivery = JSON.readTree(body == null ? new byte[0] : body);
        } catch (IOException e) {
            answer(exchange, 400, "the body is not JSON");
            return;
        }
        List<ObjectNode> events = new ArrayList<>();
        if (delivery != null && delivery.isObject()) {
            events.add((ObjectNode) delivery);
        } else if (delivery != null && delivery.isArray()) {
            delivery.forEach(e -> {
                if (e.isObject()) {
                    events.add((ObjectNode) e);
                }
            });
        }
        if (events.isEmpty()) {
            answer(exchange, 400, "the body is neither a GoTo event nor an array of them");
            return;
        }
        String account = Requests.param(exchange, "account");
        List<Inbox.Entry> entries = new ArrayList<>();
        for (ObjectNode event : events) {
            ObjectNode stored = event.deepCopy();
            stored.put("type", GoToDelivery.TYPE_PREFIX + event.path("eventName").asText());
            stored.put("account", account);
            String payload = Answers.write(stored);
            String eventKey = event.path("eventKey").asText("");
            entries.add(new Inbox.Entry(eventKey.isEmpty() ? Hashes.sha256(payload) : eventKey, payload,
                    GoToDelivery.asksForWork(stored)));
        }
        int fresh = inbox.storeAll(GoToDelivery.SOURCE, entries);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("stored", fresh);
        result.put("duplicates", entries.size() - fresh);
        if (account == null || !knownAccount.test(account)) {
            // stored all the same (a dead letter on its turn, replayed once the account is connected): accepted, not done
            result.put("account", "unknown to the bridge: connect it, then replay the dead letters");
            Answers.json(exchange, 202, result);
            return;
        }
        Answers.json(exchange, 200, result);
    }

    /** Read once it exists: the bridge makes it when it subscribes, possibly after this instance started. */
    private byte[] secret() throws SQLException {
        byte[] known = secret;
        if (known == null) {
            known = secrets.get(SECRET).map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
            secret = known;
        }
        return known;
    }

    /** GoTo signs with a secret made again since this instance read it (the bridge renews it when GoTo lost it). */
    private boolean matchesRenewed(byte[] known, byte[] signed, String signature) throws SQLException {
        secret = null;
        byte[] now = secret();
        return now != null && !java.util.Arrays.equals(now, known) && Hmac.matches(Hmac.base64(algorithm, now, signed), signature);
    }

    private static void answer(Exchange exchange, int status, String error) {
        Answers.json(exchange, status, Map.of("error", error));
    }
}
