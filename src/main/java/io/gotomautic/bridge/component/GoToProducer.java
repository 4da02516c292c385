package io.gotomautic.bridge.component;

import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.gotoapi.Operations;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/**
 * Calls one GoTo operation: keys (and the {@code account}) from the message's headers, else the URI's; for
 * {@code addRegistrant} the body is
 * the registrant (a Map, or its JSON), for {@code createMeeting} and {@code createSession} what the session is for. The answer becomes the body, GoTo's JSON as Maps and Lists.
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
        Map<String, Object> input = null;
        if (Operations.takesBody(endpoint.operation())) {
            Object body = exchange.getIn().getBody();
            input = body instanceof Map<?, ?> ? JSON.convertValue(body, MAP)
                    : body == null ? null : JSON.readValue(exchange.getIn().getBody(String.class), MAP);
        }
        JsonNode answer;
        try {
            answer = endpoint.getComponent().operations().call(endpoint.operation(),
                    key -> exchange.getIn().getHeader(key, endpoint.keys().get(key), String.class), input);
        } catch (IllegalArgumentException e) {
            // the whole message says what is missing: the inner exception adds nothing
            throw new IllegalArgumentException("goto:" + endpoint.operation() + " " + e.getMessage());
        }
        exchange.getMessage().setBody(JSON.convertValue(answer, Object.class));
    }
}
