package io.gotomautic.bridge.sandbox;

/**
 * Thrown by a handler to answer with an error status; the simulator turns it into the error body its real
 * service sends (each service has its own envelope).
 */
public class SimError extends RuntimeException {

    private final int status;
    private final Object body;

    /** An error whose body the simulator's error format builds from the message. */
    public SimError(int status, String message) {
        this(status, message, null);
    }

    /** An error with an exact body, for the cases the contract pins down. */
    public SimError(int status, String message, Object body) {
        super(message);
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    public Object body() {
        return body;
    }
}
