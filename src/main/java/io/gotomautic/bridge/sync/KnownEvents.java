package io.gotomautic.bridge.sync;

import java.time.Instant;
import java.util.List;

/**
 * Events the database already knows and that are not settled: for a product whose list forgets an event as soon
 * as it is over (GoToTraining), this is where the sync remembers it, the same on every instance and after a restart.
 */
@FunctionalInterface
public interface KnownEvents {

    List<EventRef> unsettled(String product, Instant from, Instant to);
}
