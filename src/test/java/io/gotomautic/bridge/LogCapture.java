package io.gotomautic.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the service in this JVM logs while a test class runs, as the console would show it (level, logger, message and
 * any exception), at the levels the packed log4j2.properties lets through.
 */
public final class LogCapture implements BeforeAllCallback, AfterAllCallback {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private AbstractAppender appender;

    @Override
    public void beforeAll(ExtensionContext context) {
        appender = new AbstractAppender("capture-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent e) {
                StringBuilder line = new StringBuilder(e.getLevel() + " " + e.getLoggerName() + " - "
                        + e.getMessage().getFormattedMessage());
                for (Throwable t = e.getThrown(); t != null; t = t.getCause()) {
                    line.append(" | ").append(t);
                }
                lines.add(line.toString());
            }
        };
        appender.start();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().addAppender(appender, null, null);
        ctx.updateLoggers();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().removeAppender(appender.getName());
        ctx.updateLoggers();
        appender.stop();
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The lines at one level ({@code "WARN"}, {@code "ERROR"}) that contain {@code text}. */
    public List<String> at(String level, String text) {
        return lines.stream().filter(l -> l.startsWith(level + " ") && l.contains(text)).toList();
    }

    /** None of the values (secrets, start links, email addresses, in any letter case) is in any line. */
    public void containsNoneOf(Collection<String> values) {
        String all = String.join("\n", lines).toLowerCase(java.util.Locale.ROOT);
        for (String v : values) {
            assertThat(all).as("the log carries %s", v).doesNotContain(v.toLowerCase(java.util.Locale.ROOT));
        }
    }
}
