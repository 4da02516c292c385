package io.gotomautic.bridge.component;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.gotomautic.bridge.mautic.MauticClient;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code mautic:<kind>/<operation>}: the Mautic calls of the push's routes, and of integrators' own, through the bridge's
 * Mautic client (its credentials, basic or OAuth2, and its call counters). Each operation takes its keys as URI
 * options or headers of the same name ({@code contactId}, {@code segmentId}, …) and its payload as the body; see
 * {@link MauticProducer}.
 */
public class MauticComponent extends DefaultComponent {

    static final Set<String> OPERATIONS = Set.of("contacts/upsertBatch", "contacts/editBatch", "contacts/addUtm",
            "contacts/addNote", "contacts/addPoints", "segments/create", "segments/rename", "segments/addContacts",
            "segments/removeContact", "fields/ensure", "fields/setOptions", "emails/send");

    private final MauticClient client;
    private final SegmentNames segmentNames;

    public MauticComponent(MauticClient client) {
        this.client = client;
        this.segmentNames = new SegmentNames(client);
    }

    MauticClient client() {
        return client;
    }

    SegmentNames segmentNames() {
        return segmentNames;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        String operation = remaining.startsWith("//") ? remaining.substring(2) : remaining;
        if (!OPERATIONS.contains(operation)) {
            throw new IllegalArgumentException("mautic:" + operation + " is no Mautic operation of the bridge; there are "
                    + String.join(", ", new java.util.TreeSet<>(OPERATIONS)));
        }
        Map<String, String> options = new LinkedHashMap<>();
        parameters.forEach((k, v) -> options.put(k, String.valueOf(v)));
        parameters.clear();
        MauticComponent component = this;
        return new DefaultEndpoint(uri, this) {
            @Override
            public Producer createProducer() {
                return new MauticProducer(this, component, operation, options);
            }

            @Override
            public Consumer createConsumer(Processor processor) {
                throw new UnsupportedOperationException("mautic:" + operation + " is a call: use it in to:, not in from:");
            }
        };
    }
}
