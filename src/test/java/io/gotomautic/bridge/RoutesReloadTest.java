package io.gotomautic.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.apache.camel.ServiceStatus;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** An integrator edits a route file and the running service picks it up, with reload enabled. */
class RoutesReloadTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @TempDir
    Path routes;

    @Test
    void anEditedRouteFileIsReloadedWithoutARestart() throws Exception {
        Files.copy(Path.of("routes/ops.camel.yaml"), routes.resolve("ops.camel.yaml"));
        Map<String, String> settings = new java.util.HashMap<>(DB.settings());
        settings.put("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");
        settings.put("camel.main.routes-reload-enabled", "true");
        settings.put("camel.main.routes-reload-directory", routes.toString());
        try (Bridge bridge = TestBridge.start(settings)) {
            assertThat(TestBridge.get(bridge, "/hello").statusCode()).isEqualTo(404);

            // written aside and moved in, as editors save, so the watcher never sees a half-written file
            Path draft = Files.writeString(routes.resolve("hello.draft"), """
                    - route:
                        id: hello
                        from:
                          uri: "platform-http:/hello"
                          steps:
                            - setBody:
                                constant: "hello from an edited route"
                    """);
            Files.move(draft, routes.resolve("hello.camel.yaml"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);

            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(bridge.camelContext().getRouteController().getRouteStatus("hello")).isEqualTo(ServiceStatus.Started));
            var r = TestBridge.get(bridge, "/hello");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello from an edited route");
        }
    }
}
