package io.gotomautic.bridge.component;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.gotoapi.Operations;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/**
 * Calls one GoTo operation: keys (and the {@code account}) from the message's headers, else the URI's. The input of
 * the operations that take one is the body, a Map or List or its JSON: for {@code addRegistrant} the registrant, for
 * {@code createMeeting} and {@code createSession} what the session is for, for the webhook API's creates and
 * updates GoTo's array. The answer becomes the body, GoTo's JSON as Maps and Lists.
 */
class GoToProducer extends DefaultProducer {

    private static final ObjectMapper JSON = new ObjectMapper();

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
        Object input = null;
        if (Operations.takesBody(endpoint.operation())) {
            Object body = exchange.getIn().getBody();
            input = body instanceof Map<?, ?> || body instanceof List<?> ? JSON.convertValue(body, Object.class)
                    : body == null ? null : endpoint.getComponent().json().unmarshal(exchange, exchange.getIn().getBody(String.class));
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
