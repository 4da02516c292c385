package io.gotomautic.bridge;

import java.time.Clock;
import java.util.Map;
import java.util.Properties;

import javax.sql.DataSource;

import io.gotomautic.bridge.component.BridgeComponent;
import io.gotomautic.bridge.component.GoToComponent;
import io.gotomautic.bridge.component.MauticComponent;
import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.mautic.MappingReload;
import io.gotomautic.bridge.ops.HealthReport;
import io.gotomautic.bridge.ops.PartHealthCheck;
import io.gotomautic.bridge.store.Database;
import io.gotomautic.bridge.store.DatabaseHealthCheck;
import io.gotomautic.bridge.store.PartStates;
import io.gotomautic.bridge.store.Subscriptions;
import io.gotomautic.bridge.store.TriggerItems;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.spi.MaskingFormatter;
import org.apache.camel.support.processor.DefaultMaskingFormatter;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/** The beans the routes call, bound into Camel's registry under the names the YAML routes use. */
public class BridgeConfiguration implements CamelConfiguration {

    private final Settings settings;
    private final Database database;
    private final Clock clock;

    public BridgeConfiguration(Settings settings, Database database, Clock clock) {
        this.settings = settings;
        this.database = database;
        this.clock = clock;
    }

    /**
     * The API clients and the sync beans. They are bound even for a part that is not configured, so every
     * route resolves; the routes of such a part do not start ({@code bridge.goto.enabled}, {@code bridge.mautic.enabled}).
     */
    @Override
    public void configure(CamelContext camel) {
        Beans beans = Beans.create(settings, database, camel, clock);
        camel.getRegistry().bind("gotoConnections", beans.goTo());
        camel.getRegistry().bind("pullCycle", beans.pullCycle());
        camel.getRegistry().bind("eventFilter", beans.eventFilter());
        camel.getRegistry().bind("webinarReader", beans.webinarReader());
        camel.getRegistry().bind("trainingReader", beans.trainingReader());
        camel.getRegistry().bind("meetingReader", beans.meetingReader());
        camel.getRegistry().bind("assistReader", beans.assistReader());
        camel.getRegistry().bind("mauticClient", beans.mautic());
        camel.getRegistry().bind("mauticPush", beans.mauticPush());
        camel.getRegistry().bind("segments", beans.segments());
        camel.getRegistry().bind("linkEmails", beans.linkEmails());
        camel.getRegistry().bind("eventOptions", beans.eventOptions());
        camel.getRegistry().bind("webhookReceiver", beans.webhookReceiver());
        camel.getRegistry().bind("campaignHookReceiver", beans.campaignHookReceiver());
        camel.getRegistry().bind("gotoWebhookReceiver", beans.gotoWebhookReceiver());
        camel.getRegistry().bind("gotoWebhookSubscriptions", beans.gotoWebhookSubscriptions());
        camel.getRegistry().bind("inboxWorker", beans.inboxWorker());
        camel.getRegistry().bind("connectPages", beans.connectPages());
        camel.getRegistry().bind("consolePages", beans.consolePages());
        camel.addComponent("goto", new GoToComponent(beans.gotoOperations(), new TriggerItems(database.dataSource())));
        camel.addComponent("mautic", new MauticComponent(beans.mautic()));
        camel.addComponent("bridge", new BridgeComponent(new Subscriptions(database.dataSource()), beans.meters()));
        camel.getRegistry().bind("meters", beans.meters());
        if (settings.bool("camel.main.routes-reload-enabled")) {
            try {
                camel.addService(new MappingReload(beans.contactMapping(), camel));
            } catch (Exception e) {
                throw new org.apache.camel.RuntimeCamelException(e);
            }
        }
    }

    @BindToRegistry
    public DataSource dataSource() {
        return database.dataSource();
    }

    @BindToRegistry
    public HealthCheck databaseHealthCheck() {
        return new DatabaseHealthCheck(database);
    }

    @BindToRegistry
    public HealthCheck mauticHealthCheck() {
        return new PartHealthCheck(database.dataSource(), PartStates.MAUTIC);
    }

    @BindToRegistry
    public HealthCheck gotoHealthCheck() {
        return new PartHealthCheck(database.dataSource(), PartStates.GOTO);
    }

    /**
     * What the routes' {@code log:} steps write passes through this ({@code camel.main.log-mask}): Camel's own masking
     * of password- and token-like values, then the bridge's of email addresses.
     */
    @BindToRegistry(MaskingFormatter.CUSTOM_LOG_MASK_REF)
    public MaskingFormatter logMask() {
        MaskingFormatter camelMask = new DefaultMaskingFormatter();
        return text -> EmailAddress.masked(camelMask.format(text));
    }

    @BindToRegistry
    public HealthReport healthReport() {
        return new HealthReport();
    }

    /**
     * Quartz with its clustered JDBC job store in the bridge's own database and connection pool: with N
     * instances on one database, each trigger fires on one of them, and a dead instance's triggers move on.
     */
    @BindToRegistry
    public QuartzComponent quartz() {
        String dataSourceName = "bridge";
        DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, new ConnectionProvider() {
            @Override
            public java.sql.Connection getConnection() throws java.sql.SQLException {
                return database.dataSource().getConnection();
            }

            @Override
            public void shutdown() {
                // the pool belongs to Database, which closes it after Camel has stopped
            }

            @Override
            public void initialize() {
            }
        });
        Properties p = new Properties();
        p.putAll(Map.of(
                "org.quartz.scheduler.instanceName", "bridge",
                "org.quartz.scheduler.instanceId", "AUTO",
                "org.quartz.threadPool.threadCount", "4",
                "org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX",
                "org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate",
                "org.quartz.jobStore.dataSource", dataSourceName,
                "org.quartz.jobStore.isClustered", "true",
                "org.quartz.jobStore.clusterCheckinInterval", "5000",
                // a poll missed while no instance ran is skipped, not fired in a burst on restart
                "org.quartz.jobStore.misfireThreshold", "1000"));
        QuartzComponent quartz = new QuartzComponent();
        quartz.setProperties(p);
        // a job finishing while the database is gone retries its bookkeeping forever: don't wait for it on stop
        quartz.setInterruptJobsOnShutdown(true);
        return quartz;
    }
}
