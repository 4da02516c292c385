package io.gotomautic.bridge.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import io.gotomautic.bridge.connect.GoToConnect;
import io.gotomautic.bridge.store.Database;
import io.gotomautic.bridge.store.GoToAccounts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "accounts", mixinStandardHelpOptions = true,
        description = "List the connected GoTo accounts (never their tokens), and those disconnected.")
class AccountsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.WARN);
        var settings = BridgeCli.settings();
        try (Database db = Database.attach(settings)) {
            List<GoToAccounts.Account> accounts = GoToConnect.accounts(settings, db.dataSource()).list();
            if (settings.optional("goto.refresh-token").isPresent()) {
                out.println("default  (goto.refresh-token)  in use");
            }
            if (accounts.isEmpty() && settings.optional("goto.refresh-token").isEmpty()) {
                out.println("no GoTo account connected: open <bridge.public-url>/connect/goto, or run `connect goto`");
            }
            for (GoToAccounts.Account a : accounts) {
                out.println(a.name() + "  organizer " + a.organizerKey() + "  " + (a.connected()
                        ? "connected " + a.connectedAt() : "disconnected " + a.disconnectedAt()));
            }
            out.flush();
            return 0;
        }
    }
}
