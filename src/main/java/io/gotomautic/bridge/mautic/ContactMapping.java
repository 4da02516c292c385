package io.gotomautic.bridge.mautic;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gotomautic.bridge.change.Change;
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.config.SettingsException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.support.DefaultExchange;

/**
 * {@code bridge.mautic.map.<mautic field alias> = <source>}: contact fields the push fills from each change, besides
 * its own goto_* fields. A source is a Simple expression over the change (it holds {@code ${…}}, e.g.
 * {@code ${body[eventTitle]}}), {@code question:<question text>} (the registrant's answer to that registration
 * question, case-insensitive), or the name of one of the registrant's GoTo fields ({@code organization},
 * {@code jobTitle}, {@code phone}, {@code country}, …). A value the change does not have leaves the field as it is.
 *
 * <p>The keys come from the settings and from the {@code *.properties} files of the routes folder (its value where a key
 * is in both), so a mapping is part of the flow an integrator edits there: with reload on, {@link MappingReload} applies
 * an edit of those files to the changes pushed from then on.
 */
public class ContactMapping {

    static final String PREFIX = "bridge.mautic.map.";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };
    /** Fields of the change itself: mapping one needs no registrant detail. */
    private static final Set<String> CHANGE_FIELDS = Set.of("email", "firstName", "lastName", "registrantKey", "joinUrl");

    /** Where a field's value comes from. */
    private sealed interface Source permits GoToField, Question, Simple {
        Object value(Change change, Exchange asMap);
    }

    private record GoToField(String name) implements Source {
        @Override
        public Object value(Change change, Exchange asMap) {
            return switch (name) {
                case "email" -> change.email();
                case "firstName" -> change.firstName();
                case "lastName" -> change.lastName();
                case "registrantKey" -> change.registrantKey();
                case "joinUrl" -> change.joinUrl();
                default -> change.details().get(name);
            };
        }
    }

    private record Question(String text) implements Source {
        @Override
        public Object value(Change change, Exchange asMap) {
            return change.answers().stream().filter(a -> a.question() != null && a.question().trim().equalsIgnoreCase(text))
                    .map(Change.Answer::answer).reduce((a, b) -> b).orElse(null);
        }
    }

    private record Simple(Expression expression) implements Source {
        @Override
        public Object value(Change change, Exchange asMap) {
            return expression.evaluate(asMap, Object.class);
        }
    }

    private final CamelContext camel;
    private final Settings settings;
    private final Path routes;
    /** Replaced whole on a reload: a push reads one mapping, never half of two. */
    private volatile Map<String, Source> fields;

    private ContactMapping(CamelContext camel, Settings settings, Path routes) {
        this.camel = camel;
        this.settings = settings;
        this.routes = routes;
        this.fields = read(sources());
    }

    /** The mapping of the settings and of the {@code *.properties} files in {@code camel.main.routes-reload-directory}. */
    public static ContactMapping of(Settings settings, CamelContext camel) {
        return new ContactMapping(camel, settings, Path.of(settings.get("camel.main.routes-reload-directory")));
    }

    /**
     * Reads the routes folder's files again and returns the sources by alias; a file that does not parse, or a
     * mapping the settings cannot serve, leaves the mapping as it was (the exception says why).
     */
    public Map<String, String> reload() {
        Map<String, Entry> sources = sources();
        fields = read(sources);
        Map<String, String> applied = new LinkedHashMap<>();
        sources.forEach((alias, e) -> applied.put(alias, e.source()));
        return applied;
    }

    private Map<String, Source> read(Map<String, Entry> sources) {
        Map<String, Source> read = parse(camel, sources);
        if (needsDetails(read)) {
            // the detail calls need a share of each account's limit: refused here, not at the first poll
            settings.enrichBudget();
        }
        return read;
    }

    public Path routes() {
        return routes;
    }

    /** A mapped field's source, and where it is set, as an error names it. */
    private record Entry(String source, String where) { }

    /** The settings' mapping, then the routes folder's files in name order: the last to name a field wins. */
    private Map<String, Entry> sources() {
        Map<String, Entry> sources = new LinkedHashMap<>();
        settings.under(PREFIX).forEach((alias, source) -> sources.put(alias, new Entry(source, PREFIX + alias)));
        if (!Files.isDirectory(routes)) {
            return sources;
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(routes)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".properties") && Files.isRegularFile(f)).sorted().toList();
        } catch (IOException e) {
            throw new SettingsException(routes.toString(), "cannot be listed: " + e.getMessage());
        }
        for (Path file : files) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw new SettingsException(file.toString(), "cannot be read: " + e.getMessage());
            }
            for (String key : p.stringPropertyNames()) {
                if (!key.startsWith(PREFIX)) {
                    // read at start only, it would look applied by a reload and not be: the routes folder holds the mapping alone
                    throw new SettingsException(file + ": " + key, "is not read from the routes folder, only " + PREFIX
                            + "* keys are: put it in application.properties");
                }
                sources.put(key.substring(PREFIX.length()), new Entry(p.getProperty(key), file + ": " + key));
            }
        }
        return sources;
    }

    private static Map<String, Source> parse(CamelContext camel, Map<String, Entry> sources) {
        Map<String, Source> fields = new LinkedHashMap<>();
        sources.forEach((alias, entry) -> {
            String s = entry.source().trim();
            if (s.isEmpty()) {
                return;
            }
            if (!alias.matches("[a-z][a-z0-9_]*")) {
                throw new SettingsException(entry.where(), "names a Mautic contact field alias: lower-case letters, digits and _");
            }
            if (s.contains("${")) {
                try {
                    fields.put(alias, new Simple(camel.resolveLanguage("simple").createExpression(s)));
                } catch (RuntimeException e) {
                    throw new SettingsException(entry.where(), "is not a Simple expression over the change: " + e.getMessage());
                }
            } else if (s.toLowerCase(Locale.ROOT).startsWith("question:")) {
                fields.put(alias, new Question(s.substring("question:".length()).trim()));
            } else {
                fields.put(alias, new GoToField(s));
            }
        });
        return Collections.unmodifiableMap(fields);
    }

    /** The Mautic fields mapped, to create when Mautic lacks them. */
    public Set<String> aliases() {
        return fields.keySet();
    }

    /** Whether a source needs the registrant's GoTo detail (answers, organization, …), which the listings lack. */
    public boolean needsDetails() {
        return needsDetails(fields);
    }

    private static boolean needsDetails(Map<String, Source> fields) {
        return fields.values().stream().anyMatch(s -> s instanceof Question || s instanceof GoToField f && !CHANGE_FIELDS.contains(f.name()));
    }

    /** The mapped fields' values for the change's contact; a field without a value is left out. */
    public Map<String, Object> values(Change change) {
        Map<String, Source> fields = this.fields;
        if (fields.isEmpty()) {
            return Map.of();
        }
        Exchange asMap = null;
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, Source> f : fields.entrySet()) {
            if (f.getValue() instanceof Simple && asMap == null) {
                asMap = new DefaultExchange(camel);
                asMap.getIn().setBody(JSON.convertValue(change, MAP));
            }
            Object value = f.getValue().value(change, asMap);
            if (value != null && !String.valueOf(value).isBlank()) {
                values.put(f.getKey(), value);
            }
        }
        return values;
    }
}
