package io.gotomautic.bridge.ops;

import java.net.URI;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.gotomautic.bridge.change.Change;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/**
 * The bridge's own series, counted in this process: changes found and pushed per type, calls to GoTo per product
 * and operation and to Mautic per kind, with their 429s, and each subscription's lag and dead letters. Kept in one composite
 * registry that the service publishes to {@code /metrics} (Prometheus) and to JMX once Camel has started; counted
 * before that, or in a command that publishes nowhere, they go nowhere.
 */
public final class Meters {

    /** A key or id in a path ({@code /webinars/7480956961828841115}): one operation whatever the key. */
    private static final Pattern KEY = Pattern.compile("/\\d+(?=/|$)");

    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();

    /** Publishes every series, those counted already and those to come, to {@code target}. */
    public void publishTo(MeterRegistry target) {
        registry.add(target);
    }

    /** A change committed: found by a poll, or made by a registration. */
    public void found(Change c) {
        registry.counter("bridge.changes.found", "type", c.type().label(), "product", c.product(), "source", c.source().label())
                .increment();
    }

    /** A change in Mautic. */
    public void pushed(Change c) {
        registry.counter("bridge.changes.pushed", "type", c.type().label(), "product", c.product()).increment();
    }

    /**
     * One HTTP call answered, by {@code client} ({@code goto} or {@code mautic}); {@code status} 0 when no answer came.
     * GoTo's calls are told apart by GoTo account ({@code -} for the token endpoint's), product ({@code /G2W} webinar,
     * {@code /G2T} training, {@code /G2M} meeting, {@code /G2A} assist, the rest account) and operation, Mautic's by
     * kind: the method and the path with its keys as {@code {key}}.
     */
    public void call(String client, String account, String method, String url, int status) {
        String path = KEY.matcher(URI.create(url).getRawPath()).replaceAll("/{key}");
        String operation = method + " " + path;
        String outcome = status == 0 ? "no answer" : (status / 100) + "xx";
        if (client.equals("goto")) {
            String product = product(path);
            String of = account == null ? "-" : account;
            registry.counter("bridge.goto.calls", "account", of, "product", product, "operation", operation, "outcome", outcome)
                    .increment();
            if (status == 429) {
                registry.counter("bridge.goto.throttled", "account", of, "product", product).increment();
            }
        } else {
            registry.counter("bridge.mautic.calls", "kind", operation, "outcome", outcome).increment();
            if (status == 429) {
                registry.counter("bridge.mautic.throttled").increment();
            }
        }
    }

    /** A subscription's lag (its changes committed and not yet delivered) and its dead letters. */
    public void subscription(String name, Supplier<Number> lag, Supplier<Number> dead) {
        Gauge.builder("bridge.subscription.lag", lag).description("Changes committed that the subscription has not delivered yet")
                .tag("subscription", name).register(registry);
        Gauge.builder("bridge.subscription.dead", dead).description("Changes the subscription gave up on, until replayed")
                .tag("subscription", name).register(registry);
    }

    private static String product(String path) {
        if (path.startsWith("/G2W/")) {
            return "webinar";
        }
        if (path.startsWith("/G2T/")) {
            return "training";
        }
        if (path.startsWith("/G2M/")) {
            return "meeting";
        }
        return path.startsWith("/G2A/") ? "assist" : "account";
    }
}
