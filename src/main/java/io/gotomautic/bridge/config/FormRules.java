package io.gotomautic.bridge.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * How Mautic forms register people, per form id or alias, from {@code bridge.forms.<form>.<key>}: the product and
 * event (fixed, or named by a form field), the form fields holding email and names, the form fields that answer
 * the event's registration questions, and the confirmation email. A form without keys keeps the zero-config
 * behaviour: a {@code goto_webinar} or {@code goto_training} field names the event.
 */
public final class FormRules {

    private static final String PREFIX = "bridge.forms.";
    private static final Set<String> KEYS = Set.of("product", "event-key", "event-field", "email-field", "firstname-field",
            "lastname-field", "email-id");

    /**
     * One form's rule; every field alias has its default.
     *
     * @param questions registration question key (GoTo's questionKey, or a standard field such as organization) → form field alias
     */
    public record Rule(String form, Optional<String> product, Optional<String> eventKey, Optional<String> eventField,
                       String emailField, String firstnameField, String lastnameField, Map<String, String> questions,
                       Optional<Long> emailId) {
    }

    /** The zero-config rule: names and email under Mautic's usual aliases, the event from goto_webinar/goto_training. */
    public static final Rule DEFAULT = new Rule("", Optional.empty(), Optional.empty(), Optional.empty(), "email", "firstname",
            "lastname", Map.of(), Optional.empty());

    private final Map<String, Rule> rules;

    private FormRules(Map<String, Rule> rules) {
        this.rules = rules;
    }

    /** @throws SettingsException naming the first bad key */
    public static FormRules of(Settings settings) {
        Map<String, Map<String, String>> byForm = new TreeMap<>();
        settings.under(PREFIX).forEach((rest, value) -> {
            int dot = rest.indexOf('.');
            if (dot <= 0) {
                throw new SettingsException(PREFIX + rest, "name a form and a key: " + PREFIX + "<form id or alias>.<key>");
            }
            byForm.computeIfAbsent(rest.substring(0, dot), f -> new TreeMap<>()).put(rest.substring(dot + 1), value);
        });
        Map<String, Rule> rules = new LinkedHashMap<>();
        byForm.forEach((form, keys) -> rules.put(form, rule(form, keys)));
        return new FormRules(rules);
    }

    private static Rule rule(String form, Map<String, String> keys) {
        Map<String, String> questions = new LinkedHashMap<>();
        keys.forEach((key, value) -> {
            if (key.startsWith("question.") && key.length() > "question.".length()) {
                if (value.isBlank()) {
                    throw new SettingsException(PREFIX + form + "." + key, "name the form field that answers the question");
                }
                questions.put(key.substring("question.".length()), value);
            } else if (!KEYS.contains(key)) {
                throw new SettingsException(PREFIX + form + "." + key, "unknown key; a form takes "
                        + String.join(", ", new java.util.TreeSet<>(KEYS)) + " and question.<question key>");
            }
        });
        Optional<String> product = present(keys, "product");
        product.filter(p -> !p.equals("webinar") && !p.equals("training")).ifPresent(p -> {
            throw new SettingsException(PREFIX + form + ".product", "\"" + p + "\" is neither webinar nor training");
        });
        Optional<Long> emailId = present(keys, "email-id").map(v -> {
            try {
                long id = Long.parseLong(v);
                if (id > 0) {
                    return id;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new SettingsException(PREFIX + form + ".email-id", "\"" + v + "\" is not the id of a Mautic email");
        });
        Optional<String> eventKey = present(keys, "event-key");
        if (eventKey.isPresent() && product.isEmpty()) {
            throw new SettingsException(PREFIX + form + ".event-key", "a fixed event needs " + PREFIX + form + ".product");
        }
        return new Rule(form, product, eventKey, present(keys, "event-field"),
                present(keys, "email-field").orElse(DEFAULT.emailField()),
                present(keys, "firstname-field").orElse(DEFAULT.firstnameField()),
                present(keys, "lastname-field").orElse(DEFAULT.lastnameField()), Map.copyOf(questions), emailId);
    }

    private static Optional<String> present(Map<String, String> keys, String key) {
        return Optional.ofNullable(keys.get(key)).map(String::trim).filter(v -> !v.isEmpty());
    }

    /** The rule of a form, looked up by its id, then its alias; the zero-config rule when neither is configured. */
    public Rule forForm(String id, String alias) {
        Rule r = rules.get(id);
        if (r == null && alias != null) {
            r = rules.get(alias);
        }
        return r == null ? DEFAULT : r;
    }
}
