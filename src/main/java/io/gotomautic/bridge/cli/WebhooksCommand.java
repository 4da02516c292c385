package io.gotomautic.bridge.cli;

import java.time.Clock;
import java.util.concurrent.Callable;

import io.gotomautic.bridge.OneShot;
import io.gotomautic.bridge.gotohooks.GoToWebhookSubscriptions;
import io.gotomautic.bridge.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "webhooks", mixinStandardHelpOptions = true,
        description = "`webhooks remove`: delete the bridge's GoToWebinar webhooks and every GoTo account's subscription to them"
                + " (set goto.webhooks.enabled = false too, or the service subscribes again at its next start).")
class WebhooksCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "remove", description = "What to do: remove.")
    String what;

    @Override
    public Integer call() throws Exception {
        if (!"remove".equals(what)) {
            spec.commandLine().getErr().println("goto-mautic-bridge: webhooks what? Only `webhooks remove` is there.");
            return 2;
        }
        org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.WARN);
        var settings = BridgeCli.settings();
        try (Database db = Database.attach(settings); OneShot bridge = OneShot.start(settings, db, Clock.systemUTC())) {
            int removed = bridge.bean("gotoWebhookSubscriptions", GoToWebhookSubscriptions.class).remove();
            spec.commandLine().getOut().println("removed " + removed + " GoTo webhook(s) and subscription(s)");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
