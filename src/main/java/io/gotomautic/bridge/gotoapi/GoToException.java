package io.gotomautic.bridge.gotoapi;

/**
 * A GoTo call that did not succeed. Transient ones (429 storms, 5xx, timeouts, malformed bodies) are worth the
 * next cycle; permanent ones (404, 400, a refused refresh token) need a person or different input. A permanent one
 * with a {@link #fix()} concerns every change (a refused refresh token or client, a 403 that is not about the token):
 * the queue is held until it is fixed, nothing becomes a dead letter.
 */
public class GoToException extends RuntimeException {

    private final int status;
    private final String errorCode;
    private final boolean transientFailure;
    private final com.fasterxml.jackson.databind.JsonNode body;
    private final String fix;
    private java.time.Duration retryAfter;

    public GoToException(int status, String errorCode, String message, boolean transientFailure, Throwable cause) {
        this(status, errorCode, message, transientFailure, cause, null);
    }

    public GoToException(int status, String errorCode, String message, boolean transientFailure, Throwable cause,
                         com.fasterxml.jackson.databind.JsonNode body) {
        this(status, errorCode, message, transientFailure, cause, body, null);
    }

    public GoToException(int status, String errorCode, String message, boolean transientFailure, Throwable cause,
                         com.fasterxml.jackson.databind.JsonNode body, String fix) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
        this.transientFailure = transientFailure;
        this.body = body;
        this.fix = fix;
    }

    /** The wait GoTo asked for ({@code Retry-After}) before this call is tried again. */
    GoToException retryAfter(java.util.Optional<java.time.Duration> wait) {
        this.retryAfter = wait.orElse(null);
        return this;
    }

    /** How long GoTo asked the caller to wait before trying again, when it said. */
    public java.util.Optional<java.time.Duration> retryAfter() {
        return java.util.Optional.ofNullable(retryAfter);
    }

    /** What the operator must mend, in one line, when the refusal concerns every change rather than this one. */
    public java.util.Optional<String> fix() {
        return java.util.Optional.ofNullable(fix);
    }

    /** GoTo's error body, when it sent JSON (a 409 duplicate carries the registrant's key). */
    public java.util.Optional<com.fasterxml.jackson.databind.JsonNode> body() {
        return java.util.Optional.ofNullable(body);
    }

    /** The HTTP status, or 0 when no answer came. */
    public int status() {
        return status;
    }

    /** GoTo's {@code errorCode} / {@code int_err_code} / OAuth {@code error}, when the body had one. */
    public String errorCode() {
        return errorCode;
    }

    public boolean isTransient() {
        return transientFailure;
    }
}
