package io.gotomautic.bridge.mautic;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.config.SettingsException;
import io.gotomautic.bridge.sync.RegistrationState;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.support.DefaultExchange;

/**
 * The names of the managed segments and tags: {@code bridge.mautic.segment-name} and {@code bridge.mautic.tag}, Simple
 * templates over the event of a change and a state, seen as a Map with {@code product}, {@code productName}
 * (GoToWebinar…), {@code eventKey}, {@code eventTitle}, {@code eventStart}, {@code eventDate} (yyyy-mm-dd),
 * {@code type} and {@code state} (the change's type: registered, attended, no-show, cancelled) and {@code stateTag}
 * (the state without its dash): the change's fields that one segment's members share, so a template naming another
 * ({@code email}…) stops the start; {@code bridge.mautic.segment-states}: the states that have segments.
 */
public class Naming {

    static final Map<String, String> PRODUCTS = Map.of("webinar", "GoToWebinar", "training", "GoToTraining",
            "meeting", "GoToMeeting", "assist", "GoToAssist");

    /** One event of one product, as a segment's or tag's name sees it. */
    public record Event(String product, String key, String title, String start) {
    }

    private final CamelContext camel;
    private final Expression segment;
    private final Expression tag;
    private final Set<String> segmentStates;

    public Naming(CamelContext camel, Settings settings) {
        this.camel = camel;
        this.segment = template(camel, settings, "bridge.mautic.segment-name");
        this.tag = template(camel, settings, "bridge.mautic.tag");
        List<String> states = List.of(settings.get("bridge.mautic.segment-states").split("\\s*,\\s*")).stream()
                .filter(s -> !s.isBlank()).toList();
        for (String s : states) {
            try {
                RegistrationState.of(s);
            } catch (IllegalArgumentException e) {
                throw new SettingsException("bridge.mautic.segment-states", "lists states among registered, attended, no-show"
                        + " and cancelled, not " + s);
            }
        }
        this.segmentStates = Set.copyOf(states);
        // a template that cannot name an event stops the start, naming the setting, rather than holding the push later
        Event sample = new Event("webinar", "1234567890", "Quarterly update", "2026-06-15T15:00:00Z");
        name(segment, new Fields(fields(sample, RegistrationState.REGISTERED.label()), "bridge.mautic.segment-name"),
                "bridge.mautic.segment-name");
        name(tag, new Fields(fields(sample, RegistrationState.NO_SHOW.label()), "bridge.mautic.tag"), "bridge.mautic.tag");
    }

    /** The fields a name is made of; asked for one it lacks, it says which it has (at start, with the sample). */
    private static final class Fields extends LinkedHashMap<String, Object> {
        private final String key;

        Fields(Map<String, Object> fields, String key) {
            super(fields);
            this.key = key;
        }

        @Override
        public Object get(Object field) {
            if (!containsKey(field)) {
                throw new SettingsException(key, "names " + field + ", which a segment's or tag's name cannot have (it is the"
                        + " same for everyone in the event and state); it can use " + String.join(", ", keySet()));
            }
            return super.get(field);
        }
    }

    private static Expression template(CamelContext camel, Settings settings, String key) {
        try {
            return camel.resolveLanguage("simple").createExpression(settings.get(key));
        } catch (RuntimeException e) {
            throw new SettingsException(key, "is not a Simple template over the event and state: " + e.getMessage());
        }
    }

    /** Whether the state has a managed segment. */
    public boolean segmented(String state) {
        return segmentStates.contains(state);
    }

    public String segment(Event event, String state) {
        return name(segment, fields(event, state), "bridge.mautic.segment-name");
    }

    public String tag(Event event, String state) {
        return name(tag, fields(event, state), "bridge.mautic.tag");
    }

    private static Map<String, Object> fields(Event event, String state) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("product", event.product());
        body.put("productName", PRODUCTS.get(event.product()));
        body.put("eventKey", event.key());
        body.put("eventTitle", event.title());
        body.put("eventStart", event.start());
        body.put("eventDate", event.start() == null ? "" : event.start().substring(0, 10));
        body.put("type", state);
        body.put("state", state);
        body.put("stateTag", state.replace("-", ""));
        return body;
    }

    private String name(Expression template, Map<String, Object> fields, String key) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getIn().setBody(fields);
        String name;
        String what = fields.get("product") + " " + fields.get("eventKey") + " (" + fields.get("state") + ")";
        try {
            name = template.evaluate(exchange, String.class);
        } catch (RuntimeException e) {
            // what the fields threw, as Camel may have wrapped it
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SettingsException named) {
                    throw named;
                }
            }
            throw new SettingsException(key, "cannot name " + what + ": " + e.getMessage());
        }
        if (name == null || name.isBlank()) {
            throw new SettingsException(key, "gives an empty name for " + what);
        }
        return name.trim();
    }
}
