package io.gotomautic.bridge.component;

import java.util.Map;

import io.gotomautic.bridge.ops.Meters;
import io.gotomautic.bridge.store.Subscriptions;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code bridge:changes/<name>}: a subscription to every change the bridge commits (the typed change record, as a
 * Map), at least once, in order per person and event, from its own position and with its own retries and dead
 * letters, so a route an integrator adds in a file of its own can react to each registration, cancellation and
 * attendance without holding back the Mautic push or another subscription.
 */
public class BridgeComponent extends DefaultComponent {

    private final Subscriptions subscriptions;
    private final Meters meters;

    public BridgeComponent(Subscriptions subscriptions, Meters meters) {
        this.subscriptions = subscriptions;
        this.meters = meters;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        String path = remaining.startsWith("//") ? remaining.substring(2) : remaining;
        if (!path.startsWith("changes/") || path.length() == "changes/".length() || path.substring("changes/".length()).contains("/")) {
            throw new IllegalArgumentException("bridge:" + path + " is not a subscription: use bridge:changes/<name>, the name"
                    + " keeping the subscription's position (e.g. bridge:changes/slack-attendees)");
        }
        Polling polling = Polling.take(parameters, 1_000L, "bridge:" + path);
        return new ChangesEndpoint(uri, this, path.substring("changes/".length()), polling);
    }

    Subscriptions subscriptions() {
        return subscriptions;
    }

    Meters meters() {
        return meters;
    }
}
