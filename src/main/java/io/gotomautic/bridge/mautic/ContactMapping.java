package io.gotomautic.bridge.mautic;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
    private final Map<String, Source> fields;

    private ContactMapping(CamelContext camel, Map<String, Source> fields) {
        this.camel = camel;
        this.fields = fields;
    }

    public static ContactMapping of(Settings settings, CamelContext camel) {
        Map<String, Source> fields = new LinkedHashMap<>();
        settings.under(PREFIX).forEach((alias, source) -> {
            String s = source.trim();
            if (s.isEmpty()) {
                return;
            }
            if (!alias.matches("[a-z][a-z0-9_]*")) {
                throw new SettingsException(PREFIX + alias, "names a Mautic contact field alias: lower-case letters, digits and _");
            }
            if (s.contains("${")) {
                try {
                    fields.put(alias, new Simple(camel.resolveLanguage("simple").createExpression(s)));
                } catch (RuntimeException e) {
                    throw new SettingsException(PREFIX + alias, "is not a Simple expression over the change: " + e.getMessage());
                }
            } else if (s.toLowerCase(Locale.ROOT).startsWith("question:")) {
                fields.put(alias, new Question(s.substring("question:".length()).trim()));
            } else {
                fields.put(alias, new GoToField(s));
            }
        });
        return new ContactMapping(camel, fields);
    }

    /** The Mautic fields mapped, to create when Mautic lacks them. */
    public Set<String> aliases() {
        return fields.keySet();
    }

    /** Whether a source needs the registrant's GoTo detail (answers, organization, …), which the listings lack. */
    public boolean needsDetails() {
        return fields.values().stream().anyMatch(s -> s instanceof Question || s instanceof GoToField f && !CHANGE_FIELDS.contains(f.name()));
    }

    /** The mapped fields' values for the change's contact; a field without a value is left out. */
    public Map<String, Object> values(Change change) {
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
