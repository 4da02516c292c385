package io.gotomautic.bridge.sync;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.config.SettingsException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.support.DefaultExchange;

/**
 * The events each product's poll takes, and registrations may name: {@code bridge.pull.<product>.filter}, a Simple
 * predicate over the event seen as a {@code java.util.Map} with {@code key}, {@code title}, {@code startsAt},
 * {@code endsAt} (ISO-8601 UTC, or null), {@code organizerKey} and {@code account} (the GoTo account's name), e.g. {@code ${body[title]} not contains
 * '[internal]'}. Empty: every event.
 */
public class EventFilter {

    private final CamelContext camel;
    private final Map<String, Predicate> predicates = new HashMap<>();
    private final Map<String, String> expressions = new HashMap<>();

    public EventFilter(CamelContext camel, Settings settings) {
        this.camel = camel;
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

    /** Whether the product has a filter: only then need its event be read to decide. */
    public boolean filters(String product) {
        return predicates.containsKey(product);
    }

    /** Whether the product's filter takes the event of this organizer and account (every event when it has none). */
    public boolean accepts(String product, EventRef event, String organizerKey, String account) {
        return predicates.get(product) == null || accepts(product, event.asMap(organizerKey, account));
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
