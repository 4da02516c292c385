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
 * {@code state} (registered, attended, no-show, cancelled) and {@code stateTag} (the state without its dash);
 * {@code bridge.mautic.segment-states}: the states that have segments.
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
        segment(sample, RegistrationState.REGISTERED.label());
        tag(sample, RegistrationState.NO_SHOW.label());
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
        return name(segment, event, state, "bridge.mautic.segment-name");
    }

    public String tag(Event event, String state) {
        return name(tag, event, state, "bridge.mautic.tag");
    }

    private String name(Expression template, Event event, String state, String key) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("product", event.product());
        body.put("productName", PRODUCTS.get(event.product()));
        body.put("eventKey", event.key());
        body.put("eventTitle", event.title());
        body.put("eventStart", event.start());
        body.put("eventDate", event.start() == null ? "" : event.start().substring(0, 10));
        body.put("state", state);
        body.put("stateTag", state.replace("-", ""));
        Exchange exchange = new DefaultExchange(camel);
        exchange.getIn().setBody(body);
        String name;
        try {
            name = template.evaluate(exchange, String.class);
        } catch (RuntimeException e) {
            throw new SettingsException(key, "cannot name " + event.product() + " " + event.key() + " (" + state + "): "
                    + e.getMessage());
        }
        if (name == null || name.isBlank()) {
            throw new SettingsException(key, "gives an empty name for " + event.product() + " " + event.key() + " (" + state + ")");
        }
        return name.trim();
    }
}
