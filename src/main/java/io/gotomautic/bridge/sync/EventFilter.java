package io.gotomautic.bridge.sync;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.config.SettingsException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.support.DefaultExchange;

/**
 * The events each product's poll takes, and registrations may name: {@code bridge.pull.<product>.filter}, a Simple
 * predicate over the event seen as a {@code java.util.Map} with {@code key}, {@code title}, {@code startsAt},
 * {@code endsAt} (ISO-8601 UTC, or null) and {@code organizerKey}, e.g. {@code ${body[title]} not contains
 * '[internal]'}. Empty: every event.
 */
public class EventFilter {

    private final CamelContext camel;
    private final Map<String, Predicate> predicates = new HashMap<>();
    private final Map<String, String> expressions = new HashMap<>();
    private final Supplier<String> organizerKey;

    /** @param organizerKey the GoTo organizer whose events these are (looked up once per connection) */
    public EventFilter(CamelContext camel, Settings settings, Supplier<String> organizerKey) {
        this.camel = camel;
        this.organizerKey = organizerKey;
        for (String product : Settings.PRODUCTS) {
            String key = key(product);
            Optional<String> expression = settings.optional(key);
            if (expression.isPresent()) {
                try {
                    predicates.put(product, camel.resolveLanguage("simple").createPredicate(expression.get()));
                } catch (RuntimeException e) {
                    throw new SettingsException(key, "is not a Simple predicate over the event (e.g. ${body[title]} not contains"
                            + " '[internal]'): " + e.getMessage());
                }
                expressions.put(product, expression.get());
            }
        }
    }

    public static String key(String product) {
        return "bridge.pull." + product + ".filter";
    }

    /** Whether the product's filter takes the event (every event when it has none). */
    public boolean accepts(String product, String key, String title, Instant startsAt, Instant endsAt) {
        return predicates.get(product) == null || accepts(product, new EventRef(key, title, startsAt, endsAt).asMap(organizerKey.get()));
    }

    /** The same for an event of a pull route ({@link EventRef#asMap}): the pull's filter step. */
    public boolean accepts(String product, Map<String, Object> event) {
        Predicate predicate = predicates.get(product);
        if (predicate == null) {
            return true;
        }
        Exchange exchange = new DefaultExchange(camel);
        exchange.getIn().setBody(event);
        return predicate.matches(exchange);
    }

    /** What a refused event is told: the setting and its predicate. */
    public String rule(String product) {
        return key(product) + " (" + expressions.get(product) + ")";
    }
}
