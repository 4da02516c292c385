package io.gotomautic.bridge.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gotomautic.bridge.gotoapi.GoToException;
import io.gotomautic.bridge.gotoapi.Registrar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works the inbox, oldest first, one row per transaction (rows locked with SKIP LOCKED, so instances share the
 * work): a campaign action, a form submission with a {@code goto_webinar} or {@code goto_training} field, or a
 * contact whose such field holds an event key registers the person for that event through the shared rate limiter, and the registration, its outbox row (join URL and registrant
 * key back to the contact) and the inbox row's completion commit together. A passing failure waits and is tried
 * again; one no retry can mend becomes a dead letter with its reason.
 */
public class InboundRegistrations {

    private static final Logger LOG = LoggerFactory.getLogger(InboundRegistrations.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[][] EVENT_FIELDS = {{"goto_webinar", "webinar"}, {"goto_training", "training"}};

    private final DataSource dataSource;
    private final Registrar registrar;
    private final Reconciler reconciler;

    public InboundRegistrations(DataSource dataSource, Registrar registrar, Reconciler reconciler) {
        this.dataSource = dataSource;
        this.registrar = registrar;
        this.reconciler = reconciler;
    }

    /** Handles due inbox rows until none is left or {@code limit} are done; returns how many were handled. */
    public int drain(int limit) throws SQLException {
        int handled = 0;
        while (handled < limit && next()) {
            handled++;
        }
        return handled;
    }

    private boolean next() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement("""
                    SELECT id, payload FROM inbox WHERE status = 'pending' AND next_attempt_at <= now()
                    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """); ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    c.rollback();
                    return false;
                }
                long id = rs.getLong(1);
                String payload = rs.getString(2);
                try {
                    handle(c, id, JSON.readTree(payload));
                } catch (GoToException e) {
                    if (e.isTransient()) {
                        retryLater(c, id, e.getMessage());
                    } else {
                        dead(c, id, payload, e.getMessage());
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    dead(c, id, payload, "cannot be handled: " + e.getMessage());
                }
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private void handle(Connection c, long id, JsonNode event) throws SQLException {
        String type = event.path("type").asText();
        if (type.equals("campaign")) {
            // the campaign's parameters: action, email, firstname, lastname, event_key
            String product = event.path("action").asText().equals("register-training") ? "training" : "webinar";
            String key = event.path("event_key").asText("").trim();
            if (key.isEmpty()) {
                throw new GoToException(0, "NoEvent", "campaign " + event.path("action").asText() + " for contact "
                        + event.path("contact_id").asText("?") + " names no event_key", false, null);
            }
            register(c, id, product, key, event, "campaign action for contact " + event.path("contact_id").asText("?"));
            return;
        }
        if (type.equals("mautic.lead_post_save_update") || type.equals("mautic.lead_post_save_new")) {
            contact(c, id, event.path("contact"));
            return;
        }
        if (type.equals("mautic.form_on_submit")) {
            JsonNode results = event.path("submission").path("results");
            for (String[] f : EVENT_FIELDS) {
                String key = results.path(f[0]).asText("").trim();
                if (!key.isEmpty()) {
                    register(c, id, f[1], key, results, "form submission " + event.path("submission").path("id").asText("?"));
                    return;
                }
            }
        }
        // an event the bridge has nothing to do for: done
        done(c, id);
    }

    /**
     * A contact whose {@code goto_webinar} / {@code goto_training} field holds an event key is registered for it.
     * The bridge's own contact writes come back here too (Mautic sends every save): a person the database already
     * has registered is left alone, with no GoTo call, so nothing loops.
     */
    private void contact(Connection c, long id, JsonNode contact) throws SQLException {
        JsonNode fields = contact.path("fields");
        for (String[] f : EVENT_FIELDS) {
            String key = value(fields, f[0]);
            String email = value(fields, "email").toLowerCase(Locale.ROOT);
            if (!key.isEmpty() && !email.isEmpty() && !registered(c, f[1], key, email)) {
                ObjectNode person = JSON.createObjectNode().put("email", email)
                        .put("firstname", value(fields, "firstname")).put("lastname", value(fields, "lastname"));
                register(c, id, f[1], key, person, "contact " + contact.path("id").asText("?"));
                return;
            }
        }
        done(c, id);
    }

    /** A field's value from Mautic's grouped contact fields ({@code core}, {@code social}, …). */
    private static String value(JsonNode fields, String alias) {
        for (JsonNode group : fields) {
            JsonNode field = group.path(alias);
            if (field.isObject()) {
                return field.path("value").asText("").trim();
            }
        }
        return "";
    }

    private static boolean registered(Connection c, String product, String key, String email) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                SELECT 1 FROM registration WHERE product = ? AND event_key = ? AND lower(email) = ? AND state <> 'cancelled'
                """)) {
            st.setString(1, product);
            st.setString(2, key);
            st.setString(3, email);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** @param person email, firstname, lastname, as a form's results and a campaign's parameters both name them */
    private void register(Connection c, long id, String product, String key, JsonNode person, String what) throws SQLException {
        String email = person.path("email").asText("").trim();
        if (email.isEmpty()) {
            throw new GoToException(0, "NoEmail", what + " has no email: nobody to register for " + product + " " + key, false, null);
        }
        Registrar.Registration r = registrar.register(product, key, email.toLowerCase(Locale.ROOT),
                person.path("firstname").asText(null), person.path("lastname").asText(null));
        reconciler.registered(c, r.event(), r.person());
        done(c, id);
        LOG.info("Registered {} for {} {} ({}) from a {}", email, product, key, r.event().title(), what);
    }

    private static void done(Connection c, long id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE inbox SET status = 'done', done_at = now() WHERE id = ?")) {
            st.setLong(1, id);
            st.executeUpdate();
        }
    }

    private static void retryLater(Connection c, long id, String error) throws SQLException {
        LOG.warn("Inbox row {} waits for a retry: {}", id, error);
        try (PreparedStatement st = c.prepareStatement("""
                UPDATE inbox SET attempts = attempts + 1, last_error = ?,
                  next_attempt_at = now() + least(interval '10 minutes', interval '2 seconds' * power(2, attempts))
                WHERE id = ?
                """)) {
            st.setString(1, error);
            st.setLong(2, id);
            st.executeUpdate();
        }
    }

    private static void dead(Connection c, long id, String payload, String reason) throws SQLException {
        LOG.warn("Inbox row {} is a dead letter: {}", id, reason);
        try (PreparedStatement st = c.prepareStatement("UPDATE inbox SET status = 'dead', last_error = ? WHERE id = ?");
             PreparedStatement dl = c.prepareStatement(
                     "INSERT INTO dead_letter (source, reference, payload, reason) VALUES ('inbox', ?, ?, ?)")) {
            st.setString(1, reason);
            st.setLong(2, id);
            st.executeUpdate();
            dl.setString(1, "inbox#" + id);
            dl.setString(2, payload);
            dl.setString(3, reason);
            dl.executeUpdate();
        }
    }
}
