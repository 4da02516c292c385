package io.gotomautic.bridge.gotohooks;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.gotoapi.GoToClient;
import io.gotomautic.bridge.gotoapi.GoToConnections;
import io.gotomautic.bridge.gotoapi.GoToException;
import io.gotomautic.bridge.store.StoredSecrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's subscription to GoToWebinar's webhooks, made and mended idempotently: the application's secret
 * ({@code POST /webhooks/secretkey}, kept sealed), a webhook per event to {@code <bridge.public-url>/webhooks/goto}
 * (GoTo makes them INACTIVE: each is activated), and each connected account subscribed with a callback that names it
 * ({@code ?account=}); a webhook or subscription GoTo shows INACTIVE or lost is made again. Each account's outcome
 * is kept in {@code goto_webhook} for {@code status}.
 */
public class GoToWebhookSubscriptions {

    static final List<String> EVENTS = List.of("registrant.added", "registrant.joined", "webinar.created", "webinar.changed");
    private static final String BASE = "/G2W/rest/v2";
    private static final Logger LOG = LoggerFactory.getLogger(GoToWebhookSubscriptions.class);
    private static final Duration RECHECK = Duration.ofHours(1);
    private static final Duration RETRY = Duration.ofMinutes(5);

    private final GoToConnections connections;
    private final StoredSecrets secrets;
    private final DataSource dataSource;
    private final String callback;
    private List<String> checkedAccounts = List.of();
    private Instant checkedAt = Instant.MIN;
    private Map<String, String> lastOutcome = Map.of();

    public GoToWebhookSubscriptions(GoToConnections connections, StoredSecrets secrets, DataSource dataSource, String publicUrl) {
        this.connections = connections;
        this.secrets = secrets;
        this.dataSource = dataSource;
        this.callback = publicUrl.replaceAll("/+$", "") + "/webhooks/goto";
    }

    /**
     * The route's step, every minute: {@link #check()} at the first call, hourly (five minutes after one that failed),
     * and as soon as an account is connected or disconnected; else nothing, so the check costs GoTo a few calls an hour.
     */
    public synchronized Map<String, String> ensure() throws SQLException {
        List<String> accounts = connections.names();
        Instant now = Instant.now();
        if (!accounts.equals(checkedAccounts) || checkedAt.plus(RECHECK).isBefore(now)) {
            lastOutcome = check();
            checkedAccounts = accounts;
            // a check that failed (GoTo down, a refusal) is made again in a few minutes, not in an hour
            checkedAt = lastOutcome.values().stream().allMatch(o -> o.startsWith("active")) ? now : now.minus(RECHECK).plus(RETRY);
        }
        return lastOutcome;
    }

    /** The secret, the webhooks and every account's subscriptions as they should be; returns each account's outcome. */
    public Map<String, String> check() throws SQLException {
        Map<String, String> outcome = new LinkedHashMap<>();
        List<String> accounts = connections.names();
        if (accounts.isEmpty()) {
            return outcome;
        }
        List<String> keys;
        try {
            GoToClient app = connections.first();
            if (secrets.get(GoToWebhookReceiver.SECRET).isEmpty()) {
                secrets.putIfAbsent(GoToWebhookReceiver.SECRET, app.post(BASE + "/webhooks/secretkey", Map.of()).path("value").asText());
            }
            keys = webhooks(app);
        } catch (GoToException e) {
            for (String account : accounts) {
                outcome.put(account, record(account, "failing", "the webhooks could not be set up: " + e.getMessage()));
            }
            return outcome;
        }
        for (String account : accounts) {
            try {
                subscribe(connections.client(account), account, keys);
                outcome.put(account, record(account, "active", EVENTS.size() + " events to " + callbackOf(account)));
            } catch (GoToException e) {
                outcome.put(account, record(account, "failing", e.getMessage()));
            }
        }
        return outcome;
    }

    /** {@code webhooks remove}: every account's subscriptions and the bridge's webhooks deleted in GoTo. */
    public int remove() throws SQLException {
        int removed = 0;
        for (String account : connections.names()) {
            GoToClient client = connections.client(account);
            List<String> ours = new ArrayList<>();
            for (JsonNode s : client.get(BASE + "/userSubscriptions").path("_embedded").path("userSubscriptions")) {
                if (s.path("callbackUrl").asText().equals(callbackOf(account))) {
                    ours.add(s.path("userSubscriptionKey").asText());
                }
            }
            if (!ours.isEmpty()) {
                client.delete(BASE + "/userSubscriptions", ours);
                removed += ours.size();
            }
            record(account, "removed", "by `webhooks remove`");
        }
        if (!connections.names().isEmpty()) {
            GoToClient app = connections.first();
            List<String> ours = ours(app).values().stream().map(w -> w.path("webhookKey").asText()).toList();
            if (!ours.isEmpty()) {
                app.delete(BASE + "/webhooks", ours);
                removed += ours.size();
            }
        }
        return removed;
    }

