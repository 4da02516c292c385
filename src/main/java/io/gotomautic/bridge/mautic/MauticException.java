package io.gotomautic.bridge.mautic;

import java.time.Duration;
import java.util.Optional;

/**
 * A Mautic call that did not succeed. Transient ones (no answer, timeouts, 429, 5xx, malformed bodies) are worth a
 * later attempt, so the outbox keeps the work; permanent ones (400, 403, 404, 422, credentials Mautic refuses) need
 * a person or different input. A permanent one with a {@link #fix()} concerns every change (credentials, the API
 * switched off, a permission the API user lacks): the queue is held until it is fixed, nothing becomes a dead letter.
 */
public class MauticException extends RuntimeException {

    private final int status;
    private final boolean transientFailure;
    private final Duration retryAfter;
    private final String fix;

    public MauticException(int status, String message, boolean transientFailure, Duration retryAfter, Throwable cause) {
        this(status, message, transientFailure, retryAfter, cause, null);
    }

    public MauticException(int status, String message, boolean transientFailure, Duration retryAfter, Throwable cause,
                           String fix) {
        super(message, cause);
        this.status = status;
        this.transientFailure = transientFailure;
        this.retryAfter = retryAfter;
        this.fix = fix;
    }

    /** What the operator must mend, in one line, when the refusal concerns every change rather than this one. */
    public Optional<String> fix() {
        return Optional.ofNullable(fix);
    }

    /** The HTTP status (or the code in Mautic's {@code errors} envelope), 0 when no answer came. */
    public int status() {
        return status;
    }

    public boolean isTransient() {
        return transientFailure;
    }

    /** How long Mautic asked to wait, when a transient refusal (a 429, a 503) carried Retry-After. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
