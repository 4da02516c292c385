package io.gotomautic.bridge.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Faults a test sets for a run: latency on every call, and rules that make matching calls fail, hang or
 * answer a malformed body, a number of times or at a rate. Rules are checked in the order they were added.
 */
public final class Faults {

    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private volatile Duration latency = Duration.ZERO;

    /** Added to every call before it is answered. */
    public Faults latency(Duration latency) {
        this.latency = latency;
        return this;
    }

    public Duration latency() {
        return latency;
    }

    /** A rule for every call. */
    public Rule all() {
        return on(".*");
    }

    /** A rule for the calls whose path matches the regular expression (anywhere in the path). */
    public Rule on(String pathRegex) {
        Rule r = new Rule(Pattern.compile(pathRegex));
        rules.add(r);
        return r;
    }

    /** Removes every rule and the latency. */
    public void clear() {
        rules.clear();
        latency = Duration.ZERO;
    }

    /** The rule that applies to this call, if any, counting it as used. */
    Optional<Rule> match(String path) {
        for (Rule r : rules) {
            if (r.pattern.matcher(path).find() && r.fire()) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** What a matching call gets. Without a status, hang or malformed, a rule does nothing. */
    public static final class Rule {
        private final Pattern pattern;
        private final AtomicInteger remaining = new AtomicInteger(-1);
        private volatile double rate = 1.0;
        private volatile int status;
        private volatile Integer retryAfterSeconds;
        private volatile Duration retryAfterDate;
        private volatile Duration hang;
        private volatile Duration holdAnswer;
        private volatile boolean malformed;

        private Rule(Pattern pattern) {
            this.pattern = pattern;
        }

        /** Answer with this status (and the simulator's error body for it). */
        public Rule status(int status) {
            this.status = status;
            return this;
        }

        /** With {@link #status(int)} 429 or 503: send a Retry-After header. */
        public Rule retryAfter(int seconds) {
            this.retryAfterSeconds = seconds;
            return this;
        }

        /** Like {@link #retryAfter(int)}, in the header's other form: the HTTP-date this long after the answer. */
        public Rule retryAfterDate(Duration fromNow) {
            this.retryAfterDate = fromNow;
            return this;
        }

        /** Hold the call this long before answering normally: a client with a shorter timeout sees a timeout. */
        public Rule hang(Duration hang) {
            this.hang = hang;
            return this;
        }

        /**
         * Carry the call out, then hold its answer this long: the work is done but the caller has not heard of it (the
         * answer lost to a timeout or to the caller dying meanwhile).
         */
        public Rule holdAnswer(Duration hold) {
            this.holdAnswer = hold;
            return this;
        }

        /** Answer normally but with the body cut in half, so it is not valid JSON. */
        public Rule malformed() {
            this.malformed = true;
            return this;
        }

        /** Only the next n matching calls; after that the rule is spent. */
        public Rule times(int n) {
            remaining.set(n);
            return this;
        }

        /** Only this share (0..1) of matching calls, at random. */
        public Rule rate(double share) {
            this.rate = share;
            return this;
        }

        private boolean fire() {
            if (rate < 1.0 && ThreadLocalRandom.current().nextDouble() >= rate) {
                return false;
            }
            while (true) {
                int left = remaining.get();
                if (left == 0) {
                    return false;
                }
                if (left < 0 || remaining.compareAndSet(left, left - 1)) {
                    return true;
                }
            }
        }

        int statusCode() {
            return status;
        }

        /** The Retry-After header's value, or null for none. */
        String retryAfter() {
            if (retryAfterDate != null) {
                // IMF-fixdate, as servers send it: two-digit day, always GMT
                return java.time.format.DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.ENGLISH)
                        .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plus(retryAfterDate));
            }
            return retryAfterSeconds == null ? null : String.valueOf(retryAfterSeconds);
        }

        Duration hangFor() {
            return hang;
        }

        Duration holdAnswerFor() {
            return holdAnswer;
        }

        boolean isMalformed() {
            return malformed;
        }
    }
}
