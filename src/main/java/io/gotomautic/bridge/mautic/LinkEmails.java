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
import io.gotomautic.bridge.store.Outbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mautic emails that carry a GoTo link: queued in the outbox with the registration or session they come from,
 * sent by the push through Mautic's send-to-contact API with the old plugin's tokens, {@code {<product>_link}} (the
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

    private final MauticClient client;
    private final Outbox outbox;

    public LinkEmails(MauticClient client, Outbox outbox) {
        this.client = client;
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
        tokens.put(product + "_button", "<a href=\"" + escape(url) + "\" target=\"_blank\" style=\"display:inline-block;"
                + "padding:12px 24px;border-radius:4px;background:#1a5fd0;color:#ffffff;font-weight:bold;text-decoration:none\">"
                + label + "</a>");
        return tokens;
    }

    /**
     * Sends one queued email, at most once: the attempt is marked before the send, and a row found marked (a crash or
     * a lost answer after the send began) is first looked for in the contact's activity. One no retry can mend (no
     * such contact or email, Mautic refusing the send) makes it a dead letter; either way it has left the queue.
     *
     * @throws MauticException transient (the push retries the email later, or holds the queue when Mautic is down),
     *                         or with a {@link MauticException#fix()}: a setting refused, the email stays as it is
     */
    void send(Outbox.Row row) throws SQLException {
        JsonNode p;
        try {
            p = JSON.readTree(row.payload());
        } catch (java.io.IOException e) {
            outbox.dead(row, "the queued email is not JSON: " + e.getMessage());
            return;
        }
        long emailId = p.path("emailId").asLong();
        try {
            long contactId = p.hasNonNull("contactId") ? p.get("contactId").asLong() : contact(p.path("email").asText());
            Map<String, String> tokens = new LinkedHashMap<>();
            p.path("tokens").fields().forEachRemaining(t -> tokens.put(t.getKey(), t.getValue().asText()));
            if (row.detailAttempted() && client.emailSentSince(contactId, emailId, row.detailAttemptedAt().minus(CLOCK_SKEW))) {
                outbox.delivered(List.of(row.id()));
                LOG.info("Mautic email {} to contact {} ({}) had gone out before the answer was lost; not sent again", emailId,
                        contactId, EmailAddress.masked(p.path("about").asText()));
                return;
            }
            outbox.detailAttempted(row.id());
            client.sendEmail(emailId, contactId, tokens);
            outbox.delivered(List.of(row.id()));
            LOG.info("Sent Mautic email {} to contact {} ({})", emailId, contactId, EmailAddress.masked(p.path("about").asText()));
        } catch (MauticException e) {
            if (e.fix().isPresent() || e.isTransient()) {
                throw e;
            }
            outbox.dead(row, "email " + emailId + " (" + p.path("about").asText() + ") was not sent: " + e.getMessage()
                    + (e.status() == 404 ? "; the contact or the email does not exist in Mautic" : ""));
        }
    }

    /** The contact with this email, created when Mautic has none (the organizer may not be a contact yet). */
    private long contact(String email) {
        MauticClient.ContactResult r = client.upsertContacts(List.of(Map.of("email", email))).get(0);
        if (r.id() <= 0) {
            throw r.failure(email);
        }
        return r.id();
    }

    private static String escape(String url) {
        return url.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
