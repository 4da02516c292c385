package io.gotomautic.bridge.component;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.store.TriggerItems;
import org.apache.camel.Processor;

/**
 * A "new item" trigger: polls its GoTo listing and hands each item not delivered before to the route, one exchange
 * per item (GoTo's JSON as a Map), in GoTo's order. An item counts as delivered once the route has handled it without
 * an error, so one that failed comes again on the next poll (at least once), and the items after it wait for it.
 * The first poll only takes note of what is there, unless the endpoint says {@code from=beginning}.
 */
class GoToConsumer extends HandingConsumer {

    private static final ObjectMapper JSON = new ObjectMapper();

    GoToConsumer(GoToEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public GoToEndpoint getEndpoint() {
        return (GoToEndpoint) super.getEndpoint();
    }

    @Override
    protected int poll() throws Exception {
        GoToEndpoint endpoint = getEndpoint();
        TriggerItems triggers = endpoint.getComponent().triggers();
        String name = endpoint.triggerName();
        return triggers.exclusively(name, () -> {
            List<JsonNode> items;
            try {
                items = endpoint.listing().list().apply(key -> endpoint.keys().get(key));
            } catch (IllegalArgumentException e) {
                // the whole message says what is missing: the inner exception adds nothing
            throw new IllegalArgumentException("goto:" + endpoint.operation() + " " + e.getMessage());
            }
            String itemKey = endpoint.listing().itemKey();
            if (!triggers.started(name)) {
                List<String> there = new ArrayList<>();
                if (!endpoint.fromBeginning()) {
                    items.forEach(i -> there.add(i.path(itemKey).asText()));
                }
                triggers.start(name, there);
            }
            Set<String> seen = triggers.seen(name);
            int delivered = 0;
            for (JsonNode item : items) {
                String key = item.path(itemKey).asText();
                if (key.isEmpty() || seen.contains(key) || !isRunAllowed()) {
                    continue;
                }
                Exception error = hand(JSON.convertValue(item, Object.class), itemKey, key);
                if (error != null) {
                    getExceptionHandler().handleException("goto:" + endpoint.operation() + " could not deliver " + itemKey + " "
                            + key + "; it comes again on the next poll", error);
                    break;
                }
                triggers.delivered(name, key);
                delivered++;
            }
            return delivered;
        });
    }
}
