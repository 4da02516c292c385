package io.gotomautic.bridge.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.gotomautic.bridge.config.Parts;
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.connect.GoToConnect;
import io.gotomautic.bridge.store.Database;
import io.gotomautic.bridge.store.GoToAccounts;
import io.gotomautic.bridge.store.PartStates;
import io.gotomautic.bridge.store.StatusReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print which parts are configured, the last sync of each product and GoTo account and its outcome, "
                + "queue depths (inbox, outbox), dead letters, the organizer's start links of the sessions the bridge created, "
                + "the GoTo accounts, and how Mautic and each GoTo account answered last (a held queue with the line"
                + " saying what to fix).")
class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Settings settings = BridgeCli.settings();
        // the report is the output; start-up chatter of the database would only bury it
        org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.WARN);
        PrintWriter out = spec.commandLine().getOut();
        try (Database db = Database.attach(settings)) {
            print(out, settings, db.describe(), StatusReport.read(db.dataSource()));
            printAccounts(out, settings, GoToConnect.accounts(settings, db.dataSource()).list());
            printParts(out, PartStates.all(db.dataSource()));
        }
        out.flush();
        return 0;
    }

    static void print(PrintWriter out, Settings settings, String database, StatusReport report) {
        out.println("goto-mautic-bridge status");
        out.println("database: " + database);
        out.println();
        out.println("parts:");
        Parts.of(settings).forEach(p -> out.println("  " + p.line()));
        out.println();
        out.println("last sync:");
        for (Map.Entry<String, List<StatusReport.LastSync>> e : report.syncs().entrySet()) {
            if (e.getValue().isEmpty()) {
                out.printf("  %-9s %s%n", e.getKey(), describe(null, settings.pollInterval(e.getKey())));
            }
            for (StatusReport.LastSync sync : e.getValue()) {
                out.printf("  %-9s %s  %s%n", e.getKey(), sync.account(), describe(sync, settings.pollInterval(e.getKey())));
            }
        }
        out.println();
        out.println("queues:");
        out.printf("  inbox     %d waiting%n", report.inboxWaiting());
        out.printf("  outbox    %d waiting%n", report.outboxWaiting());
        for (StatusReport.Subscription sub : report.subscriptions()) {
            out.printf("  subscription %s: %d change(s) to deliver, %d dead, last polled %s%n", sub.name(), sub.behind(), sub.dead(),
                    sub.seenAt());
        }
        if (!report.goToWebhooks().isEmpty()) {
            out.println();
            out.println("GoTo webhooks:");
            for (StatusReport.Webhooks w : report.goToWebhooks()) {
                out.printf("  %s  %s (checked %s): %s%n", w.account(), w.state(), w.checkedAt(), w.message());
            }
        }
        out.println();
        out.printf("dead letters: %d%n", report.deadLetters());
        for (StatusReport.DeadLetter d : report.recentDeadLetters()) {
            out.printf("  #%d %s %s %s%s: %s%n", d.id(), d.createdAt(), d.source(),
                    d.reference() == null ? "" : d.reference(), d.account() == null ? "" : " (GoTo account " + d.account() + ")", d.reason());
        }
        if (!report.recentOrganizerLinks().isEmpty()) {
            out.println();
            out.println("sessions created, latest first (start links are the organizer's: do not forward them):");
            for (StatusReport.OrganizerLink l : report.recentOrganizerLinks()) {
                out.printf("  %s %s %s for %s: %s%n", l.createdAt(), l.product(), l.sessionKey(),
                        l.forEmail() == null ? "a contact" : l.forEmail(),
                        l.startUrl() == null ? "(GoTo gave no start link)" : l.startUrl());
            }
        }
    }

    /** The GoTo accounts: goto.refresh-token's ({@code default}) when it is set, and each one connected, all polled. */
    static void printAccounts(PrintWriter out, Settings settings, List<GoToAccounts.Account> accounts) {
        if (!Parts.configured(settings, "GoTo API")) {
            return;
        }
        out.println();
        out.println("GoTo accounts (each connected one is polled):");
        boolean configured = settings.optional("goto.refresh-token").isPresent();
        if (configured) {
            out.println("  default (goto.refresh-token)  polled");
        }
        for (GoToAccounts.Account a : accounts) {
            out.printf("  %s  organizer %s  %s%n", a.name(), a.organizerKey(),
                    a.connected() ? "connected " + a.connectedAt() + "  polled" : "disconnected " + a.disconnectedAt());
        }
        if (!configured && accounts.stream().noneMatch(GoToAccounts.Account::connected)) {
            out.println("  none connected: open " + settings.publicUrl() + "/connect/goto, or run `connect goto`");
        }
    }

    /** How Mautic and GoTo answered last; a held part's line says what to fix. */
    static void printParts(PrintWriter out, List<PartStates.State> parts) {
        out.println();
        out.println("Mautic and GoTo, as the queues met them:");
        if (parts.isEmpty()) {
            out.println("  not called yet");
        }
        for (PartStates.State p : parts) {
            out.printf("  %-9s %s%n", p.part(), p.describe());
        }
    }

    private static String describe(StatusReport.LastSync sync, Duration interval) {
        if (sync == null || sync.startedAt() == null) {
            return "never synced (polls every " + io.gotomautic.bridge.config.Durations.format(interval) + ")";
        }
        if (sync.finishedAt() == null) {
            return sync.startedAt() + "  " + (sync.interrupted()
                    ? "interrupted  its process stopped before the end (killed or crashed); the next poll starts over"
                    : "running");
        }
        return sync.finishedAt() + "  " + sync.outcome() + (sync.message() == null ? "" : "  " + sync.message());
    }
}
