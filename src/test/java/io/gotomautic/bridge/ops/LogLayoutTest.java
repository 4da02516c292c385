package io.gotomautic.bridge.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.Properties;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;

/**
 * The layout of the bridge's log (src/main/resources/log4j2.properties) masks email addresses in whatever it writes:
 * a message, or an exception and its causes that a library raised quoting a row.
 */
class LogLayoutTest {

    private static String line(String message, Throwable thrown) throws Exception {
        Properties config = new Properties();
        try (InputStream in = LogLayoutTest.class.getResourceAsStream("/log4j2.properties")) {
            config.load(in);
        }
        PatternLayout layout = PatternLayout.newBuilder().withPattern(config.getProperty("appender.console.layout.pattern"))
                .withAlwaysWriteExceptions(Boolean.parseBoolean(config.getProperty("appender.console.layout.alwaysWriteExceptions")))
                .build();
        return layout.toSerializable(Log4jLogEvent.newBuilder().setLoggerName("io.gotomautic.bridge.Test").setLevel(Level.WARN)
                .setMessage(new SimpleMessage(message)).setThrown(thrown).build());
    }

    @Test
    void anAddressInAMessageIsMaskedAndTheRestKept() throws Exception {
        assertThat(line("Pull failed for ada.lovelace@example.com (and a%40b.org): ('x')", null))
                .contains("WARN  [", "Test - Pull failed for a***@example.com (and a***%40b.org): ('x')")
                .doesNotContain("lovelace");
    }

    @Test
    void anAddressInAnExceptionOrItsCauseIsMaskedAndTheTraceKept() throws Exception {
        Exception e = new RuntimeException("Batch entry 0 INSERT INTO registration\n VALUES (('5'::int8), ('grace15@example.com'))",
                new IllegalStateException("Key (product, lower(email))=(webinar, grace15@example.com) already exists."));
        String line = line("Pull of webinar failed", e);
        assertThat(line).contains("Pull of webinar failed", "VALUES (('5'::int8), ('g***@example.com'))",
                "Key (product, lower(email))=(webinar, g***@example.com)", "at io.gotomautic.bridge.ops.LogLayoutTest")
                .doesNotContain("grace15");
        assertThat(line.split("java.lang.RuntimeException", -1)).as("the trace written once").hasSize(2);
    }
}
