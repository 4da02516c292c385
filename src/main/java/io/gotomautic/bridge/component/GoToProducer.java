package io.gotomautic.bridge.component;

import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/**
 * Calls one GoTo operation: keys from the message's headers, else the URI's; for {@code addRegistrant} the body is
 * the registrant (a Map, or its JSON). The answer becomes the body, GoTo's JSON as Maps and Lists.
 */
class GoToProducer extends DefaultProducer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    GoToProducer(GoToEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public GoToEndpoint getEndpoint() {
        return (GoToEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        GoToEndpoint endpoint = getEndpoint();
        Map<String, Object> registrant = null;
        if (endpoint.operation().endsWith("/addRegistrant")) {
            Object body = exchange.getIn().getBody();
            registrant = body instanceof Map<?, ?> ? JSON.convertValue(body, MAP)
                    : body == null ? null : JSON.readValue(exchange.getIn().getBody(String.class), MAP);
        }
        JsonNode answer = endpoint.getComponent().operations().call(endpoint.operation(), key -> {
            String value = exchange.getIn().getHeader(key, endpoint.keys().get(key), String.class);
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("goto:" + endpoint.operation() + " needs " + key
                        + " (a URI option or a header of that name)");
            }
            return value;
        }, registrant);
        exchange.getMessage().setBody(JSON.convertValue(answer, Object.class));
    }
}