    /** The bridge's webhook per event, made where missing and activated where GoTo has it INACTIVE; their keys. */
    private List<String> webhooks(GoToClient app) {
        Map<String, JsonNode> ours = ours(app);
        List<Map<String, Object>> missing = new ArrayList<>();
        for (String event : EVENTS) {
            if (!ours.containsKey(event)) {
                missing.add(Map.of("callbackUrl", callback, "eventName", event, "eventVersion", "1.0.0", "product", "g2w"));
            }
        }
        if (!missing.isEmpty()) {
            for (JsonNode w : app.post(BASE + "/webhooks", missing).path("_embedded").path("webhooks")) {
                ours.put(w.path("eventName").asText(), w);
            }
            LOG.info("GoTo webhooks made for {} to {}", missing.stream().map(m -> m.get("eventName")).toList(), callback);
        }
        List<Map<String, Object>> inactive = new ArrayList<>();
        for (JsonNode w : ours.values()) {
            if (!"ACTIVE".equals(w.path("state").asText())) {
                inactive.add(Map.of("webhookKey", w.path("webhookKey").asText(), "state", "ACTIVE"));
            }
        }
        if (!inactive.isEmpty()) {
            app.put(BASE + "/webhooks", inactive);
        }
        return ours.values().stream().map(w -> w.path("webhookKey").asText()).toList();
    }

    /** The application's webhooks to the bridge's callback, by event. */
    private Map<String, JsonNode> ours(GoToClient app) {
        Map<String, JsonNode> ours = new LinkedHashMap<>();
        for (JsonNode w : app.get(BASE + "/webhooks?product=g2w").path("_embedded").path("webhooks")) {
            if (w.path("callbackUrl").asText().equals(callback) && EVENTS.contains(w.path("eventName").asText())) {
                ours.putIfAbsent(w.path("eventName").asText(), w);
            }
        }
        return ours;
    }

    /** The account subscribed to each webhook, ACTIVE, with a callback that names it. */
    private void subscribe(GoToClient client, String account, List<String> webhookKeys) {
        String url = callbackOf(account);
        Map<String, JsonNode> subscribed = new LinkedHashMap<>();
        for (JsonNode s : client.get(BASE + "/userSubscriptions").path("_embedded").path("userSubscriptions")) {
            if (s.path("callbackUrl").asText().equals(url)) {
                subscribed.put(s.path("webhookKey").asText(), s);
            }
        }
        List<Map<String, Object>> missing = new ArrayList<>();
        List<Map<String, Object>> inactive = new ArrayList<>();
        for (String key : webhookKeys) {
            JsonNode s = subscribed.get(key);
            if (s == null) {
                missing.add(Map.of("webhookKey", key, "callbackUrl", url, "userSubscriptionState", "ACTIVE"));
            } else if (!"ACTIVE".equals(s.path("userSubscriptionState").asText())) {
                inactive.add(Map.of("webhookKey", key, "userSubscriptionKey", s.path("userSubscriptionKey").asText(),
                        "userSubscriptionState", "ACTIVE"));
            }
        }
        if (!missing.isEmpty()) {
            client.post(BASE + "/userSubscriptions", missing);
            LOG.info("GoTo account {} subscribed to {} webhooks", EmailAddress.masked(account), missing.size());
        }
        if (!inactive.isEmpty()) {
            client.put(BASE + "/userSubscriptions", inactive);
        }
    }

    private String callbackOf(String account) {
        return callback + "?account=" + URLEncoder.encode(account, StandardCharsets.UTF_8);
    }

    private String record(String account, String state, String message) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement("""
                INSERT INTO goto_webhook (account, state, message, checked_at) VALUES (?, ?, ?, now())
                ON CONFLICT (account) DO UPDATE SET state = EXCLUDED.state, message = EXCLUDED.message, checked_at = now()
                """)) {
            st.setString(1, account);
            st.setString(2, state);
            st.setString(3, message);
            st.executeUpdate();
        }
        if (!state.equals("active")) {
            LOG.warn("GoTo webhooks of account {} {}: {}", EmailAddress.masked(account), state, EmailAddress.masked(message));
        }
        return state + ": " + message;
    }
}
