package io.gotomautic.bridge.store;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Reports DOWN as soon as the database stops answering, so /health and orchestrators see it. */
public class DatabaseHealthCheck extends AbstractHealthCheck {

    private final Database database;

    public DatabaseHealthCheck(Database database) {
        super("bridge", "database");
        this.database = database;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("database", database.describe());
        if (database.isReachable()) {
            builder.up();
        } else {
            builder.message("the database does not answer").down();
        }
    }
}
