package io.gotomautic.bridge.sandbox;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.Headers;

/** One request as a simulator handler sees it: path variables resolved, query and body parsed on demand. */
public record SimRequest(String method, String path, Map<String, String> pathParams,
                         Map<String, List<String>> query, Headers headers, byte[] body) {

    /** A path variable, e.g. {@code webinarKey} of {@code /webinars/{webinarKey}}. */
    public String param(String name) {
        String v = pathParams.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no path variable " + name);
        }
        return v;
    }

    public Optional<String> query(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.getFirst(name));
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The body as JSON; a body that is not JSON is the client's error and answers 400. */
    public JsonNode json() {
        try {
            return SimServer.JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SimError(400, "the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new SimError(400, "the body cannot be read: " + e.getMessage());
        }
    }

    /** The body as {@code application/x-www-form-urlencoded} fields. */
    public Map<String, String> form() {
        return parseQuery(bodyText()).entrySet().stream().collect(LinkedHashMap::new,
                (m, e) -> m.put(e.getKey(), e.getValue().get(0)), Map::putAll);
    }

    public boolean isJson() {
        return header("Content-Type").map(c -> c.toLowerCase().contains("json")).orElse(false);
    }

    static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }
}
