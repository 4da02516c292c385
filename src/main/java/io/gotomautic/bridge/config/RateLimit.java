package io.gotomautic.bridge.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A number of calls allowed per period, written {@code 100/60s}. */
public record RateLimit(int calls, Duration period) {

    private static final Pattern FORM = Pattern.compile("\\s*(\\d+)\\s*/\\s*(\\S+)\\s*");

    public static RateLimit parse(String key, String text) {
        Matcher m = FORM.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new SettingsException(key, "\"" + text + "\" is not a rate; write <calls>/<duration>, e.g. 100/60s");
        }
        int calls;
        try {
            calls = Integer.parseInt(m.group(1));
        } catch (NumberFormatException e) {
            throw new SettingsException(key, "\"" + m.group(1) + "\" calls is too large");
        }
        if (calls < 1) {
            throw new SettingsException(key, "the number of calls must be at least 1, not " + calls);
        }
        return new RateLimit(calls, Durations.parse(key, m.group(2)));
    }

    @Override
    public String toString() {
        return calls + "/" + Durations.format(period);
    }
}
