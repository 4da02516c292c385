package io.gotomautic.bridge.mautic;

import java.time.Duration;
import java.util.Optional;

/**
 * A Mautic call that did not succeed. Transient ones (no answer, timeouts, 429, 5xx, malformed bodies) are worth a
 * later attempt, so the outbox keeps the work; permanent ones (400, 403, 404, 422, credentials Mautic refuses) need
 * a person or different input.
 */
public class MauticException extends RuntimeException {

    private final int status;
    private final boolean transientFailure;
    private final Duration retryAfter;

    public MauticException(int status, String message, boolean transientFailure, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.transientFailure = transientFailure;
        this.retryAfter = retryAfter;
    }

    /** The HTTP status (or the code in Mautic's {@code errors} envelope), 0 when no answer came. */
    public int status() {
        return status;
    }

    public boolean isTransient() {
        return transientFailure;
    }

    /** How long Mautic asked to wait, when a 429 carried Retry-After. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
