package io.gotomautic.bridge.ops;

import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import io.gotomautic.bridge.store.PartStates;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * One outside part (Mautic, GoTo) as every instance's queues last met it. DOWN only while a setting holds its queue,
 * with the line saying what to fix: someone else's outage (Mautic down, GoTo 5xx) keeps it UP, so orchestrators do not
 * restart the bridge for it, but the current error and since when show in the details.
 */
public class PartHealthCheck extends AbstractHealthCheck {

    /** The details /health shows for a part. */
    static final String[] DETAILS = {"lastSuccess", "error", "errorSince"};

    private final DataSource dataSource;
    private final String part;

    public PartHealthCheck(DataSource dataSource, String part) {
        super("bridge", part);
        this.dataSource = dataSource;
        this.part = part;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Optional<PartStates.State> state;
        try {
            state = PartStates.read(dataSource, part);
        } catch (SQLException e) {
            // the database check says DOWN for this; the part's own state is unknown, not wrong
            builder.message("state unknown: the database does not answer").up();
            return;
        }
        if (state.isEmpty()) {
            builder.message("not called yet").up();
            return;
        }
        PartStates.State s = state.get();
        if (s.lastSuccess() != null) {
            builder.detail("lastSuccess", s.lastSuccess().toString());
        }
        if (s.error() != null) {
            builder.detail("error", s.error());
            builder.detail("errorSince", s.errorSince().toString());
        }
        if (s.held()) {
            builder.message(s.fix()).down();
        } else {
            builder.message(s.describe()).up();
        }
    }
}
