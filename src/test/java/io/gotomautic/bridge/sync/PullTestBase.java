package io.gotomautic.bridge.sync;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.TestBridge;
import io.gotomautic.bridge.TestDatabase;
import io.gotomautic.bridge.sandbox.GoToSimulator;
import io.gotomautic.bridge.sandbox.MauticSimulator;
import io.gotomautic.bridge.sandbox.MauticState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The pull sync end to end: the routes of routes/ on the real service, the GoTo and Mautic simulators over HTTP,
 * the real PostgreSQL emptied before each test. The service is started by the test, with its own settings.
 */
abstract class PullTestBase {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    GoToSimulator goTo;
    MauticSimulator mautic;
    MauticState state;
    final Instant now = Instant.now();

    @BeforeEach
    void startSimulators() throws Exception {
        goTo = GoToSimulator.start(0, "client", "secret", "refresh");
        mautic = MauticSimulator.start(0, "api", "pass");
        state = mautic.state();
        DB.empty();
    }

    @AfterEach
    void stopSimulators() {
        goTo.close();
        mautic.close();
    }

    /** The service against the simulators, polling webinars every second and pushing every 200 ms. */
    Bridge bridge(Map<String, String> extra) throws Exception {
        Map<String, String> s = new HashMap<>(DB.settings());
        s.putAll(TestBridge.goTo(goTo));
        s.put("mautic.url", mautic.baseUrl());
        s.put("mautic.username", "api");
        s.put("mautic.password", "pass");
        s.put("bridge.poll.webinar", "1s");
        s.put("bridge.push.interval", "200ms");
        s.putAll(extra);
        return TestBridge.start(s);
    }

    static long pending() throws Exception {
        return Long.parseLong(DB.strings("SELECT count(*) FROM outbox WHERE status = 'pending'").get(0));
    }
}
