package io.gotomautic.bridge.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;

/** What every simulated service shares: its server on loopback, its error envelope, faults and call counts. */
public abstract class Simulator implements AutoCloseable {

    private final String name;
    protected final SimServer server;

    protected Simulator(String name) {
        this.name = name;
        this.server = new SimServer(name, this::error);
    }

    /** The service's own error body for a status and message. */
    protected abstract SimResponse error(int status, String message);

    /** Starts on 127.0.0.1; port 0 takes a free one. */
    protected void listen(int port) {
        try {
            server.start(port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the " + name + " simulator on port " + port + ": " + e.getMessage(), e);
        }
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    public int port() {
        return server.port();
    }

    public Faults faults() {
        return server.faults();
    }

    public CallLog calls() {
        return server.calls();
    }

    @Override
    public void close() {
        server.close();
    }
}
