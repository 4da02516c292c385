package io.gotomautic.bridge.sandbox;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Calls a simulator received, per endpoint ({@code "GET /api/contacts"} with the path template) and per caller where
 * the simulator tells callers apart, and its 429s.
 */
public final class CallLog {

    private final Map<String, AtomicLong> perEndpoint = new ConcurrentHashMap<>();
    private final Map<Object, AtomicLong> perCaller = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();

    void record(String endpoint, Object caller) {
        perEndpoint.computeIfAbsent(endpoint, k -> new AtomicLong()).incrementAndGet();
        perCaller.computeIfAbsent(caller, k -> new AtomicLong()).incrementAndGet();
        total.incrementAndGet();
    }

    void recordThrottled() {
        throttled.incrementAndGet();
    }

    /** Calls to one endpoint, named as {@code METHOD /path/{template}}. */
    public long count(String endpoint) {
        AtomicLong n = perEndpoint.get(endpoint);
        return n == null ? 0 : n.get();
    }

    /** Calls from one caller, e.g. a GoTo organizer's {@link GoToAccount}: those its live access token made. */
    public long countFrom(Object caller) {
        AtomicLong n = perCaller.get(caller);
        return n == null ? 0 : n.get();
    }

    /** Every call received, answered or not. */
    public long total() {
        return total.get();
    }

    /** Calls answered 429, by the rate limit or by a fault. */
    public long throttled() {
        return throttled.get();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        perEndpoint.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    public void reset() {
        perEndpoint.clear();
        perCaller.clear();
        total.set(0);
        throttled.set(0);
    }
}
