package io.gotomautic.bridge.component;

import java.util.Map;

import io.gotomautic.bridge.gotoapi.Operations;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** One GoTo operation with its keys: a call (producer) or a "new item" trigger (consumer). */
class GoToEndpoint extends DefaultEndpoint {

    private final String operation;
    private final Map<String, String> keys;
    private final Operations.Listing listing;
    private final Polling polling;

    GoToEndpoint(String uri, GoToComponent component, String operation, Map<String, String> keys, Operations.Listing listing,
                 Polling polling) {
        super(uri, component);
        this.operation = operation;
        this.keys = Map.copyOf(keys);
        this.listing = listing;
        this.polling = polling;
    }

    @Override
    public GoToComponent getComponent() {
        return (GoToComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        if (!Operations.isCall(operation)) {
            throw new IllegalArgumentException("goto:" + operation + " is a trigger: use it in from:, not in to:");
        }
        return new GoToProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (listing == null) {
            throw new IllegalArgumentException("goto:" + operation + " is a call: use it in to:, not in from:");
        }
        GoToConsumer consumer = new GoToConsumer(this, processor);
        consumer.setDelay(polling.delay());
        consumer.setInitialDelay(polling.initialDelay());
        configureConsumer(consumer);
        return consumer;
    }

    String operation() {
        return operation;
    }

    Map<String, String> keys() {
        return keys;
    }

    Operations.Listing listing() {
        return listing;
    }

    boolean fromBeginning() {
        return polling.fromBeginning();
    }

    /** The trigger's name in the database: the operation and its keys, so each training or webinar has its own. */
    String triggerName() {
        StringBuilder name = new StringBuilder(operation);
        keys.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(k -> name.append(name.indexOf("?") < 0 ? '?' : '&').append(k.getKey()).append('=').append(k.getValue()));
        return name.toString();
    }
}
