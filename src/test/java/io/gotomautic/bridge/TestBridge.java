package io.gotomautic.bridge;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import io.gotomautic.bridge.config.Settings;

/** Starts the real service in this JVM, on a free port, with the repository's routes/ and application.properties. */
public final class TestBridge {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestBridge() {
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Settings settings(Map<String, String> overrides) {
        Map<String, String> all = new HashMap<>();
        all.put("bridge.http.port", String.valueOf(freePort()));
        all.putAll(overrides);
        return Settings.load(Path.of("application.properties"), Map.of(), new Properties(), all);
    }

    /** The settings of a service connected to this GoTo simulator (started with client, secret, refresh). */
    public static Map<String, String> goTo(io.gotomautic.bridge.sandbox.GoToSimulator goTo) {
        return Map.of("goto.api-url", goTo.baseUrl(), "goto.auth-url", goTo.baseUrl(), "goto.client-id", "client",
                "goto.client-secret", "secret", "goto.refresh-token", "refresh");
    }

    /**
     * The settings of a service on {@code port}, reached at http://127.0.0.1:{@code port}, with the simulator's OAuth
     * client but no refresh token: GoTo accounts are connected to it.
     */
    public static Map<String, String> connectable(io.gotomautic.bridge.sandbox.GoToSimulator goTo, int port) {
        return Map.of("bridge.http.port", String.valueOf(port), "bridge.public-url", "http://127.0.0.1:" + port,
                "goto.api-url", goTo.baseUrl(), "goto.auth-url", goTo.baseUrl(), "goto.client-id", "client",
                "goto.client-secret", "secret");
    }

    public static Bridge start(Map<String, String> overrides) throws Exception {
        return Bridge.start(settings(overrides));
    }

    public static HttpResponse<String> get(Bridge bridge, String path) throws IOException, InterruptedException {
        String port = bridge.camelContext().resolvePropertyPlaceholders("{{bridge.http.port}}");
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
