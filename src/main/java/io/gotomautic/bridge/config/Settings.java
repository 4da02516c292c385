package io.gotomautic.bridge.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The service's configuration: the defaults packed in the jar, then {@code application.properties} of the
 * working directory, then environment variables, then system properties; the last one that names a key wins.
 * Every typed key is checked once, at load, so a bad value stops start-up with one line naming it.
 */
public final class Settings {

    public static final List<String> PRODUCTS = List.of("webinar", "training", "meeting", "assist");

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** The settings of a process started in {@code workDir}. */
    public static Settings load(Path workDir) {
        return load(workDir.resolve("application.properties"), System.getenv(), System.getProperties(), Map.of());
    }

    /**
     * @param file      the operator's properties file; absent is fine (the packed defaults apply)
     * @param overrides applied last, e.g. by a test or by the sandbox
     */
    public static Settings load(Path file, Map<String, String> env, Properties system, Map<String, String> overrides) {
        Map<String, String> v = new LinkedHashMap<>();
        try (InputStream defaults = Settings.class.getResourceAsStream("/application.properties")) {
            if (defaults != null) {
                putAll(v, read(new java.io.InputStreamReader(defaults, StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new SettingsException("application.properties", "cannot read the packed defaults: " + e.getMessage());
        }
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                putAll(v, read(r));
            } catch (IOException e) {
                throw new SettingsException(file.toString(), "cannot be read: " + e.getMessage());
            }
        }
        for (String key : List.copyOf(v.keySet())) {
            String fromEnv = env.get(envName(key));
            if (fromEnv != null) {
                v.put(key, fromEnv.trim());
            }
        }
        for (String name : system.stringPropertyNames()) {
            if (v.containsKey(name) || isOurs(name)) {
                v.put(name, system.getProperty(name).trim());
            }
        }
        overrides.forEach((k, val) -> v.put(k, val == null ? "" : val.trim()));
        Settings s = new Settings(v);
        s.validate();
        return s;
    }

    /** {@code goto.rate-limit} → {@code GOTO_RATE_LIMIT}. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static boolean isOurs(String key) {
        return key.startsWith("goto.") || key.startsWith("mautic.") || key.startsWith("bridge.")
                || key.startsWith("camel.") || key.startsWith("sandbox.");
    }

    private static Properties read(Reader r) throws IOException {
        Properties p = new Properties();
        p.load(r);
        return p;
    }

    private static void putAll(Map<String, String> into, Properties p) {
        for (String name : p.stringPropertyNames()) {
            into.put(name, p.getProperty(name).trim());
        }
    }

    private void validate() {
        rateLimit();
        burstLimit();
        RateLimit.parse("bridge.enrich.budget", get("bridge.enrich.budget"));
        url("goto.api-url");
        url("goto.auth-url");
        optionalUrl("mautic.url");
        port("bridge.http.port");
        if (get("bridge.http.host").isBlank()) {
            throw new SettingsException("bridge.http.host", "is empty; 0.0.0.0 listens on every interface, 127.0.0.1 on this machine only");
        }
        port("bridge.db.embedded-port");
        port("sandbox.goto-port");
        port("sandbox.mautic-port");
        positive("bridge.db.pool-size");
        duration("bridge.retention");
        duration("bridge.window.past");
        duration("bridge.window.future");
        duration("bridge.settle-after");
        duration("bridge.cancel-after");
        duration("bridge.push.interval");
        duration("bridge.http.timeout");
        duration("bridge.campaign.dedupe-window");
        duration("bridge.webhooks.contact-delay");
        positive("bridge.push.batch");
        bool("bridge.timeline.utm");
        bool("bridge.timeline.notes");
        for (String product : PRODUCTS) {
            pollInterval(product);
        }
        optional("bridge.poll.webinar.with-webhooks").ifPresent(v -> duration("bridge.poll.webinar.with-webhooks"));
        String auth = get("mautic.auth");
        if (!auth.equals("basic") && !auth.equals("oauth2")) {
            throw new SettingsException("mautic.auth", "\"" + auth + "\" is neither basic nor oauth2");
        }
        optional("bridge.db.url").ifPresent(url -> {
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new SettingsException("bridge.db.url", "\"" + url + "\" is not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database)");
            }
        });
        Parts.of(this);
        FormRules.of(this);
        optional("bridge.organizer-email").filter(e -> !EmailAddress.valid(e)).ifPresent(e -> {
            throw new SettingsException("bridge.organizer-email", "\"" + e + "\" is not an email address");
        });
    }

    /** The value, or the empty string when the key is unknown. */
    public String get(String key) {
        return values.getOrDefault(key, "");
    }

    /** The value when it is not blank. */
    public Optional<String> optional(String key) {
        String v = get(key);
        return v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    public RateLimit rateLimit() {
        return RateLimit.parse("goto.rate-limit", get("goto.rate-limit"));
    }

    /** GoTo's own per-second limit, kept besides {@code goto.rate-limit} so a full budget is not spent in one burst. */
    public RateLimit burstLimit() {
        return RateLimit.parse("goto.burst-limit", get("goto.burst-limit"));
    }

    /**
     * The registrant detail calls the polls may make per GoTo connection, out of {@link #rateLimit()}; asked for only
     * when a mapping needs the detail.
     */
    public RateLimit enrichBudget() {
        RateLimit budget = RateLimit.parse("bridge.enrich.budget", get("bridge.enrich.budget"));
        RateLimit all = rateLimit();
        if (budget.calls() * all.period().toMillis() >= (long) all.calls() * budget.period().toMillis()) {
            throw new SettingsException("bridge.enrich.budget", budget + " leaves nothing of goto.rate-limit (" + all
                    + ") to the polls and registrations; give it a share, e.g. 30/60s of 100/60s");
        }
        return budget;
    }

    public Duration pollInterval(String product) {
        return duration("bridge.poll." + product);
    }

    public Duration duration(String key) {
        return Durations.parse(key, get(key));
    }

    public boolean bool(String key) {
        String v = get(key);
        if (!v.equals("true") && !v.equals("false")) {
            throw new SettingsException(key, "\"" + v + "\" is neither true nor false");
        }
        return Boolean.parseBoolean(v);
    }

    public int port(String key) {
        int p = integer(key);
        if (p < 0 || p > 65535) {
            throw new SettingsException(key, p + " is not a TCP port (0-65535)");
        }
        return p;
    }

    public int positive(String key) {
        int n = integer(key);
        if (n < 1) {
            throw new SettingsException(key, "must be at least 1, not " + n);
        }
        return n;
    }

    private int integer(String key) {
        try {
            return Integer.parseInt(get(key));
        } catch (NumberFormatException e) {
            throw new SettingsException(key, "\"" + get(key) + "\" is not a whole number");
        }
    }

    public URI url(String key) {
        String text = get(key);
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new SettingsException(key, "\"" + text + "\" is not an http(s) URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new SettingsException(key, "\"" + text + "\" is not a URL: " + e.getReason());
        }
    }

    public Optional<URI> optionalUrl(String key) {
        return optional(key).map(x -> url(key));
    }

    /** The keys that start with {@code prefix}, without it, e.g. {@code bridge.forms.} → {@code 12.product}. */
    public Map<String, String> under(String prefix) {
        Map<String, String> found = new java.util.TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                found.put(k.substring(prefix.length()), v);
            }
        });
        return found;
    }

    /** Every key and value, for Camel's property placeholders. */
    /** bridge.public-url without a trailing slash, or the local address when it is empty. */
    public String publicUrl() {
        return optional("bridge.public-url").orElse("http://localhost:" + port("bridge.http.port")).replaceAll("/+$", "");
    }

    /** Whether the bridge subscribes to GoToWebinar's webhooks: goto.webhooks.enabled, or when empty, bridge.public-url set. */
    public boolean goToWebhooks() {
        return optional("goto.webhooks.enabled").map(v -> bool("goto.webhooks.enabled"))
                .orElse(optional("bridge.public-url").isPresent());
    }

    /**
     * Keys whose values are secrets. Camel never gets them: the routes do not need them, and Camel shows its properties
     * to whoever reads its state (Jolokia, and the CLI connector's status file under ~/.camel).
     */
    static final Set<String> SECRETS = Set.of("goto.client-secret", "goto.refresh-token", "bridge.secret-key", "mautic.password",
            "mautic.client-secret", "mautic.webhook-secret", "bridge.inbound-token", "bridge.admin.password", "bridge.db.password");

    /** The settings as Camel's properties, secrets left out ({@link #SECRETS}). */
    public Properties asProperties() {
        Properties p = new Properties();
        values.forEach((key, value) -> {
            if (!SECRETS.contains(key)) {
                p.put(key, value);
            }
        });
        return p;
    }

    /** A copy with some keys changed; the result is checked like a loaded one. */
    public Settings with(Map<String, String> changes) {
        Map<String, String> v = new LinkedHashMap<>(values);
        v.putAll(changes);
        Settings s = new Settings(v);
        s.validate();
        return s;
    }
}
