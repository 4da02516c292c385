package io.gotomautic.bridge.ops;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.gotomautic.bridge.config.EmailAddress;
import io.gotomautic.bridge.store.PartStates;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * One outside part (Mautic, GoTo) as every instance's queues last met it. DOWN only while a setting holds its queue,
 * with the line saying what to fix: someone else's outage (Mautic down, GoTo 5xx) keeps it UP, so orchestrators do not
 * restart the bridge for it, but the current error and since when show in the details.
 */
public class PartHealthCheck extends AbstractHealthCheck {

    /** The details /health shows for a part, and for each GoTo account as {@code <account>.<detail>}. */
    private static final List<String> DETAILS = List.of("lastSuccess", "error", "errorSince");

    static boolean shown(String key) {
        return DETAILS.stream().anyMatch(d -> key.equals(d) || key.endsWith("." + d));
    }

    private final DataSource dataSource;
    private final String part;

    public PartHealthCheck(DataSource dataSource, String part) {
        super("bridge", part);
        this.dataSource = dataSource;
        this.part = part;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<PartStates.State> states;
        try {
            // GoTo's own state and each account's (goto:<account>): one held account holds its own work only, but
            // it is a setting to fix all the same
            states = PartStates.all(dataSource).stream()
                    .filter(s -> s.part().equals(part) || s.part().startsWith(part + ":")).toList();
        } catch (SQLException e) {
            // the database check says DOWN for this; the part's own state is unknown, not wrong
            builder.message("state unknown: the database does not answer").up();
            return;
        }
        if (states.isEmpty()) {
            builder.message("not called yet").up();
            return;
        }
        // with one account (most setups) its state is GoTo's, as before there were several; with more, each by name
        List<PartStates.State> accounts = states.stream().filter(s -> !s.part().equals(part)).toList();
        boolean named = accounts.size() > 1;
        List<PartStates.State> shown = accounts.isEmpty() || states.stream().anyMatch(s -> s.part().equals(part) && s.held())
                ? states : accounts;
        List<String> held = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (PartStates.State s : shown) {
            // /health answers anyone who can reach it: an organizer's e-mail is masked there as in the log
            String account = s.part().equals(part) || !named ? "" : EmailAddress.masked(s.part().substring(part.length() + 1));
            String prefix = account.isEmpty() ? "" : account + ".";
            if (s.lastSuccess() != null) {
                builder.detail(prefix + "lastSuccess", s.lastSuccess().toString());
            }
            if (s.error() != null) {
                builder.detail(prefix + "error", s.error());
                builder.detail(prefix + "errorSince", s.errorSince().toString());
            }
            String name = account.isEmpty() ? "" : "account " + account + ": ";
            if (s.held()) {
                held.add(name + s.fix());
            }
            lines.add(name + s.describe());
        }
        if (!held.isEmpty()) {
            builder.message(String.join("; ", held)).down();
        } else {
            builder.message(String.join("; ", lines)).up();
        }
    }
}
