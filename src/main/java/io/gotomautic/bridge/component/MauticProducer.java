package io.gotomautic.bridge.component;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.mautic.MauticClient;
import io.gotomautic.bridge.mautic.MauticException;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/**
 * One Mautic operation. Keys come from the message's headers, else the URI's options; the payload is the body, and
 * the answer, where there is one, becomes the body:
 * <ul>
 * <li>{@code contacts/upsertBatch}: a List of contacts (Maps of field aliases, {@code tags}) → a List of
 * {@link MauticClient.ContactResult}, one per contact in order, created or updated by e-mail</li>
 * <li>{@code contacts/editBatch}: a List of Maps each with the contact's {@code id}</li>
 * <li>{@code contacts/addUtm}, {@code contacts/addNote} ({@code contactId}): a Map of {@code utm_*} values, a note's
 * text; with {@code unlessPresent=true} (a retry after a crash) nothing is added when the contact has it already</li>
 * <li>{@code contacts/addPoints} ({@code email}, {@code points})</li>
 * <li>{@code segments/create}: a name → the id of Mautic's segment of that name, created published when none</li>
 * <li>{@code segments/rename} ({@code segmentId}): the new name</li>
 * <li>{@code segments/addContacts} ({@code segmentId}): the contact ids; {@code segments/removeContact}
 * ({@code segmentId}, {@code contactId})</li>
 * <li>{@code fields/ensure}: a List of Maps ({@code alias}, {@code label}, {@code type}) → the aliases created, those
 * Mautic lacked</li>
 * <li>{@code fields/setOptions} ({@code alias}, {@code label}): a List of {@link MauticClient.Option}s (label, value) →
 * the select field's options replaced, the field created as a select when Mautic lacks it</li>
 * <li>{@code emails/send} ({@code emailId}, {@code contactId}, optional {@code unlessSentSince}, an instant): the
 * tokens (a Map) → header {@code mauticSent}, false when the activity showed the email sent since then</li>
 * </ul>
 * A failure is a {@link MauticException}, transient or not, as the client classified it.
 */
class MauticProducer extends DefaultProducer {

    private final MauticComponent component;
    private final String operation;
    private final Map<String, String> options;

    MauticProducer(Endpoint endpoint, MauticComponent component, String operation, Map<String, String> options) {
        super(endpoint);
        this.component = component;
        this.operation = operation;
        this.options = options;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void process(Exchange exchange) {
        MauticClient client = component.client();
        org.apache.camel.Message in = exchange.getIn();
        switch (operation) {
            case "contacts/upsertBatch" -> exchange.getMessage().setBody(client.upsertContacts(in.getBody(List.class)));
            case "contacts/editBatch" -> client.editContacts(in.getBody(List.class));
            case "contacts/addUtm" -> {
                long contact = key(exchange, "contactId", Long.class);
                Map<String, String> row = in.getBody(Map.class);
                if (!(unlessPresent(exchange) && hasUtm(client, contact, row))) {
                    client.addUtm(contact, row);
                }
            }
            case "contacts/addNote" -> {
                long contact = key(exchange, "contactId", Long.class);
                String text = in.getBody(String.class);
                if (!(unlessPresent(exchange) && client.noteTexts(contact).contains(text))) {
                    client.addNote(contact, text);
                }
            }
            case "contacts/addPoints" -> addPoints(exchange, client);
            case "segments/create" -> exchange.getMessage().setBody(component.segmentNames().create(in.getBody(String.class)));
            case "segments/rename" -> {
                long segment = key(exchange, "segmentId", Long.class);
                String name = in.getBody(String.class);
                segmentCall(segment, () -> client.renameSegment(segment, name));
                component.segmentNames().renamed(segment, name);
            }
            case "segments/addContacts" -> {
                long segment = key(exchange, "segmentId", Long.class);
                Collection<Long> contacts = in.getBody(Collection.class);
                segmentCall(segment, () -> client.addToSegment(segment, contacts));
            }
            case "segments/removeContact" -> {
                long segment = key(exchange, "segmentId", Long.class);
                long contact = key(exchange, "contactId", Long.class);
                segmentCall(segment, () -> client.removeFromSegment(segment, contact));
            }
            case "fields/ensure" -> exchange.getMessage().setBody(client.ensureContactFields(in.getBody(List.class)));
            case "fields/setOptions" -> {
                String alias = key(exchange, "alias", String.class);
                List<MauticClient.Option> options = in.getBody(List.class);
                MauticClient.Field field = client.contactFields().get(alias);
                if (field == null) {
                    client.createContactField(alias, key(exchange, "label", String.class), "select", options);
                } else {
                    client.setFieldOptions(field.id(), options);
                }
            }
            case "emails/send" -> {
                long email = key(exchange, "emailId", Long.class);
                long contact = key(exchange, "contactId", Long.class);
                java.time.Instant since = optional(exchange, "unlessSentSince", java.time.Instant.class);
                boolean send = since == null || !client.emailSentSince(contact, email, since);
                if (send) {
                    client.sendEmail(email, contact, in.getBody(Map.class));
                }
                exchange.getMessage().setHeader("mauticSent", send);
            }
            default -> throw new IllegalStateException("mautic:" + operation + " has no call");
        }
    }

    /** A segment Mautic answers 404 for was deleted there: its name is free again. */
    private void segmentCall(long segment, Runnable call) {
        try {
            call.run();
        } catch (MauticException e) {
            if (e.status() == 404) {
                component.segmentNames().gone(segment);
            }
            throw e;
        }
    }

    private static boolean hasUtm(MauticClient client, long contact, Map<String, String> row) {
        return client.utmRows(contact).stream().anyMatch(r -> row.get("utm_source").equals(r.path("utmSource").asText())
                && row.get("utm_medium").equals(r.path("utmMedium").asText())
                && row.get("utm_campaign").equals(r.path("utmCampaign").asText())
                && row.get("utm_content").equals(r.path("utmContent").asText()));
    }

    private void addPoints(Exchange exchange, MauticClient client) {
        String email = optional(exchange, "email", String.class);
        Integer points = optional(exchange, "points", Integer.class);
        if (email == null || email.isBlank() || points == null) {
            throw new IllegalArgumentException("mautic:contacts/addPoints needs email and points (URI options or headers)");
        }
        long id = client.findContactIdByEmail(email).orElseThrow(() -> new IllegalStateException(
                "Mautic has no contact " + EmailAddress.masked(email) + " (yet): mautic:contacts/addPoints is tried again"));
        client.addPoints(id, points);
        exchange.getMessage().setHeader("mauticContactId", id);
    }

    private boolean unlessPresent(Exchange exchange) {
        return Boolean.TRUE.equals(optional(exchange, "unlessPresent", Boolean.class));
    }

    private <T> T key(Exchange exchange, String name, Class<T> type) {
        T value = optional(exchange, name, type);
        if (value == null) {
            throw new IllegalArgumentException("mautic:" + operation + " needs " + name + " (a URI option or a header of that name)");
        }
        return value;
    }

    private <T> T optional(Exchange exchange, String name, Class<T> type) {
        Object value = exchange.getIn().getHeader(name);
        if (value == null) {
            value = options.get(name);
        }
        return value == null ? null : exchange.getContext().getTypeConverter().convertTo(type, exchange, value);
    }
}
