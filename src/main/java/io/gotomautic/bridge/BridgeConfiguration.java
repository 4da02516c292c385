package io.gotomautic.bridge;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.sql.DataSource;

import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.ops.HealthReport;
import io.gotomautic.bridge.store.Database;
import io.gotomautic.bridge.store.DatabaseHealthCheck;
import io.gotomautic.bridge.store.Housekeeping;
import io.gotomautic.bridge.gotoapi.GoToClient;
import io.gotomautic.bridge.gotoapi.GoToTokens;
import io.gotomautic.bridge.gotoapi.RateLimiter;
import io.gotomautic.bridge.gotoapi.WebinarSource;
import io.gotomautic.bridge.http.HttpTransport;
import io.gotomautic.bridge.mautic.EventOptions;
import io.gotomautic.bridge.mautic.MauticClient;
import io.gotomautic.bridge.mautic.MauticPush;
import io.gotomautic.bridge.store.Outbox;
import io.gotomautic.bridge.sync.PullCycle;
import io.gotomautic.bridge.sync.Reconciler;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.health.HealthCheck;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/** The beans the routes call, bound into Camel's registry under the names the YAML routes use. */
public class BridgeConfiguration implements CamelConfiguration {

    private final Settings settings;
    private final Database database;

    public BridgeConfiguration(Settings settings, Database database) {
        this.settings = settings;
        this.database = database;
    }

    /**
     * The API clients and the sync beans. They are bound even for a part that is not configured, so every
     * route resolves; the routes of such a part do not start ({@code bridge.goto.enabled}, {@code bridge.mautic.enabled}).
     */
    @Override
    public void configure(CamelContext camel) {
        DataSource ds = database.dataSource();
        Duration timeout = settings.duration("bridge.http.timeout");
        HttpTransport gotoHttp = new HttpTransport(camel, "goto", timeout);
        GoToTokens tokens = new GoToTokens(gotoHttp, ds, settings.get("goto.auth-url"), settings.get("goto.client-id"),
                settings.get("goto.client-secret"), settings.get("goto.refresh-token"), Clock.systemUTC());
        // one limiter per GoTo connection (OAuth client), shared through the database by every instance
        RateLimiter limiter = new RateLimiter(ds, settings.get("goto.client-id"), settings.rateLimit());
        GoToClient goTo = new GoToClient(gotoHttp, tokens, limiter, settings.get("goto.api-url"), 5);
        camel.getRegistry().bind("gotoClient", goTo);
        camel.getRegistry().bind("pullCycle", new PullCycle(List.of(new WebinarSource(goTo)), new Reconciler(ds), ds,
                settings.duration("bridge.window.past"), settings.duration("bridge.window.future"), Clock.systemUTC()));

        boolean oauth = settings.get("mautic.auth").equals("oauth2");
        MauticClient mautic = new MauticClient(new HttpTransport(camel, "mautic", timeout), settings.get("mautic.url"),
                settings.get("mautic.auth"), settings.get(oauth ? "mautic.client-id" : "mautic.username"),
                settings.get(oauth ? "mautic.client-secret" : "mautic.password"));
        camel.getRegistry().bind("mauticClient", mautic);
        camel.getRegistry().bind("eventOptions", new EventOptions(mautic, ds));
        camel.getRegistry().bind("mauticPush", new MauticPush(mautic, new Outbox(ds), ds, settings.positive("bridge.push.batch"),
                settings.bool("bridge.timeline.utm"), settings.bool("bridge.timeline.notes")));
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
    public Housekeeping housekeeping() {
        return new Housekeeping(database.dataSource(), settings.duration("bridge.retention"));
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
        return quartz;
    }
}
