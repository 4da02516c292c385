package io.gotomautic.bridge.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import io.gotomautic.bridge.config.Parts;
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.config.SettingsException;
import io.gotomautic.bridge.http.HttpTransport;
import io.gotomautic.bridge.mautic.ContactMapping;
import io.gotomautic.bridge.mautic.MauticClient;
import io.gotomautic.bridge.mautic.MauticSetup;
import io.gotomautic.bridge.ops.Meters;
import io.gotomautic.bridge.store.Database;
import io.gotomautic.bridge.store.SecretBox;
import io.gotomautic.bridge.store.StoredSecrets;
import org.apache.camel.impl.DefaultCamelContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "setup", mixinStandardHelpOptions = true,
        description = {"Set Mautic up for the bridge: check the API user's permissions (one line per missing one), create or"
                + " mend the webhook to <bridge.public-url>/webhooks/mautic (generating mautic.webhook-secret when empty),"
                + " create the contact fields, and print the campaign \"Send a webhook\" settings. Run twice, it changes nothing."})
class SetupCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "mautic", description = "What to set up: mautic.")
    String what;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!"mautic".equals(what)) {
            spec.commandLine().getErr().println("goto-mautic-bridge: set up what? Only `setup mautic` is there.");
            return 2;
        }
        Settings settings = BridgeCli.settings();
        if (!Parts.configured(settings, "Mautic API")) {
            throw new SettingsException("mautic.url", "is empty: set the Mautic site and its API credentials first");
        }
        org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.WARN);
        try (Database db = Database.attach(settings); DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.start();
            MauticClient client = MauticClient.of(settings, new HttpTransport(camel, "mautic", settings.duration("bridge.http.timeout"),
                    new Meters()));
            MauticSetup.Report report = new MauticSetup(client,
                    new StoredSecrets(db.dataSource(), SecretBox.of(settings)),
                    ContactMapping.of(settings, camel),
                    settings.publicUrl(),
                    settings.optional("mautic.webhook-secret").orElse(""),
                    settings.optional("bridge.inbound-token").isPresent()).run();
            report.lines().forEach(out::println);
            out.flush();
            return report.ok() ? 0 : 1;
        }
    }
}
