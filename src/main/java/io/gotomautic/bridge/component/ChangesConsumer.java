package io.gotomautic.bridge.component;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.change.Change;
import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.store.Subscriptions;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a subscription's changes: copies those committed since its position, then hands each due one to the route
 * (body: the change as a Map). One the route handled without an error is done; one it failed on waits for a retry,
 * with the later changes of its person and event, and is a dead letter after its last attempt, while the others go
 * on. Marked done only after the route, so a crash in between delivers it again: at least once.
 */
class ChangesConsumer extends HandingConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(ChangesConsumer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };
    /** Deliveries one poll hands over at most. */
    private static final int BATCH = 100;

    ChangesConsumer(ChangesEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public ChangesEndpoint getEndpoint() {
        return (ChangesEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        String name = getEndpoint().name();
        Subscriptions subscriptions = getEndpoint().getComponent().subscriptions();
        getEndpoint().getComponent().meters().subscription(name, () -> count(() -> subscriptions.behind(name)),
                () -> count(() -> subscriptions.dead(name)));
    }

    /** A count for a gauge: NaN while the database cannot say. */
    private static double count(Count count) {
        try {
            return count.get();
        } catch (java.sql.SQLException e) {
            return Double.NaN;
        }
    }

    @FunctionalInterface
    private interface Count {
        long get() throws java.sql.SQLException;
    }

    @Override
    protected int poll() throws Exception {
        String name = getEndpoint().name();
        Subscriptions subscriptions = getEndpoint().getComponent().subscriptions();
        return subscriptions.exclusively(name, () -> {
            subscriptions.copy(name, getEndpoint().fromBeginning());
            List<Subscriptions.Delivery> failed = new ArrayList<>();
            int delivered = 0;
            for (Subscriptions.Delivery d : subscriptions.due(name, BATCH)) {
                if (!isRunAllowed()) {
                    break;
                }
                if (failed.stream().anyMatch(f -> f.holdsBack(d))) {
                    continue;
                }
                // read as the record, so the Map (and marshal: json) has the documented field order, not jsonb's
                Exception error = hand(JSON.convertValue(JSON.readValue(d.payload(), Change.class), MAP), null, null);
                if (error == null) {
                    subscriptions.delivered(d);
                    delivered++;
                    continue;
                }
                String reason = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
                boolean dead = subscriptions.failed(name, d, reason);
                LOG.warn("Subscription {} failed on a change ({}): {}", name, dead ? "a dead letter now, replayed by replay"
                        : "delivered again later, its person's later changes for the event wait", EmailAddress.masked(reason));
                failed.add(d);
            }
            return delivered;
        });
    }
}
