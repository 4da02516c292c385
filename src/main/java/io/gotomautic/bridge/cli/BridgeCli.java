package io.gotomautic.bridge.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import io.gotomautic.bridge.Bridge;
import io.gotomautic.bridge.config.Settings;
import io.gotomautic.bridge.config.SettingsException;
import io.gotomautic.bridge.sandbox.Sandbox;
import io.gotomautic.bridge.store.DatabaseUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar goto-mautic-bridge.jar [run | status | help]}. */
@Command(name = "goto-mautic-bridge", mixinStandardHelpOptions = true, versionProvider = BridgeCli.Version.class,
        description = {
            "Connects Mautic with GoToWebinar, GoToTraining, GoToMeeting and GoToAssist.",
            "Reads application.properties and routes/ from the working directory. Every key can be overridden "
                + "by an environment variable (goto.rate-limit -> GOTO_RATE_LIMIT) or by -Dkey=value.",
            "Without a command, runs the service; with --sandbox, against simulators of GoTo and Mautic."},
        subcommands = {RunCommand.class, StatusCommand.class, SyncCommand.class, ReplayCommand.class, ConnectCommand.class,
            AccountsCommand.class, DisconnectCommand.class, SetupCommand.class, WebhooksCommand.class,
            CommandLine.HelpCommand.class})
public class BridgeCli implements Callable<Integer> {

    static final int CONFIGURATION_ERROR = 2;
    static final int UNAVAILABLE = 1;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BridgeCli());
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            PrintWriter err = line.getErr();
            if (e instanceof SettingsException) {
                err.println("goto-mautic-bridge: configuration error: " + e.getMessage());
                return CONFIGURATION_ERROR;
            }
            if (e instanceof DatabaseUnavailableException) {
                err.println("goto-mautic-bridge: " + e.getMessage());
                return UNAVAILABLE;
            }
            err.println("goto-mautic-bridge: could not start: " + e + " (details in the log above)");
            org.slf4j.LoggerFactory.getLogger(BridgeCli.class).debug("start-up failure", e);
            return UNAVAILABLE;
        });
        return cli;
    }

    @Option(names = "--sandbox", description = "Start simulators of GoTo (port sandbox.goto-port) and Mautic "
            + "(sandbox.mautic-port) with demo data and run the service against them: the whole product with no account anywhere.")
    boolean sandbox;

    /** No command: run the service. */
    @Override
    public Integer call() throws Exception {
        return run(sandbox);
    }

    static Settings settings() {
        return Settings.load(Path.of(""));
    }

    /** Runs the service, against the simulators with {@code sandbox}, until Ctrl-C or SIGTERM. */
    static int run(boolean sandbox) throws Exception {
        Settings settings = settings();
        if (!sandbox) {
            return runUntilStopped(settings, () -> { });
        }
        Sandbox simulators = Sandbox.start(settings);
        try {
            return runUntilStopped(simulators.settings(), simulators::close);
        } catch (Exception | Error e) {
            simulators.close();
            throw e;
        }
    }

    private static int runUntilStopped(Settings settings, Runnable afterStop) throws Exception {
        Bridge bridge = Bridge.start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Camel's graceful stop may take its 45 s (camel.main.shutdown-timeout); the rest takes seconds
            StopWatchdog.watch(Duration.ofSeconds(55));
            bridge.close();
            afterStop.run();
        }, "bridge-shutdown"));
        bridge.awaitStop();
        return 0;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = BridgeCli.class.getPackage().getImplementationVersion();
            return new String[] {"goto-mautic-bridge " + (v == null ? "(development build)" : v)};
        }
    }
}
