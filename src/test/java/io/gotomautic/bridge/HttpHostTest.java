package io.gotomautic.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code bridge.http.host}: the inbound server listens on that address only (a Linux loopback answers all of 127/8). */
class HttpHostTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void theServerListensOnTheConfiguredAddressOnly() throws Exception {
        Map<String, String> s = new HashMap<>(DB.settings());
        s.put("bridge.http.host", "127.0.0.2");
        try (Bridge bridge = TestBridge.start(s)) {
            String port = bridge.camelContext().resolvePropertyPlaceholders("{{bridge.http.port}}");
            HttpResponse<String> there = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.2:" + port + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(there.body()).contains("\"status\"");
            assertThatThrownBy(() -> HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
        }
    }
}
