package io.gotomautic.bridge.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;

/** What a simulator answers: status, headers, body bytes. */
public record SimResponse(int status, Map<String, String> headers, byte[] body) {

    public static SimResponse json(int status, Object body) {
        try {
            return new SimResponse(status, Map.of("Content-Type", "application/json"), SimServer.JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Raw JSON text, for shapes an ObjectMapper would not write (e.g. PHP-style escaping). */
    public static SimResponse rawJson(int status, String body) {
        return new SimResponse(status, Map.of("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8));
    }

    public static SimResponse html(int status, String page) {
        return new SimResponse(status, Map.of("Content-Type", "text/html; charset=utf-8"), page.getBytes(StandardCharsets.UTF_8));
    }

    /** Text made safe to stand in HTML, in an element or a quoted attribute. */
    public static String escapeHtml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    public static SimResponse redirect(String location) {
        return new SimResponse(302, Map.of("Location", location), new byte[0]);
    }

    public static SimResponse empty(int status) {
        return new SimResponse(status, Map.of(), new byte[0]);
    }

    public SimResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new SimResponse(status, h, body);
    }
}
