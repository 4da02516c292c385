package io.gotomautic.bridge.component;

import java.util.HashMap;
import java.util.Map;

import io.gotomautic.bridge.mautic.MauticClient;

/**
 * Mautic's segments by name, listed once on the first segment to create and kept up to date with what this process
 * creates, renames and finds deleted, so a segment Mautic already has under that name is taken over, not duplicated,
 * without listing every segment on every new event.
 */
final class SegmentNames {

    private final MauticClient client;
    private Map<String, Long> byName;

    SegmentNames(MauticClient client) {
        this.client = client;
    }

    /** The id of Mautic's segment of this name, created (published) when it has none. */
    synchronized long create(String name) {
        if (byName == null) {
            byName = new HashMap<>(client.segmentsByName());
        }
        Long id = byName.get(name);
        if (id == null) {
            id = client.createSegment(name);
            byName.put(name, id);
        }
        return id;
    }

    synchronized void renamed(long id, String name) {
        if (byName != null) {
            byName.values().remove(id);
            byName.put(name, id);
        }
    }

    /** Mautic answered 404 for the segment: deleted there. */
    synchronized void gone(long id) {
        if (byName != null) {
            byName.values().remove(id);
        }
    }
}
