package io.gotomautic.bridge.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A plain HTTP client for the simulator's API, so the tests see exactly the bytes a real client would. */
final class MauticTestClient {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One answer: status, a header lookup and the raw body. */
    record Answer(int status, HttpResponse<String> response) {
        String body() {
            return response.body();
        }

        JsonNode json() {
            try {
                return JSON.readTree(response.body());
            } catch (JsonProcessingException e) {
                throw new AssertionError("not JSON: " + response.body(), e);
            }
        }

        Optional<String> header(String name) {
            return response.headers().firstValue(name);
        }

        /** The first error of Mautic's envelope. */
        JsonNode error() {
            return json().path("errors").path(0);
        }
    }

    private final String baseUrl;
    private final String authorization;
    private final Duration timeout;
    private final HttpClient http = HttpClient.newHttpClient();

    private MauticTestClient(String baseUrl, String authorization, Duration timeout) {
        this.baseUrl = baseUrl;
        this.authorization = authorization;
        this.timeout = timeout;
    }

    static MauticTestClient basic(MauticSimulator sim, String user, String password) {
        String pair = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return new MauticTestClient(sim.baseUrl(), "Basic " + pair, Duration.ofSeconds(5));
    }

    static MauticTestClient bearer(MauticSimulator sim, String token) {
        return new MauticTestClient(sim.baseUrl(), "Bearer " + token, Duration.ofSeconds(5));
    }

    static MauticTestClient anonymous(MauticSimulator sim) {
        return new MauticTestClient(sim.baseUrl(), null, Duration.ofSeconds(5));
    }

    MauticTestClient withTimeout(Duration t) {
        return new MauticTestClient(baseUrl, authorization, t);
    }

    Answer get(String path) {
        return send("GET", path, null, null);
    }

    Answer post(String path, Object json) {
        return send("POST", path, "application/json", write(json));
    }

    Answer patch(String path, Object json) {
        return send("PATCH", path, "application/json", write(json));
    }

    Answer postForm(String path, String form) {
        return send("POST", path, "application/x-www-form-urlencoded", form);
    }

    Answer send(String method, String path, String contentType, String body) {
        try {
            return trySend(method, path, contentType, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lets a test see transport failures such as a timeout. */
    Answer trySend(String method, String path, String contentType, String body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(r.statusCode(), r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static String write(Object json) {
        try {
            return json instanceof String s ? s : JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
