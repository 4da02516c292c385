package io.gotomautic.bridge.sync;

import java.time.Instant;
import java.util.List;

/** What one GoTo product offers the pull sync: its events in a time window, and a snapshot of each. */
public interface EventSource {

    /** An event as its list shows it, enough to decide whether it needs a snapshot. */
    record EventRef(String key, String title, Instant startsAt, Instant endsAt) {
    }

    String product();

    /** Every event that overlaps the window, every page. */
    List<EventRef> events(Instant from, Instant to);

    /** Registrants, sessions and attendance of one event, as GoTo shows them now. */
    EventSnapshot snapshot(EventRef event, Instant now);
}
