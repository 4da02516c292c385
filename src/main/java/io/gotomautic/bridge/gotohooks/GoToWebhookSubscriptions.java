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

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.gotoapi.GoToConnections;
import io.gotomautic.bridge.gotoapi.Operations;
import io.gotomautic.bridge.store.StoredSecrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's subscription to GoToWebinar's webhooks, made and mended idempotently by the routes
 * {@code goto-webhooks-subscribe} and {@code goto-webhooks-check}, whose goto: steps make the calls; this bean
 * decides between them: the application's secret ({@code goto:webinar/createWebhookSecret}, kept sealed), a webhook
 * per event to {@code <bridge.public-url>/webhooks/goto} (GoTo makes them INACTIVE: each is activated), and each
 * connected account subscribed with a callback that names it ({@code ?account=}); a webhook or subscription GoTo shows
 * INACTIVE or lost is made again. Each account's outcome is kept in {@code goto_webhook} for {@code status}.
 */
public class GoToWebhookSubscriptions {

    static final List<String> EVENTS = List.of("registrant.added", "registrant.joined", "webinar.created", "webinar.changed");
    private static final Logger LOG = LoggerFactory.getLogger(GoToWebhookSubscriptions.class);
    private static final Duration RECHECK = Duration.ofHours(1);
    private static final Duration RETRY = Duration.ofMinutes(5);
    private static final String ACTIVE = "ACTIVE";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GoToConnections connections;
    private final Operations operations;
    private final StoredSecrets secrets;
    private final DataSource dataSource;
    private final String callback;
    private List<String> checkedAccounts = List.of();
    private Instant checkedAt = Instant.MIN;
    private Map<String, String> outcome = new LinkedHashMap<>();

    public GoToWebhookSubscriptions(GoToConnections connections, Operations operations, StoredSecrets secrets, DataSource dataSource,
                                    String publicUrl) {
        this.connections = connections;
        this.operations = operations;
        this.secrets = secrets;
        this.dataSource = dataSource;
        this.callback = publicUrl.replaceAll("/+$", "") + "/webhooks/goto";
    }

    /**
     * The application's webhooks to the bridge's callback, by event, as GoTo lists them; those to make and those to
     * activate.
     */
    public final class Hooks {
        private final Map<String, Map<String, Object>> ours = new LinkedHashMap<>();

        private Hooks(List<Map<String, Object>> listed) {
            for (Map<String, Object> w : listed) {
                if (callback.equals(w.get("callbackUrl")) && EVENTS.contains(String.valueOf(w.get("eventName")))) {
                    ours.putIfAbsent(String.valueOf(w.get("eventName")), w);
                }
            }
        }

        /** The webhooks to make, as {@code goto:webinar/createWebhooks} takes them. */
        public List<Map<String, Object>> missing() {
            return EVENTS.stream().filter(e -> !ours.containsKey(e)).map(e -> Map.<String, Object>of("callbackUrl", callback,
                    "eventName", e, "eventVersion", "1.0.0", "product", "g2w")).toList();
        }

        /** The webhooks to activate, as {@code goto:webinar/updateWebhooks} takes them. */
        public List<Map<String, Object>> inactive() {
            return ours.values().stream().filter(w -> !ACTIVE.equals(w.get("state")))
                    .map(w -> Map.<String, Object>of("webhookKey", String.valueOf(w.get("webhookKey")), "state", ACTIVE)).toList();
        }

        List<String> keys() {
            return ours.values().stream().map(w -> String.valueOf(w.get("webhookKey"))).toList();
        }
    }

    /** An account's subscriptions to the bridge's webhooks at its callback: those to make and those to activate. */
    public final class Subscribed {
        private final List<Map<String, Object>> missing = new ArrayList<>();
        private final List<Map<String, Object>> inactive = new ArrayList<>();
        private final List<String> keys = new ArrayList<>();

        private Subscribed(List<String> webhookKeys, String account, List<Map<String, Object>> listed) {
            String url = callbackOf(account);
            Map<String, Map<String, Object>> byWebhook = new LinkedHashMap<>();
            for (Map<String, Object> s : listed) {
                if (url.equals(s.get("callbackUrl"))) {
                    byWebhook.put(String.valueOf(s.get("webhookKey")), s);
                    keys.add(String.valueOf(s.get("userSubscriptionKey")));
                }
            }
            for (String key : webhookKeys) {
                Map<String, Object> s = byWebhook.get(key);
                if (s == null) {
                    missing.add(Map.of("webhookKey", key, "callbackUrl", url, "userSubscriptionState", ACTIVE));
                } else if (!ACTIVE.equals(s.get("userSubscriptionState"))) {
                    inactive.add(Map.of("webhookKey", key, "userSubscriptionKey", String.valueOf(s.get("userSubscriptionKey")),
                            "userSubscriptionState", ACTIVE));
                }
            }
        }

