package io.gotomautic.bridge.config;

import java.util.Arrays;
import java.util.List;

/**
 * The parts of the service that need credentials. A part with none configured is simply not started, so the
 * service runs with nothing configured; a part configured by halves is a configuration error.
 */
public final class Parts {

    /** One part, and the line the log and {@code status} say about it. */
    public record Part(String name, boolean configured, String line) {
    }

    private Parts() {
    }

    public static List<Part> of(Settings s) {
        return List.of(
                all(s, "GoTo API", "polling and registration", "goto.client-id", "goto.client-secret"),
                mautic(s),
                all(s, "Mautic webhooks", "POST /webhooks/mautic", "mautic.webhook-secret"),
                all(s, "Campaign hooks", "POST /hooks/campaign", "bridge.inbound-token"),
                all(s, "Admin console", "/admin", "bridge.admin.username", "bridge.admin.password"));
    }

    public static boolean configured(Settings s, String name) {
        return of(s).stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow().configured();
    }

    private static Part mautic(Settings s) {
        if (s.optional("mautic.url").isEmpty()) {
            return new Part("Mautic API", false, "Mautic API: not configured (mautic.url is empty): nothing is written to Mautic");
        }
        Part creds = s.get("mautic.auth").equals("oauth2")
                ? all(s, "Mautic API", "", "mautic.client-id", "mautic.client-secret")
                : all(s, "Mautic API", "", "mautic.username", "mautic.password");
        if (!creds.configured()) {
            String missing = s.get("mautic.auth").equals("oauth2") ? "mautic.client-id and mautic.client-secret" : "mautic.username and mautic.password";
            throw new SettingsException("mautic.url", "is set but " + missing + " are empty (mautic.auth = " + s.get("mautic.auth") + ")");
        }
        return new Part("Mautic API", true, "Mautic API: " + s.get("mautic.url") + " (" + s.get("mautic.auth") + " auth)");
    }

    private static Part all(Settings s, String name, String what, String... keys) {
        long set = Arrays.stream(keys).filter(k -> s.optional(k).isPresent()).count();
        if (set == keys.length) {
            return new Part(name, true, name + ": configured" + (what.isEmpty() ? "" : " (" + what + " on)"));
        }
        if (set > 0) {
            List<String> missing = Arrays.stream(keys).filter(k -> s.optional(k).isEmpty()).toList();
            throw new SettingsException(String.join(", ", missing), (missing.size() == 1 ? "is" : "are")
                    + " empty, but the " + name + " needs all of " + String.join(", ", keys));
        }
        return new Part(name, false, name + ": not configured (" + String.join(", ", keys)
                + (keys.length == 1 ? " is" : " are") + " empty): " + what + " off");
    }
}
