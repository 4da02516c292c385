package io.gotomautic.bridge.http;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.gotomautic.bridge.ops.Meters;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.component.jackson.JacksonDataFormat;

/**
 * HTTP calls of the API clients, made through Camel's http component (pooled connections, endpoint MBeans
 * and metrics) with every status handed back to the caller: the clients decide what a 403, 409 or 429 means.
 * Their JSON, both ways, goes through camel-jackson's data format on the call's exchange, as a json-deserialize step
 * after an http-sink would.
 */
public class HttpTransport {

    /** A status, the response headers, the body text and, when that is JSON, the body read (else null). */
    public record Response(int status, Map<String, Object> headers, String body, JsonNode json) {
        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> String.valueOf(e.getValue())).findFirst();
        }

        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final ProducerTemplate template;
    private final JacksonDataFormat json;
    private final String endpoint;
    private final String name;
    private final Meters meters;
    /** The GoTo account the calls are made for, as {@link Meters} counts them; null for none. */
    private final String account;

    /** @param name the client's ({@code goto}, {@code mautic}): its pool, and what its calls count as in {@link Meters} */
    public HttpTransport(CamelContext context, String name, Duration timeout, Meters meters) {
        this.name = name;
        this.meters = meters;
        this.account = null;
        // HttpClient would otherwise retry 429 and 503 by itself, unseen by the rate limiter and the outbox
        context.getComponent("http", HttpComponent.class).setAutomaticRetriesDisabled(true);
        this.template = context.createProducerTemplate();
        this.json = new JacksonDataFormat(JsonNode.class);
        json.setCamelContext(context);
        json.start();
        long ms = timeout.toMillis();
        // the URL of each call is set per message; the endpoint holds the pool and the timeouts
        // deleteWithBody: GoTo's webhook API deletes what the body lists
        this.endpoint = "http://" + name + "?throwExceptionOnFailure=false&deleteWithBody=true&connectTimeout=" + Math.min(ms, 10_000)
                + "&connectionRequestTimeout=" + ms + "&responseTimeout=" + ms + "&soTimeout=" + ms;
    }

    private HttpTransport(HttpTransport shared, String account) {
        this.template = shared.template;
        this.json = shared.json;
        this.endpoint = shared.endpoint;
        this.name = shared.name;
        this.meters = shared.meters;
        this.account = account;
    }

    /** The same pool, its calls counted as the GoTo account's. */
    public HttpTransport forAccount(String account) {
        return new HttpTransport(this, account);
    }

    /**
     * @param body none (null), text sent as it is (a form, JSON already written), or Maps and Lists sent as JSON
     * @throws HttpTransportException when no HTTP answer came (refused, reset, timed out)
     */
    public Response send(String method, String url, Map<String, String> headers, Object body) {
        Exchange result = template.send(endpoint, exchange -> {
            Message in = exchange.getIn();
            headers.forEach(in::setHeader);
            in.setHeader(Exchange.HTTP_METHOD, method);
            in.setHeader(Exchange.HTTP_URI, url);
            if (body == null || body instanceof String) {
                in.setBody(body);
            } else {
                // the data format sets Content-Type: application/json
                ByteArrayOutputStream written = new ByteArrayOutputStream();
                json.marshal(exchange, body, written);
                in.setBody(written.toByteArray());
            }
        });
        if (result.getException() != null) {
            meters.call(name, account, method, url, 0);
            Exception e = result.getException();
            throw new HttpTransportException(method + " " + url + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
        Message out = result.getMessage();
        Integer status = out.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        meters.call(name, account, method, url, status == null ? 0 : status);
        Map<String, Object> responseHeaders = new LinkedHashMap<>(out.getHeaders());
        String text = out.getBody(String.class);
        return new Response(status == null ? 0 : status, responseHeaders, text, read(result, text));
    }

    /** An error page or an empty answer is not JSON: null, and the client says what it expected. */
    private JsonNode read(Exchange result, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return (JsonNode) json.unmarshal(result, text);
        } catch (Exception e) {
            return null;
        }
    }
}
