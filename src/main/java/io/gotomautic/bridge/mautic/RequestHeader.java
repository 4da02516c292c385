package io.gotomautic.bridge.mautic;

import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * A header as the client sent it. platform-http also copies query parameters and form fields into the message's
 * headers, so a token read from there could come from a URL, where access logs and browser histories keep it.
 */
final class RequestHeader {

    private RequestHeader() {
    }

    /** The header's value, or null when the request has none (or did not come in over HTTP). */
    static String of(Exchange exchange, String name) {
        if (exchange.getIn() instanceof HttpMessage http && http.getRequest() != null) {
            return http.getRequest().getHeader(name);
        }
        return null;
    }
}
