package io.gotomautic.bridge.cli;

import java.util.concurrent.Callable;

import io.gotomautic.bridge.connect.GoToConnect;
import io.gotomautic.bridge.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "disconnect", mixinStandardHelpOptions = true,
        description = "Stop using a connected GoTo account and forget its token; its history (events, registrations) stays.")
class DisconnectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The account's name, as `accounts` lists it.")
    String name;

    @Override
    public Integer call() throws Exception {
        org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.WARN);
        var settings = BridgeCli.settings();
        try (Database db = Database.attach(settings)) {
            if (!GoToConnect.accounts(settings, db.dataSource()).disconnect(name)) {
                spec.commandLine().getErr().println("goto-mautic-bridge: no connected GoTo account " + name + " (see `accounts`)");
                return 1;
            }
            spec.commandLine().getOut().println("disconnected GoTo account " + name + "; its token is forgotten");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
