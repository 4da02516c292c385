package io.gotomautic.bridge.cli;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

import io.gotomautic.bridge.OneShot;
import io.gotomautic.bridge.change.Change;
import io.gotomautic.bridge.config.Parts;
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.gotoapi.GoToConnections;
import io.gotomautic.bridge.mautic.MauticClient;
import io.gotomautic.bridge.mautic.MauticPush;
import io.gotomautic.bridge.store.Database;
import io.gotomautic.bridge.sync.EventFilter;
import io.gotomautic.bridge.sync.PullCycle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Run one pull cycle of a product now against the configured GoTo and Mautic, push what changed, "
                + "refresh the event select options, and print a summary (like the old citrix:sync). It runs the routes of "
                + "routes/ (direct:poll with the header product, direct:push-to-mautic, direct:event-options) without their schedules.")
class SyncCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--product", required = true, paramLabel = "PRODUCT", description = "webinar, training, meeting or assist")
    String product;

    @Option(names = "--id", paramLabel = "KEY", description = "Only the event with this GoTo key (it must lie in the sync window).")
    String id;

    @Option(names = "--dry-run", description = "Print what would change in Mautic; write nothing to Mautic or the database "
            + "(but a new refresh token GoTo issues on refresh, which is stored and reported).")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        if (!Settings.PRODUCTS.contains(product)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--product must be one of " + String.join(", ", Settings.PRODUCTS) + ", not " + product);
        }
        Settings settings = BridgeCli.settings();
        PrintWriter out = spec.commandLine().getOut();
        if (!Parts.configured(settings, "GoTo API")) {
            spec.commandLine().getErr().println("goto-mautic-bridge: sync needs the GoTo API: set goto.client-id, "
                    + "goto.client-secret and goto.refresh-token");
            return BridgeCli.CONFIGURATION_ERROR;
        }
        boolean push = !dryRun && Parts.configured(settings, "Mautic API");
        Instant started = Instant.now();
        try (Database db = dryRun ? Database.readOnly(settings) : Database.attach(settings);
             OneShot routes = OneShot.start(settings, db, Clock.systemUTC())) {
            String credential = credentialStamp(db, settings.get("goto.client-id"));
            // the same routes as the service's polls: direct:poll, then the push and the event options
            PullCycle.Poll run = routes.pull(product, dryRun, id);
            if (run.aborted() != null && run.takenEvents() == 0) {
                spec.commandLine().getErr().println("goto-mautic-bridge: the " + product + " sync stopped: " + run.aborted());
                return 1;
            }
            if (id != null && run.takenEvents() == 0) {
                spec.commandLine().getErr().println("goto-mautic-bridge: no " + product + " with key " + id + " between "
                        + run.from() + " and " + run.to() + " (see bridge.window.past, bridge.window.future"
                        + (run.summary().contains("left out") ? ", and " + EventFilter.key(product) + ", which leaves it out" : "")
                        + ")");
                return 1;
            }
            MauticPush mauticPush = routes.bean("mauticPush", MauticPush.class);
            if (push) {
                routes.push();
                routes.refreshEventOptions();
            }
            out.println((dryRun ? "sync --dry-run " : "sync ") + product + (id == null ? "" : " --id " + id) + ": " + run.summary());
            if (dryRun) {
                out.println("would change in Mautic (nothing written):");
                for (Change c : run.changes()) {
                    out.printf("  %s: %s%s in %s · %s%n", c.email(), c.previous() == null ? "" : c.previous().label() + " -> ",
                            c.type().label(), c.eventTitle(), c.eventStart() == null ? "" : c.eventStart().substring(0, 10));
                }
                if (!credentialStamp(db, settings.get("goto.client-id")).equals(credential)) {
                    out.println("stored: the new refresh token GoTo issued on refresh (the old one no longer works), "
                            + "the only write of a dry run");
                }
            } else if (push) {
                long left = pending(db);
                out.println("Mautic: " + mauticPush.stats() + (left == 0 ? "" : "; " + left + " change(s) still queued, retried by the service"));
            } else {
                out.println("Mautic: not configured; the changes wait in the outbox");
            }
            if (run.aborted() != null) {
                // another account's run went on: its changes are pushed, this one is retried by the service
                spec.commandLine().getErr().println("goto-mautic-bridge: part of the " + product + " sync stopped: " + run.aborted());
            }
            out.println("calls: GoTo " + routes.bean("gotoConnections", GoToConnections.class).calls() + ", Mautic "
                    + routes.bean("mauticClient", MauticClient.class).calls());
            out.printf("time: %.1f s%n", Duration.between(started, Instant.now()).toMillis() / 1000.0);
            out.flush();
            return run.failedEvents() == 0 && run.aborted() == null ? 0 : 1;
        }
    }

    /** When the stored GoTo refresh token last changed ("" for none), to tell whether this run stored one. */
    private static String credentialStamp(Database db, String clientId) throws java.sql.SQLException {
        try (Connection c = db.dataSource().getConnection(); java.sql.PreparedStatement st = c.prepareStatement(
                "SELECT updated_at::text FROM goto_credential WHERE client_id = ?")) {
            st.setString(1, clientId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : "";
            }
        }
    }

    private static long pending(Database db) throws java.sql.SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM outbox WHERE status = 'pending'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
