package io.gotomautic.bridge.http;

import io.vertx.core.http.Cookie;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * What an inbound request carries, read from the request itself. platform-http also copies query parameters and form
 * fields into the message's headers, so a token read from there could come from a URL, where access logs and browser
 * histories keep it: each part is read from where it belongs.
 */
public final class Requests {

    private Requests() {
    }

    /** The header's value, or null when the request has none (or did not come in over HTTP). */
    public static String header(Exchange exchange, String name) {
        return exchange.getIn() instanceof HttpMessage http && http.getRequest() != null ? http.getRequest().getHeader(name) : null;
    }

    /** A query parameter, or null. */
    public static String param(Exchange exchange, String name) {
        return exchange.getIn() instanceof HttpMessage http && http.getRequest() != null ? http.getRequest().getParam(name) : null;
    }

    /** A field of a posted form ({@code application/x-www-form-urlencoded}), never of the query; or null. */
    public static String formField(Exchange exchange, String name) {
        return exchange.getIn() instanceof HttpMessage http && http.getRequest() != null ? http.getRequest().getFormAttribute(name) : null;
    }

    /** A cookie's value, or null when the request has none or an empty one. */
    public static String cookie(Exchange exchange, String name) {
        if (exchange.getIn() instanceof HttpMessage http && http.getRequest() != null) {
            Cookie c = http.getRequest().getCookie(name);
            return c == null || c.getValue().isBlank() ? null : c.getValue();
        }
        return null;
    }
}
