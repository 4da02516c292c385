package io.gotomautic.bridge.component;

import java.util.Map;

/**
 * The URI options of a polling consumer of this package: {@code delay} and {@code initialDelay} (ms), and
 * {@code from}: {@code now} (what appears from its first poll on) or {@code beginning} (what is there too).
 */
record Polling(long delay, long initialDelay, boolean fromBeginning) {

    /** Takes the options out of {@code parameters}; {@code what} names the endpoint in an error. */
    static Polling take(Map<String, Object> parameters, long defaultDelay, String what) {
        long delay = millis(parameters.remove("delay"), defaultDelay, what + ": delay");
        long initialDelay = millis(parameters.remove("initialDelay"), 1_000L, what + ": initialDelay");
        Object from = parameters.remove("from");
        String value = from == null ? "now" : String.valueOf(from);
        if (!value.equals("now") && !value.equals("beginning")) {
            throw new IllegalArgumentException(what + ": from is now (the default: what appears from the first poll on) or"
                    + " beginning (what is there already, too), not " + value);
        }
        return new Polling(delay, initialDelay, value.equals("beginning"));
    }

    private static long millis(Object value, long otherwise, String what) {
        if (value == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " is a number of milliseconds, not " + value);
        }
    }
}
