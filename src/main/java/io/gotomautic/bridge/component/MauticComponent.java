package io.gotomautic.bridge.component;

import java.util.Map;

import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.mautic.MauticClient;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * {@code mautic:contacts/addPoints}: Mautic calls for integrators' routes, through the bridge's Mautic client (its
 * credentials, basic or OAuth2, and its call counters). The contact is named by its e-mail (the {@code email} URI
 * option or header; a change's {@code ${body[email]}}), the points by {@code points} (option or header).
 */
public class MauticComponent extends DefaultComponent {

    private final MauticClient client;

    public MauticComponent(MauticClient client) {
        this.client = client;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        String operation = remaining.startsWith("//") ? remaining.substring(2) : remaining;
        if (!operation.equals("contacts/addPoints")) {
            throw new IllegalArgumentException("mautic:" + operation + " is no Mautic operation of the bridge; there is"
                    + " mautic:contacts/addPoints");
        }
        String email = getAndRemoveParameter(parameters, "email", String.class);
        Integer points = getAndRemoveParameter(parameters, "points", Integer.class);
        return new DefaultEndpoint(uri, this) {
            @Override
            public org.apache.camel.Producer createProducer() {
                return new DefaultProducer(this) {
                    @Override
                    public void process(Exchange exchange) {
                        addPoints(exchange, exchange.getIn().getHeader("email", email, String.class),
                                exchange.getIn().getHeader("points", points, Integer.class));
                    }
                };
            }

            @Override
            public org.apache.camel.Consumer createConsumer(org.apache.camel.Processor processor) {
                throw new UnsupportedOperationException("mautic:" + operation + " is a call: use it in to:, not in from:");
            }
        };
    }

    private void addPoints(Exchange exchange, String email, Integer points) {
        if (email == null || email.isBlank() || points == null) {
            throw new IllegalArgumentException("mautic:contacts/addPoints needs email and points (URI options or headers)");
        }
        long id = client.findContactIdByEmail(email).orElseThrow(() -> new IllegalStateException(
                "Mautic has no contact " + EmailAddress.masked(email) + " (yet): mautic:contacts/addPoints is tried again"));
        client.addPoints(id, points);
        exchange.getMessage().setHeader("mauticContactId", id);
    }
}