        /** As {@code goto:webinar/createUserSubscriptions} takes them. */
        public List<Map<String, Object>> missing() {
            return missing;
        }

        /** As {@code goto:webinar/updateUserSubscriptions} takes them. */
        public List<Map<String, Object>> inactive() {
            return inactive;
        }
    }

    /**
     * The timer's step, every minute: a check is due at the first tick, hourly (five minutes after one that failed),
     * and as soon as an account is connected or disconnected; else not, so the check costs GoTo a few calls an hour.
     */
    public synchronized boolean due() {
        List<String> accounts = connections.names();
        return !accounts.isEmpty() && (!accounts.equals(checkedAccounts) || checkedAt.plus(RECHECK).isBefore(Instant.now()));
    }

    /** A check begins: the accounts it covers (the first one's token acts for the application's webhooks). */
    public synchronized List<String> begin() {
        outcome = new LinkedHashMap<>();
        List<String> accounts = connections.names();
        if (accounts.isEmpty()) {
            throw new IllegalStateException("no GoTo account is connected: nothing to subscribe");
        }
        return accounts;
    }

    public boolean needsSecret() throws SQLException {
        return secrets.get(GoToWebhookReceiver.SECRET).isEmpty();
    }

    /** The secret GoTo made ({@code goto:webinar/createWebhookSecret}), kept sealed: it signs the deliveries. */
    public void secret(Map<String, Object> made) throws SQLException {
        secrets.putIfAbsent(GoToWebhookReceiver.SECRET, String.valueOf(made.get("value")));
    }

    /** @param listed {@code goto:webinar/listWebhooks} */
    public Hooks hooks(List<Map<String, Object>> listed) {
        return new Hooks(listed);
    }

    /** @param made {@code goto:webinar/createWebhooks}: now among the bridge's, to activate */
    public void made(Hooks hooks, List<Map<String, Object>> made) {
        for (Map<String, Object> w : made) {
            hooks.ours.put(String.valueOf(w.get("eventName")), w);
        }
        LOG.info("GoTo webhooks made for {} to {}", made.stream().map(w -> w.get("eventName")).toList(), callback);
    }

    /** @param listed {@code goto:webinar/listUserSubscriptions}, as the account */
    public Subscribed subscribed(Hooks hooks, String account, List<Map<String, Object>> listed) {
        Subscribed s = new Subscribed(hooks.keys(), account, listed);
        if (!s.missing().isEmpty()) {
            LOG.info("GoTo account {} subscribes to {} webhooks", EmailAddress.masked(account), s.missing().size());
        }
        return s;
    }

    public synchronized void active(String account) throws SQLException {
        outcome.put(account, record(account, "active", EVENTS.size() + " events to " + callbackOf(account)));
    }

    public synchronized void failing(String account, Exception e) throws SQLException {
        outcome.put(account, record(account, "failing", e.getMessage()));
    }

    /** The secret or the webhooks could not be made: no account's subscription can deliver. */
    public synchronized void notSetUp(List<String> accounts, Exception e) throws SQLException {
        for (String account : accounts) {
            outcome.put(account, record(account, "failing", "the webhooks could not be set up: " + e.getMessage()));
        }
    }

    /** The check is over: each account's outcome; one that failed is checked again in a few minutes, not in an hour. */
    public synchronized Map<String, String> end(List<String> accounts) {
        checkedAccounts = accounts;
        Instant now = Instant.now();
        checkedAt = outcome.values().stream().allMatch(o -> o.startsWith("active")) ? now : now.minus(RECHECK).plus(RETRY);
        return Map.copyOf(outcome);
    }

    /**
     * {@code webhooks remove}: every account's subscriptions and the bridge's webhooks deleted in GoTo, through the
     * same operations as the routes' ({@code goto:webinar/list…} and {@code goto:webinar/delete…}).
     */
    public int remove() throws SQLException {
        int removed = 0;
        List<String> accounts = connections.names();
        for (String account : accounts) {
            List<String> ours = new Subscribed(List.of(), account, call("webinar/listUserSubscriptions", account, null)).keys;
            if (!ours.isEmpty()) {
                call("webinar/deleteUserSubscriptions", account, ours);
                removed += ours.size();
            }
            record(account, "removed", "by `webhooks remove`");
        }
        if (!accounts.isEmpty()) {
            List<String> ours = new Hooks(call("webinar/listWebhooks", accounts.get(0), null)).keys();
            if (!ours.isEmpty()) {
                call("webinar/deleteWebhooks", accounts.get(0), ours);
                removed += ours.size();
            }
        }
        return removed;
    }

    /** An operation as the account; its answer as Maps. */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> call(String operation, String account, Object input) {
        return JSON.convertValue(operations.call(operation, key -> key.equals("account") ? account : null, input), List.class);
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
