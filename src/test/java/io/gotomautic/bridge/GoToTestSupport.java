package io.gotomautic.bridge;

import java.time.Clock;
import java.time.Duration;

import io.gotomautic.bridge.config.RateLimit;
import io.gotomautic.bridge.gotoapi.GoToClient;
import io.gotomautic.bridge.gotoapi.GoToTokens;
import io.gotomautic.bridge.gotoapi.RateLimiter;
import io.gotomautic.bridge.gotoapi.TokenEndpoint;
import io.gotomautic.bridge.http.HttpTransport;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.store.Database;
import io.gotomautic.bridge.store.GoToAccounts;
import io.gotomautic.bridge.store.PartStates;
import io.gotomautic.bridge.store.SecretBox;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tests of the GoTo side: a migrated database of the class's own, a Camel context for the transport, real clients. */
public abstract class GoToTestSupport {

    @RegisterExtension
    protected static final TestDatabase DB = new TestDatabase();

    /** The refresh token tests configure, distinctive so a test can check that no message carries it. */
    protected static final String REFRESH_TOKEN = "rt-4711-not-for-logs";

    protected static Database database;
    protected static CamelContext camel;

    @BeforeAll
    static void openDatabaseAndCamel() {
        database = Database.open(TestBridge.settings(DB.settings()));
        camel = new DefaultCamelContext();
        camel.start();
    }

    @AfterAll
    static void closeDatabaseAndCamel() {
        camel.stop();
        database.close();
    }

    /** A client of the simulator's OAuth client ({@code client}, {@link #REFRESH_TOKEN}) on a connection of its own. */
    protected static GoToClient goToClient(GoToSimulator sim, String secret, Duration timeout, String connection, RateLimit limit) {
        HttpTransport http = new HttpTransport(camel, "goto", timeout, new io.gotomautic.bridge.ops.Meters());
        GoToTokens tokens = GoToTokens.configured(new TokenEndpoint(http, sim.baseUrl(), "client", secret), database.dataSource(),
                REFRESH_TOKEN, Clock.systemUTC());
        return new GoToClient(http, tokens, new RateLimiter(database.dataSource(), connection, limit),
                new PartStates(database.dataSource()), sim.baseUrl(), 5);
    }

    /** The same, with the right secret, a 10 s timeout and a limit that never waits. */
    protected static GoToClient goToClient(GoToSimulator sim) {
        return goToClient(sim, "secret", Duration.ofSeconds(10), "test", new RateLimit(10_000, Duration.ofSeconds(1)));
    }
}
