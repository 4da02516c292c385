package io.gotomautic.bridge;

import java.time.Clock;
import java.util.List;
import java.util.Properties;

import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.store.Database;
import io.gotomautic.bridge.sync.PullCycle;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.CliConnectorFactory;

/**
 * The routes of {@code routes/} for one run from the command line ({@code sync}): the same files, beans and
 * properties as the service, but only the routes that start from {@code direct:} — no Quartz trigger, timer or HTTP
 * endpoint starts, so nothing is scheduled and no port is taken beside a running service. A poll, the push and the
 * event options are each one exchange sent to their route, so an edit of the routes applies here as in the service.
 */
public final class OneShot implements AutoCloseable {

    private final Main main;
    private final ProducerTemplate template;

    private OneShot(Main main) {
        this.main = main;
        this.template = main.getCamelContext().createProducerTemplate();
    }

    /** @param clock what the pull takes as now (the system's; tests move it with GoTo's) */
    public static OneShot start(Settings settings, Database database, Clock clock) throws Exception {
        Main main = new Main();
        Properties properties = settings.asProperties();
        properties.putAll(Bridge.routeProperties(settings));
        properties.put("camel.server.enabled", "false");
        properties.put("camel.management.enabled", "false");
        properties.put("camel.main.routes-reload-enabled", "false");
        properties.put("camel.main.jmx-enabled", "false");
        properties.put("camel.health.enabled", "false");
        properties.put("camel.metrics.enabled", "false");
        main.setOverrideProperties(properties);
        main.configure().addConfiguration(new BridgeConfiguration(settings, database, clock));
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport support) {
                // a command is no service: `camel get` would list it, and its state file would outlive nothing
                CliConnectorFactory cli = support.getCamelContext().getCamelContextExtension().getContextPlugin(CliConnectorFactory.class);
                if (cli != null) {
                    cli.setEnabled(false);
                }
                ModelCamelContext model = (ModelCamelContext) support.getCamelContext();
                List<RouteDefinition> scheduled = model.getRouteDefinitions().stream()
                        .filter(r -> !r.getInput().getEndpointUri().startsWith("direct:")).toList();
                try {
                    model.removeRouteDefinitions(scheduled);
                } catch (Exception e) {
                    throw new IllegalStateException("cannot leave out the scheduled routes: " + e.getMessage(), e);
                }
            }
        });
        main.start();
        if (main.getCamelContext() == null || !main.getCamelContext().isStarted()) {
            throw new IllegalStateException("Camel did not start; see the log above");
        }
        return new OneShot(main);
    }

    /**
     * One poll of the product through {@code direct:poll}: a run per GoTo account.
     *
     * @param eventKey only this event, settled or not; null = every event of the window
     */
    public PullCycle.Poll pull(String product, boolean dryRun, String eventKey) throws Exception {
        Exchange done = template.request("direct:poll", e -> {
            e.getMessage().setHeader("product", product);
            e.getMessage().setHeader("dryRun", dryRun);
            e.getMessage().setHeader("eventKey", eventKey);
        });
        rethrow(done);
        return done.getMessage().getMandatoryBody(PullCycle.Poll.class);
    }

    /** Drains the outbox to Mautic ({@code direct:push-to-mautic}) until it is empty or Mautic stops taking changes. */
    public void push() throws Exception {
        rethrow(template.request("direct:push-to-mautic", e -> { }));
    }

    /** Refreshes the event select options in Mautic ({@code direct:event-options}). */
    public void refreshEventOptions() throws Exception {
        rethrow(template.request("direct:event-options", e -> { }));
    }

    public CamelContext camelContext() {
        return main.getCamelContext();
    }

    /** A bean the routes use, by its name in the registry. */
    public <T> T bean(String name, Class<T> type) {
        return main.getCamelContext().getRegistry().lookupByNameAndType(name, type);
    }

    private static void rethrow(Exchange done) throws Exception {
        if (done.getException() != null) {
            throw done.getException();
        }
    }

    @Override
    public void close() {
        main.stop();
    }
}
