package io.gotomautic.bridge;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.store.Database;
import io.gotomautic.bridge.sync.PullCycle;

/**
 * The pull routes of routes/ run one poll at a time, as {@code sync} runs them (no Quartz), against a GoTo
 * simulator, at the time the test says: tests that move GoTo's clock move the bridge's with it.
 */
public final class TestPull implements AutoCloseable {

    /** A clock the test sets. */
    private static final class SetClock extends Clock {
        private volatile Instant now = Instant.now();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final SetClock clock;
    private final OneShot routes;

    private TestPull(SetClock clock, OneShot routes) {
        this.clock = clock;
        this.routes = routes;
    }

    /** @param refreshToken the simulator's refresh token for OAuth client {@code client}/{@code secret} */
    public static TestPull start(Database database, Map<String, String> dbSettings, GoToSimulator sim, String refreshToken)
            throws Exception {
        Map<String, String> s = new HashMap<>(dbSettings);
        s.putAll(TestBridge.goTo(sim));
        s.put("goto.refresh-token", refreshToken);
        // the simulator's own limit is what a test sets; the bridge's would only slow the test down
        s.put("goto.rate-limit", "100000/1s");
        s.put("goto.burst-limit", "100000/1s");
        SetClock clock = new SetClock();
        return new TestPull(clock, OneShot.start(TestBridge.settings(s), database, clock));
    }

    /** One poll of the product through direct:poll, the bridge's clock at {@code at}. */
    public PullCycle.Poll poll(String product, Instant at) throws Exception {
        clock.now = at;
        return routes.pull(product, false, null);
    }

    /** The registrations one poll at {@code at} created or changed. */
    public int cycle(String product, Instant at) throws Exception {
        PullCycle.Poll run = poll(product, at);
        if (run.aborted() != null) {
            throw new IllegalStateException("the poll stopped: " + run.aborted());
        }
        return run.registrationChanges();
    }

    @Override
    public void close() {
        routes.close();
    }
}
