package io.gotomautic.bridge.mautic;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.http.Answers;
import io.gotomautic.bridge.http.Requests;
import io.gotomautic.bridge.store.Hashes;
import io.gotomautic.bridge.store.Inbox;
import io.gotomautic.bridge.sync.InboundRequest;
import org.apache.camel.Exchange;

/**
 * {@code POST /hooks/campaign}: Mautic's campaign action "send a webhook" (form-encoded, or JSON with that
 * content type). It carries no signature, so the header {@code X-Bridge-Token} must equal
 * {@code bridge.inbound-token} (read from the request's headers only, never from its URL or form). With that key
 * empty every call is refused, however the route was started. Mautic counts anything but 200/201 as a failure and
 * retries an hour later, so 200 is answered only once the request is stored, and an identical call within
 * {@code bridge.campaign.dedupe-window} is taken for such a retry; after it, for a new action (a weekly link).
 */
public class CampaignHookReceiver {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Inbox inbox;
    private final byte[] token;
    private final Duration dedupeWindow;

    public CampaignHookReceiver(DataSource dataSource, String token, Duration dedupeWindow) {
        this.inbox = new Inbox(dataSource);
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.dedupeWindow = dedupeWindow;
    }

    public void receive(Exchange exchange) throws SQLException {
        if (token.length == 0) {
            Answers.json(exchange, 503, Map.of("error", "POST /hooks/campaign is switched off: bridge.inbound-token is empty"));
            return;
        }
        String given = Requests.header(exchange, "X-Bridge-Token");
        if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
            Answers.json(exchange, 401, Map.of("error", given == null ? "missing X-Bridge-Token header" : "wrong X-Bridge-Token"));
            return;
        }
        Map<String, String> params = new TreeMap<>();
        Object body = exchange.getIn().getBody();
        if (body instanceof Map<?, ?> form) {
            form.forEach((k, v) -> params.put(String.valueOf(k), v == null ? "" : String.valueOf(v).trim()));
        } else {
            String text = exchange.getIn().getBody(String.class);
            try {
                JsonNode json = text == null || text.isBlank() ? null : JSON.readTree(text);
                if (json == null || !json.isObject()) {
                    Answers.json(exchange, 400, Map.of("error", "the body is neither form fields nor a JSON object"));
                    return;
                }
                json.fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText("").trim()));
            } catch (JsonProcessingException e) {
                Answers.json(exchange, 400, Map.of("error", "the body is not JSON: " + e.getOriginalMessage()));
                return;
            }
        }
        // a token sent as a form field too is not kept in the stored request
        params.keySet().removeIf(k -> k.equalsIgnoreCase("X-Bridge-Token"));
        try {
            // what can be told without GoTo is told now; the rest is the inbox worker's
            InboundRequest.campaign(params);
        } catch (InboundRequest.Invalid e) {
            Answers.json(exchange, 400, Map.of("error", e.getMessage()));
            return;
        }
        params.put("type", "campaign");
        String payload = Answers.write(params);
        boolean stored = inbox.storeUnlessWithin("mautic-campaign", new Inbox.Entry("campaign:" + Hashes.sha256(payload), payload, true),
                dedupeWindow);
        Answers.json(exchange, 200, Map.of("stored", stored));
    }
}
