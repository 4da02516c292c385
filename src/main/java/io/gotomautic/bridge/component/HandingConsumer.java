package io.gotomautic.bridge.component;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.ScheduledPollConsumer;

/**
 * A polling consumer of this package that hands its items to the route one exchange at a time and must know, for
 * each, whether the route handled it: only then does the item count as delivered.
 */
abstract class HandingConsumer extends ScheduledPollConsumer {

    HandingConsumer(Endpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    /**
     * Hands {@code body} (with one header, when {@code header} is not null) to the route.
     *
     * @return the route's error, or null when it handled the exchange
     */
    Exception hand(Object body, String header, String value) {
        Exchange exchange = createExchange(false);
        exchange.getIn().setBody(body);
        if (header != null) {
            exchange.getIn().setHeader(header, value);
        }
        try {
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        Exception error = exchange.getException();
        releaseExchange(exchange, false);
        return error;
    }
}
