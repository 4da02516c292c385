package io.gotomautic.bridge.component;

import java.util.Map;
import java.util.TreeMap;

import io.gotomautic.bridge.gotoapi.Operations;
import io.gotomautic.bridge.store.TriggerItems;
import org.apache.camel.Endpoint;
import org.apache.camel.component.jackson.JacksonDataFormat;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code goto:<product>/<operation>}: the GoToTraining and GoToWebinar operations as Camel endpoints, through the
 * bridge's one client per GoTo connection (its token refresh and rate limiter), so an integrator's route shares the
 * limits with the polls and registrations. Calls ({@code goto:training/getTraining}, …) are producers; the "new item"
 * triggers ({@code goto:training/onNewRegistration}, …) are polling consumers. Keys are URI options or, for calls,
 * headers of the same name; with several GoTo accounts, {@code account} names the one to act as (an event's key alone
 * finds its account).
 */
public class GoToComponent extends DefaultComponent {

    /** The keys an operation may need, as URI options and headers. */
    static final String[] KEYS = {"trainingKey", "webinarKey", "sessionKey", "registrantKey", "meetingKey", "fromTime",
            "toTime", "account"};

    private final Operations operations;
    private final TriggerItems triggers;
    /** A body given as JSON text, read by camel-jackson into Maps and Lists. */
    private final JacksonDataFormat json = new JacksonDataFormat(Object.class);

    public GoToComponent(Operations operations, TriggerItems triggers) {
        this.operations = operations;
        this.triggers = triggers;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        json.setCamelContext(getCamelContext());
        json.start();
    }

    @Override
    protected void doStop() throws Exception {
        json.stop();
        super.doStop();
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        String name = remaining.startsWith("//") ? remaining.substring(2) : remaining;
        Operations.Listing listing = operations.listing(name);
        if (!Operations.isCall(name) && listing == null) {
            throw new IllegalArgumentException("goto:" + name + " is no GoTo operation; the operations are listed in the README"
                    + " (e.g. goto:training/getTraining, goto:webinar/onNewRegistrant)");
        }
        Map<String, String> keys = new TreeMap<>();
        for (String key : KEYS) {
            String value = getAndRemoveParameter(parameters, key, String.class);
            if (value != null) {
                keys.put(key, value);
            }
        }
        Polling polling = Polling.take(parameters, 120_000L, "goto:" + name);
        return new GoToEndpoint(uri, this, name, keys, listing, polling);
    }

    JacksonDataFormat json() {
        return json;
    }

    Operations operations() {
        return operations;
    }

    TriggerItems triggers() {
        return triggers;
    }
}
