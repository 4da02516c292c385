package io.gotomautic.bridge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import io.gotomautic.bridge.config.Parts;
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.console.AdminCredentials;
import io.gotomautic.bridge.console.JolokiaAccess;
import io.gotomautic.bridge.http.BodyLimit;
import io.gotomautic.bridge.store.Database;
import io.gotomautic.bridge.ops.Meters;
import io.gotomautic.bridge.store.QueueMetrics;
import io.gotomautic.bridge.store.SecretBox;
import io.gotomautic.bridge.store.StoredSecrets;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running service: the database, then Camel Main with the routes of {@code routes/}. */
public final class Bridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);

    private final Database database;
    private final Main main;
    private final JmxMeterRegistry jmx;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Bridge(Database database, Main main, JmxMeterRegistry jmx) {
        this.database = database;
        this.main = main;
        this.jmx = jmx;
    }

    /** Starts the service and returns once it serves; {@link #close()} stops it. */
    public static Bridge start(Settings configured) throws Exception {
        // a part configured by halves stops the start before the database is touched
        Parts.of(configured);
        if (!Files.isDirectory(Path.of(configured.get("camel.main.routes-reload-directory")))) {
            LOG.warn("No routes/ folder in {}: start the bridge from the folder that holds routes/ and application.properties",
                    Path.of("").toAbsolutePath());
        }
        Database database = Database.open(configured);
        try {
            Settings settings = withStoredSecrets(configured, database);
            Parts.of(settings).forEach(part -> LOG.info(part.line()));
            if (Parts.configured(settings, "GoTo API") && settings.optional("bridge.secret-key").isEmpty()) {
                LOG.warn("bridge.secret-key is empty: the refresh tokens of GoTo accounts connected at /connect/goto are stored"
                        + " unencrypted in PostgreSQL");
            }
            Main main = new Main();
            // no JVM hook of Camel's own: the service's hook stops Camel (Bridge.close); with both, Camel's hook and
            // the service's stop waited on each other until the stop watchdog halted the process (faults.log, 2026-12-04)
            main.setShutdownStrategy(new org.apache.camel.main.SimpleMainShutdownStrategy());
            Properties properties = settings.asProperties();
            properties.putAll(routeProperties(settings));
            main.setOverrideProperties(properties);
            main.configure().addConfiguration(new BridgeConfiguration(settings, database, java.time.Clock.systemUTC()));
            main.addMainListener(new JolokiaAccess(AdminCredentials.of(settings)));
            main.start();
            if (main.getCamelContext() == null || !main.getCamelContext().isStarted()) {
                throw new IllegalStateException("Camel did not start; see the log above");
            }
            BodyLimit.install(main.getCamelContext(), settings.port("bridge.http.port"));
            MeterRegistry metrics = main.getCamelContext().getRegistry().findSingleByType(MeterRegistry.class);
            Meters meters = main.getCamelContext().getRegistry().lookupByNameAndType("meters", Meters.class);
            if (metrics != null) {
                QueueMetrics.register(metrics, database.dataSource());
                meters.publishTo(metrics);
            }
            // the same series as MBeans, beside Camel's own (routes, endpoints)
            JmxMeterRegistry jmx = new JmxMeterRegistry(JmxConfig.DEFAULT, io.micrometer.core.instrument.Clock.SYSTEM);
            meters.publishTo(jmx);
            QueueMetrics.register(jmx, database.dataSource());
            Bridge bridge = new Bridge(database, main, jmx);
            // `camel stop` (the CLI connector) stops Camel alone: the rest of the service goes with it, so the
            // process ends as on SIGTERM; from a thread of its own, as Camel's own stop is still under way
            main.getCamelContext().getManagementStrategy().addEventNotifier(new SimpleEventNotifierSupport() {
                @Override
                public boolean isEnabled(CamelEvent event) {
                    return event instanceof CamelEvent.CamelContextStoppedEvent;
                }

                @Override
                public void notify(CamelEvent event) {
                    Thread closing = new Thread(bridge::close, "bridge-close");
                    closing.setDaemon(true);
                    closing.start();
                }
            });
            return bridge;
        } catch (Exception | Error e) {
            database.close();
            throw e;
        }
    }

    /** mautic.webhook-secret as `setup mautic` generated it, when the configuration leaves it empty. */
    private static Settings withStoredSecrets(Settings settings, Database database) throws java.sql.SQLException {
        if (settings.optional("mautic.webhook-secret").isPresent()) {
            return settings;
        }
        return new StoredSecrets(database.dataSource(), SecretBox.of(settings))
                .get("mautic.webhook-secret").map(secret -> settings.with(Map.of("mautic.webhook-secret", secret))).orElse(settings);
    }

    /** Values the routes need in a form Camel reads: which parts run, and intervals in milliseconds. */
    static Map<String, String> routeProperties(Settings settings) {
        Map<String, String> p = new LinkedHashMap<>();
        boolean goTo = Parts.configured(settings, "GoTo API");
        p.put("bridge.goto.enabled", String.valueOf(goTo));
        p.put("bridge.goto-webhooks.enabled", String.valueOf(goTo && settings.goToWebhooks()));
        p.put("bridge.mautic.enabled", String.valueOf(Parts.configured(settings, "Mautic API")));
        p.put("bridge.webhooks.enabled", String.valueOf(Parts.configured(settings, "Mautic webhooks")));
        p.put("bridge.campaign.enabled", String.valueOf(Parts.configured(settings, "Campaign hooks")));
        p.put("bridge.console.enabled", String.valueOf(Parts.configured(settings, "Admin console")));
        for (String product : Settings.PRODUCTS) {
            p.put("bridge.poll." + product + ".ms", String.valueOf(settings.pollInterval(product).toMillis()));
        }
        p.put("bridge.push.interval.ms", String.valueOf(settings.duration("bridge.push.interval").toMillis()));
        p.put("bridge.retention.seconds", String.valueOf(settings.duration("bridge.retention").toSeconds()));
        return p;
    }

    public CamelContext camelContext() {
        return main.getCamelContext();
    }

    public Database database() {
        return database;
    }

    /** Blocks until {@link #close()} has run (from a shutdown hook on Ctrl-C or SIGTERM). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            main.stop();
        } catch (RuntimeException e) {
            LOG.warn("Camel did not stop cleanly: {}", e.getMessage());
        }
        jmx.close();
        database.close();
        stopped.countDown();
    }
}
