package io.gotomautic.bridge.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;

/** What the inbound HTTP endpoints answer: their status and content only, never the request's headers echoed back. */
public final class Answers {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Answers() {
    }

    /** A JSON answer: its status, and its content as Maps and Lists, which the route's {@code marshal: json} writes. */
    public static void json(Exchange exchange, int status, Object body) {
        clear(exchange, status);
        exchange.getMessage().setBody(body);
    }

    /** The JSON form of a stored request or an answer. */
    public static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * Starts an answer: the request's headers (and the query parameters and form fields platform-http copies into
     * headers) are dropped, so none of them goes back as a response header.
     */
    public static void clear(Exchange exchange, int status) {
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
    }

    /** An HTML page that no cache keeps. */
    public static void html(Exchange exchange, int status, String html) {
        clear(exchange, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
        exchange.getMessage().setHeader("Cache-Control", "no-store");
        exchange.getMessage().setBody(html);
    }

    /** A page of a title and one paragraph ({@code id="outcome"}) that says what happened. */
    public static String page(String title, String text) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title></head><body><h1>"
                + escape(title) + "</h1><p id=\"outcome\">" + escape(text) + "</p></body></html>";
    }

    /** Text (or a URL) for HTML content and double-quoted attributes. */
    public static String escape(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
