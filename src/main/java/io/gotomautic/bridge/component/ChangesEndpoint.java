package io.gotomautic.bridge.component;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** One subscription to the changes; only a consumer. */
class ChangesEndpoint extends DefaultEndpoint {

    private final String name;
    private final Polling polling;

    ChangesEndpoint(String uri, BridgeComponent component, String name, Polling polling) {
        super(uri, component);
        this.name = name;
        this.polling = polling;
    }

    @Override
    public BridgeComponent getComponent() {
        return (BridgeComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        throw new IllegalArgumentException("bridge:changes/" + name + " is a subscription: use it in from:, not in to:");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        ChangesConsumer consumer = new ChangesConsumer(this, processor);
        consumer.setDelay(polling.delay());
        consumer.setInitialDelay(polling.initialDelay());
        configureConsumer(consumer);
        return consumer;
    }

    String name() {
        return name;
    }

    boolean fromBeginning() {
        return polling.fromBeginning();
    }
}
