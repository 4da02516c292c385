package io.gotomautic.bridge.mautic;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.http.Answers;
import io.gotomautic.bridge.store.Outbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mautic emails that carry a GoTo link: queued in the outbox with the registration or session they come from,
 * sent by the push (direct:push-email) through Mautic's send-to-contact API with the old plugin's tokens, {@code {<product>_link}} (the
 * URL) and {@code {<product>_button}} (an HTML button to it).
 */
public class LinkEmails {

    /** The outbox kind of a link email. */
    public static final String KIND = "email";
    private static final Logger LOG = LoggerFactory.getLogger(LinkEmails.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The attempt is stamped by PostgreSQL's clock and the send by Mautic's: a send this much before the stamp still
     * counts as this attempt's.
     */
    private static final java.time.Duration CLOCK_SKEW = java.time.Duration.ofMinutes(2);
    private static final Map<String, String> NOUNS = Map.of("webinar", "webinar", "training", "training", "meeting", "meeting",
            "assist", "support session");

    private final Outbox outbox;

    public LinkEmails(Outbox outbox) {
        this.outbox = outbox;
    }

    /**
     * Queues email {@code emailId} to a contact, in the caller's transaction.
     *
     * @param contactId the Mautic contact, or null to find (or create) the contact by {@code email}
     * @param host      true for the organizer's start link ("Start the meeting"), false for a person's join link
     */
    public static void queue(Connection c, long emailId, Long contactId, String email, String product, String url, boolean host,
                             String about) throws SQLException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("emailId", emailId);
        p.put("contactId", contactId);
        p.put("email", email);
        p.put("tokens", tokens(product, url, host));
        p.put("about", about);
        try {
            Outbox.add(c, KIND, JSON.writeValueAsString(p));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Map<String, String> tokens(String product, String url, boolean host) {
        String label = (host ? "Start the " : "Join the ") + NOUNS.get(product);
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put(product + "_link", url);
        // inline styles: mail clients drop style sheets
        tokens.put(product + "_button", "<a href=\"" + Answers.escape(url) + "\" target=\"_blank\" style=\"display:inline-block;"
                + "padding:12px 24px;border-radius:4px;background:#1a5fd0;color:#ffffff;font-weight:bold;text-decoration:none\">"
                + label + "</a>");
        return tokens;
    }

    /**
     * A queued email, read for the push's route direct:push-email.
     *
     * @param contactId the Mautic contact, null until found (or created) by {@code email}
     */
    public record Email(Outbox.Row row, long emailId, Long contactId, String email, Map<String, String> tokens,
                        String about) {
        /** The contact to find or create by its e-mail (the organizer may not be a contact yet). */
        public List<Map<String, Object>> contact() {
            return List.of(Map.of("email", email));
        }

        /** The email no retry will send (no such contact or email, Mautic refusing the send): a dead letter. */
        void refused(Outbox outbox, MauticException e) throws SQLException {
            outbox.dead(row, "email " + emailId + " (" + about + ") was not sent: " + e.getMessage()
                    + (e.status() == 404 ? "; the contact or the email does not exist in Mautic" : ""));
        }
    }

    /** The queued email of the row; null when it is not JSON (then a dead letter). */
    public Email read(Outbox.Row row) throws SQLException {
        JsonNode p;
        try {
            p = JSON.readTree(row.payload());
        } catch (java.io.IOException e) {
            outbox.dead(row, "the queued email is not JSON: " + e.getMessage());
            return null;
        }
        Map<String, String> tokens = new LinkedHashMap<>();
        p.path("tokens").fields().forEachRemaining(t -> tokens.put(t.getKey(), t.getValue().asText()));
        return new Email(row, p.path("emailId").asLong(), p.hasNonNull("contactId") ? p.get("contactId").asLong() : null,
                p.path("email").asText(), tokens, p.path("about").asText());
    }

    /** The email with the contact Mautic answered for its address. */
    public Email withContact(Email email, List<MauticClient.ContactResult> results) {
        MauticClient.ContactResult r = results.get(0);
        if (r.id() <= 0) {
            throw r.failure(email.email());
        }
        return new Email(email.row(), email.emailId(), r.id(), email.email(), email.tokens(), email.about());
    }

    /**
     * Marks the attempt before the send, so the email goes at most once. Returns since when Mautic's activity is looked
     * at first: for a row found marked (a crash or a lost answer after the send began), its earlier attempt; else null.
     */
    public java.time.Instant begin(Email email) throws SQLException {
        Outbox.Row row = email.row();
        outbox.detailAttempted(row.id());
        return row.detailAttempted() ? row.detailAttemptedAt().minus(CLOCK_SKEW) : null;
    }

    /** The email went (or had gone before the answer was lost): it leaves the queue. */
    public void sent(Email email, boolean now) throws SQLException {
        outbox.delivered(List.of(email.row().id()));
        if (now) {
            LOG.info("Sent Mautic email {} to contact {} ({})", email.emailId(), email.contactId(), EmailAddress.masked(email.about()));
        } else {
            LOG.info("Mautic email {} to contact {} ({}) had gone out before the answer was lost; not sent again",
                    email.emailId(), email.contactId(), EmailAddress.masked(email.about()));
        }
    }
}
