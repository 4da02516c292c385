package io.gotomautic.bridge.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;

import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded PostgreSQL of a folder, started for real (zonky) in this JVM. */
class EmbeddedDatabaseTest {

    /** A second start in the folder of a bridge that still runs is refused, and leaves that bridge's database running. */
    @Test
    void aSecondStartInALiveBridgesFolderDoesNotStopItsDatabase(@TempDir Path folder) throws Exception {
        Map<String, String> embedded = Map.of("bridge.db.embedded-dir", folder.resolve("data").toString(),
                "bridge.db.embedded-port", String.valueOf(TestBridge.freePort()));
        Settings settings = TestBridge.settings(embedded);
        try (Database running = Database.open(settings)) {
            Settings otherPort = TestBridge.settings(Map.of("bridge.db.embedded-dir", folder.resolve("data").toString(),
                    "bridge.db.embedded-port", String.valueOf(TestBridge.freePort())));
            assertThatThrownBy(() -> Database.open(otherPort).close()).isInstanceOf(DatabaseUnavailableException.class);
            try (Connection c = running.dataSource().getConnection()) {
                assertThat(c.isValid(2)).as("the running bridge's database still answers").isTrue();
            }
        }
    }
}
