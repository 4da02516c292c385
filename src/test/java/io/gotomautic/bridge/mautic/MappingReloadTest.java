package io.gotomautic.bridge.mautic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import io.gotomautic.bridge.LogCapture;
import io.gotomautic.bridge.config.Settings;
import org.apache.camel.impl.DefaultCamelContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The mapping follows the routes folder's files as they are saved, replaced, broken and removed. */
class MappingReloadTest {

    @RegisterExtension
    static final LogCapture LOG = new LogCapture();

    @TempDir
    Path routes;

    private void save(String name, String text) throws Exception {
        Path draft = Files.writeString(routes.resolve(name + ".draft"), text);
        Files.move(draft, routes.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void savedReplacedBrokenAndRemovedFilesEachLeaveAWholeMapping() throws Exception {
        Settings settings = Settings.load(routes.resolve("absent.properties"), Map.of(), new Properties(),
                Map.of("camel.main.routes-reload-directory", routes.toString(), "bridge.mautic.map.goto_title", "${body[eventTitle]}"));
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.start();
            ContactMapping mapping = ContactMapping.of(settings, camel);
            MappingReload reload = new MappingReload(mapping, camel);
            reload.start();
            try {
                assertThat(mapping.aliases()).containsExactly("goto_title");
                assertThat(mapping.needsDetails()).isFalse();

                save("mapping.properties", "bridge.mautic.map.company = question:Company name\n");
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> mapping.aliases().contains("company"));
                assertThat(mapping.aliases()).containsExactly("goto_title", "company");
                assertThat(mapping.needsDetails()).isTrue();

                // while one file is broken, nothing of the folder applies, the other files' edits neither; the next
                // good save applies them all
                save("mapping.properties", "bridge.mautic.map.Company = question:Company name\n");
                save("other.properties", "bridge.mautic.map.position = jobTitle\n");
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !LOG.at("WARN",
                        "other.properties changed, the previous one stays: " + routes.resolve("mapping.properties")
                        + ": bridge.mautic.map.Company: names a Mautic contact field alias").isEmpty());
                assertThat(mapping.aliases()).containsExactly("goto_title", "company");
                save("mapping.properties", "bridge.mautic.map.goto_title = ${body[eventKey]}\n");
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> mapping.aliases().contains("position"));
                assertThat(mapping.aliases()).containsExactly("goto_title", "position");
                assertThat(mapping.needsDetails()).isTrue();

                Files.delete(routes.resolve("other.properties"));
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !mapping.aliases().contains("position"));
                assertThat(mapping.aliases()).containsExactly("goto_title");
                assertThat(mapping.needsDetails()).isFalse();
            } finally {
                reload.stop();
            }
        }
    }
}
