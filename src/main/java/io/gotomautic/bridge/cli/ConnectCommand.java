package io.gotomautic.bridge.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

import io.gotomautic.bridge.config.Parts;
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.config.SettingsException;
import io.gotomautic.bridge.connect.GoToConnect;
import io.gotomautic.bridge.http.HttpTransport;
import io.gotomautic.bridge.ops.Meters;
import io.gotomautic.bridge.store.Database;
import io.gotomautic.bridge.store.GoToAccounts;
import org.apache.camel.impl.DefaultCamelContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "connect", mixinStandardHelpOptions = true,
        description = {"Connect a GoTo organizer's account (goto.client-id and goto.client-secret must be set).",
            "Without --pat: prints the GoTo address to open in a browser and waits until GoTo has sent the browser back"
                + " to the running service (bridge.public-url). With --pat: uses a GoTo Personal Access Token instead."})
class ConnectCommand implements Callable<Integer> {

    /** How long the command waits for the browser. */
    private static final Duration WAIT = Duration.ofMinutes(10);

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "goto", description = "What to connect: goto.")
    String what;

    @Option(names = "--pat", arity = "0..1", interactive = true, paramLabel = "TOKEN",
            description = "A GoTo Personal Access Token; without a value it is read from the terminal, unseen.")
    String pat;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!"goto".equals(what)) {
            err.println("goto-mautic-bridge: connect what? Only `connect goto` is there.");
            return 2;
        }
        Settings settings = BridgeCli.settings();
        if (!Parts.configured(settings, "GoTo API")) {
            throw new SettingsException("goto.client-id, goto.client-secret", "are empty: set the OAuth client of the GoTo"
                    + " developer portal first");
        }
        org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.WARN);
        try (Database db = Database.attach(settings); DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.start();
            HttpTransport http = new HttpTransport(camel, "goto", settings.duration("bridge.http.timeout"), new Meters());
            GoToAccounts accounts = GoToConnect.accounts(settings, db.dataSource());
            GoToConnect connect = GoToConnect.of(settings, db.dataSource(), GoToConnect.tokenEndpoint(settings, http), http, accounts);
            if (pat != null) {
                try {
                    GoToConnect.Connected c = connect.withPersonalAccessToken(pat);
                    out.println("connected GoTo account " + c.name());
                    return 0;
                } catch (GoToConnect.Refused e) {
                    err.println("goto-mautic-bridge: not connected: " + e.getMessage());
                    return 1;
                }
            }
            return browser(connect, accounts, out, err);
        }
    }

    /** The URL to open; then waits until the running service has received GoTo's answer for it. */
    private int browser(GoToConnect connect, GoToAccounts accounts, PrintWriter out, PrintWriter err) throws Exception {
        Instant began = Instant.now().minusSeconds(1);
        GoToConnect.Begun begun = connect.beginForCli();
        out.println("Open this address in a browser and allow the bridge to use your GoTo account:");
        out.println();
        out.println("  " + begun.url());
        out.println();
        out.println("GoTo sends the browser back to " + connect.redirectUri() + " (the running service). Waiting...");
        out.flush();
        Instant until = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(until)) {
            if (!connect.open(begun.state())) {
                var connected = accounts.list().stream().filter(a -> a.connected() && !a.connectedAt().isBefore(began)).findFirst();
                if (connected.isPresent()) {
                    out.println("connected GoTo account " + connected.get().name());
                    return 0;
                }
                err.println("goto-mautic-bridge: not connected: GoTo's answer came back, but the account was not stored"
                        + " (the browser showed why); run `connect goto` again");
                return 1;
            }
            Thread.sleep(1000);
        }
        err.println("goto-mautic-bridge: not connected: no answer from GoTo within " + WAIT.toMinutes() + " minutes");
        return 1;
    }
}
