package io.gotomautic.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A PostgreSQL server of the test's own, stopped under the running service. */
class HealthWhenDatabaseStopsTest {

    @Test
    void healthTurnsDownWhenTheDatabaseStops() throws Exception {
        Path data = Files.createTempDirectory("bridge-pg");
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).start();
        try (Bridge bridge = TestBridge.start(Map.of("bridge.db.url", pg.getJdbcUrl("postgres", "postgres")))) {
            assertThat(TestBridge.get(bridge, "/health").statusCode()).isEqualTo(200);

            pg.close();

            Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                var r = TestBridge.get(bridge, "/health");
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.body()).contains("\"status\":\"DOWN\"")
                        .contains("\"database\":{\"status\":\"DOWN\",\"message\":\"the database does not answer\"}");
            });
        } finally {
            pg.close();
        }
    }
}
